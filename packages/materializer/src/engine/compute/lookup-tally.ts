import type { AnyFeatureView, BeforeHistoryPolicy, LookupCounts } from '@asof/core';

/** How the rows of one lookup of a view were found during a run, summed over its buckets. */
export interface LookupSummary extends LookupCounts {
  /** The lookup's position in the view's `lookups`. */
  readonly index: number;
  /** The dimension it reads. */
  readonly source: string;
  /** What it does for rows older than the dimension's first known version. */
  readonly policy: BeforeHistoryPolicy;
}

/**
 * Adds up `lookupRows` counts per lookup of one view across the buckets of
 * a run, so the run summary can say how many rows were priced from a later
 * version (`earliestKnown`) or not at all, instead of leaving them silent.
 */
export class LookupTally {
  private readonly totals: { matched: number; earliestKnown: number; beforeHistory: number; noVersion: number }[];

  constructor(private readonly view: AnyFeatureView) {
    this.totals = view.lookups.map(() => ({ matched: 0, earliestKnown: 0, beforeHistory: 0, noVersion: 0 }));
  }

  /** Adds one `lookupRows` call's counts to lookup `index`. */
  add(index: number, counts: LookupCounts): void {
    const total = this.totals[index]!;
    total.matched += counts.matched;
    total.earliestKnown += counts.earliestKnown;
    total.beforeHistory += counts.beforeHistory;
    total.noVersion += counts.noVersion;
  }

  /** One summary per lookup of the view, in order. */
  summary(): LookupSummary[] {
    return this.view.lookups.map((lookup, index) => ({ index, source: lookup.source.name, policy: lookup.beforeHistory, ...this.totals[index]! }));
  }
}
