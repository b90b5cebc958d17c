import type { Commit, OfflineSnapshot } from '@asof/core';
import type { ViewWatermark } from '@asof/stores';

export type { ViewWatermark };

/**
 * What one computation of a view is a function of: the mirrored source
 * data (the content version of each source's mirror it read), the
 * definition, and whether it compared every event time.
 */
export interface ViewBasis {
  readonly knownAt: bigint;
  readonly sources: Readonly<Record<string, number>>;
  readonly definitionHash: string;
  readonly complete: boolean;
}

/**
 * The content version of a mirror snapshot: its last commit that can have
 * changed its rows (anything but a compaction), 0 when empty. Two
 * snapshots with the same content version hold the same row versions.
 */
export function contentVersion(snapshot: OfflineSnapshot): number {
  for (let i = snapshot.commits.length - 1; i >= 0; i--) if (snapshot.commits[i]!.operation !== 'compact') return snapshot.commits[i]!.version;
  return 0;
}

/** The view's last commit that recorded a computation (compactions and retention record none), with what it recorded. */
export function lastComputation(snapshot: OfflineSnapshot): { readonly commit: Commit; readonly mark: ViewWatermark } | null {
  for (let i = snapshot.commits.length - 1; i >= 0; i--) {
    const commit = snapshot.commits[i]!;
    const mark = commit.watermark as Partial<ViewWatermark> | null;
    if (mark && typeof mark.knownAt === 'string') return { commit, mark: mark as ViewWatermark };
  }
  return null;
}

/**
 * Whether the view's last computation is a complete one of this
 * definition from the same source data, so computing again would change
 * nothing. Commits from before sources were recorded compare the
 * knowledge time instead, and count only when the run mirrored nothing
 * new for the view (`fresh` false).
 */
export function isUpToDate(snapshot: OfflineSnapshot, basis: ViewBasis, fresh: boolean): boolean {
  const last = lastComputation(snapshot);
  if (!last || last.mark.complete !== true || last.commit.definitionHash !== basis.definitionHash) return false;
  const recorded = last.mark.sources;
  if (!recorded) return !fresh && last.mark.knownAt === String(basis.knownAt);
  const names = Object.keys(basis.sources);
  return Object.keys(recorded).length === names.length && names.every((name) => recorded[name] === basis.sources[name]);
}

/**
 * The view's last computation if it read source data this one lacks (a
 * later version of some source mirror): committing this computation
 * would then undo newer rows. `null` when this one is as new or newer.
 */
export function newerComputation(snapshot: OfflineSnapshot, basis: ViewBasis): { readonly commit: Commit; readonly source: string; readonly version: number } | null {
  const last = lastComputation(snapshot);
  for (const [source, version] of Object.entries(last?.mark.sources ?? {})) {
    const mine = basis.sources[source];
    if (mine !== undefined && version > mine) return { commit: last!.commit, source, version };
  }
  return null;
}
