import { bool, formatTable, Instant, int64, parseIsoMicros, rowsToTable, string, timestamp, type OfflineSnapshot } from '@asof/core';
import type { ViewCoverage } from '@asof/stores';
import { show } from './coverage.js';

/** One computed stretch of event time and the knowledge time it was computed at. */
export interface FreshRange {
  /** Inclusive; `null`: from the beginning of time. */
  readonly start: Instant | null;
  /** Exclusive; `null`: to the end of time. */
  readonly end: Instant | null;
  /** Source changes up to this instant (the source's clock) are in it. */
  readonly knownAt: Instant;
  /** The view version whose run computed it. */
  readonly version: number;
}

/** How fresh one view is, from its commit log. */
export interface ViewFreshness {
  readonly view: string;
  /** The snapshot's version (0: never committed). */
  readonly version: number;
  /** When that version was committed (the store's clock); `null` at version 0. */
  readonly committedAt: Instant | null;
  /** The knowledge time every computed instant is complete to (the least over `ranges`; the source's clock); `null` if nothing is recorded. */
  readonly knownAt: Instant | null;
  /** The event-time ranges computed, in order; gaps and the ends outside were never computed. */
  readonly ranges: readonly FreshRange[];
  /** Whether every instant was computed. */
  readonly complete: boolean;
  /** `recorded`: runs recorded what they computed. `unknown`: rows exist but no run recorded its range. `none`: nothing was computed. */
  readonly coverage: 'recorded' | 'unknown' | 'none';
}

/**
 * What `FeatureStore.freshness()` returns: per view its version, commit
 * time, knowledge time, computed ranges and whether it is complete. Prints
 * as a text table.
 */
export class Freshness {
  /** @internal */
  constructor(readonly views: readonly ViewFreshness[]) {}

  /** One view's entry; `undefined` if it is not in the registry. */
  get(view: string): ViewFreshness | undefined {
    return this.views.find((v) => v.view === view);
  }

  /** The views as an Arrow table (`computed_over` as text). */
  toTable() {
    return rowsToTable(
      this.views.map((v) => ({
        view: v.view,
        version: BigInt(v.version),
        committed_at: v.committedAt,
        known_at: v.knownAt,
        computed_over: computedOver(v),
        complete: v.complete,
      })),
      { view: string(), version: int64(), committed_at: timestamp(), known_at: timestamp(), computed_over: string(), complete: bool() },
    );
  }

  /** The text table. */
  toString(): string {
    return formatTable(this.toTable(), { maxRows: Math.max(20, this.views.length), maxWidth: 120 });
  }

  /** Node's `util.inspect` (and so `console.log`) prints the text table. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** A view's freshness from its snapshot and the coverage derived from it. */
export function viewFreshness(snapshot: OfflineSnapshot, coverage: ViewCoverage): ViewFreshness {
  const instant = (us: bigint | null) => (us === null ? null : new Instant(us));
  return Object.freeze({
    view: snapshot.view,
    version: snapshot.version,
    committedAt: snapshot.committedAt === null ? null : new Instant(parseIsoMicros(snapshot.committedAt)),
    knownAt: instant(coverage.knownAt),
    ranges: Object.freeze(coverage.ranges.map((r) => Object.freeze({ start: instant(r.start), end: instant(r.end), knownAt: new Instant(r.knownAt), version: r.version }))),
    complete: coverage.complete,
    coverage: coverage.recorded ? 'recorded' : coverage.unrecorded > 0 ? 'unknown' : 'none',
  });
}

function computedOver(v: ViewFreshness): string {
  if (v.coverage === 'unknown') return 'unknown (no run recorded its range)';
  if (v.ranges.length === 0) return 'nothing';
  const sameKnowledge = v.ranges.every((r) => r.knownAt.micros === v.ranges[0]!.knownAt.micros);
  const one = (r: FreshRange) => {
    const span = r.start === null && r.end === null ? 'all time' : `[${r.start === null ? '-∞' : show(r.start.micros)}, ${r.end === null ? '∞' : show(r.end.micros)})`;
    return sameKnowledge ? span : `${span} known at ${show(r.knownAt.micros)}`;
  };
  return v.ranges.map(one).join('; ');
}
