import type { AnyFeatureView, OfflineSnapshot, OfflineStore } from '@asof/core';
import { affectedEntities, type AffectedEntities } from './affected/affected-entities.js';
import { assertNotOlder, commitView } from './commit/commit-view.js';
import { computeView } from './compute/compute-stage.js';
import type { VersionReader } from './compute/compute-view.js';
import type { LookupSummary } from './compute/lookup-tally.js';
import { isUpToDate, type ViewBasis } from './compute/view-basis.js';
import type { MirrorAppend } from './mirror/mirror-append.js';

export { VIEW_ATTEMPTS } from './commit/commit-view.js';

/** Everything one view's run works from. */
export interface ViewJob {
  readonly store: OfflineStore;
  readonly view: AnyFeatureView;
  /** The source data the computation reads (see {@link ViewBasis}). */
  readonly basis: ViewBasis;
  /** The pinned snapshot of the view's source mirror (every bucket reads this one). */
  readonly mirror: OfflineSnapshot;
  /** Lookup sources, read whole from their pinned snapshots. */
  readonly read: VersionReader;
  /** What the run's mirror stage added (to every source). */
  readonly appended: readonly MirrorAppend[];
  /** Only write rows with `start <= event_ts < end` (µs). */
  readonly interval?: { readonly start: bigint; readonly end: bigint };
  readonly memoryBudgetRows: number;
  readonly signal?: AbortSignal;
  /** Called once per computation of the view's rows from its sources (tests count them). */
  readonly onCompute?: (view: string) => void;
}

/** How a view's run ended (before timing). */
export interface ViewOutcome {
  readonly view: string;
  /** `unchanged` also when a commit without files recorded the new knowledge time (`version` set). */
  readonly status: 'committed' | 'unchanged';
  readonly version: number | null;
  readonly rowsComputed: number;
  readonly rowsWritten: number;
  readonly filesAdded: number;
  readonly knownAt: bigint;
  /** Per lookup of the view, how its rows were found (empty when the view was not recomputed). */
  readonly lookups: readonly LookupSummary[];
  /** The entities recomputed (and so to publish); `null` when the view was up to date and nothing was computed. */
  readonly affected: AffectedEntities | null;
}

/**
 * One view's run, composed of the engine's view stages: refuse a
 * computation older than the one the view shows, skip a view already up
 * to date (same definition, same source mirror versions), decide the
 * affected entities, compute their feature rows from the pinned mirrors,
 * and commit the diff (docs/design/engine.md).
 */
export async function materializeView(job: ViewJob): Promise<ViewOutcome> {
  const { store, view, basis, signal } = job;
  const snapshot = await store.snapshot(view.name, { signal });
  assertNotOlder(snapshot, basis, view.name);
  const fresh = freshFor(view, job.appended);
  if (isUpToDate(snapshot, basis, fresh)) {
    return { view: view.name, status: 'unchanged', version: null, rowsComputed: 0, rowsWritten: 0, filesAdded: 0, knownAt: basis.knownAt, lookups: [], affected: null };
  }
  const affected = affectedEntities({ view, snapshot, basis, appended: job.appended });
  const viewRows = snapshot.files.reduce((n, f) => n + f.rows, 0);
  const computed = await computeView({ store, view, basis, mirror: job.mirror, read: job.read, affected, viewRows, memoryBudgetRows: job.memoryBudgetRows, signal, onCompute: job.onCompute });
  try {
    const outcome = await commitView({ store, view, basis, computed, snapshot, fresh, interval: job.interval, signal });
    return { ...outcome, lookups: computed.lookups, affected };
  } finally {
    await computed.close();
  }
}

/** Whether the run mirrored anything new (versions or deletes) of a source the view reads. */
function freshFor(view: AnyFeatureView, appended: readonly MirrorAppend[]): boolean {
  const names = new Set([view.source.name, ...view.lookups.map((l) => l.source.name)]);
  return appended.some((a) => names.has(a.source) && a.versionsAdded + a.deletesAdded > 0);
}
