import {
  ConcurrentCommitError,
  diffFeatureRows,
  keyBuckets,
  readMicrosColumn,
  type AnyFeatureView,
  type OfflineSnapshot,
  type OfflineStore,
} from '@asof/core';
import { SpillBuckets } from '@asof/stores';
import type { Table } from 'apache-arrow';
import { aggregateEvents, deriveEvents, emptyRows, EVENT_TS, type VersionReader } from './compute-view.js';
import { LookupTally, type LookupSummary } from './lookup-tally.js';
import { readMirror } from './mirror.js';
import { isUpToDate, newerComputation, type ViewBasis, type ViewWatermark } from './view-basis.js';
import { withTombstones } from './view-rows.js';

/** How often a view's diff is recomputed against a snapshot another run moved, before the run fails. */
export const VIEW_ATTEMPTS = 4;

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
  /** Whether this run mirrored new versions of any of the view's sources. */
  readonly fresh: boolean;
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
}

/**
 * Recomputes one view from its pinned sources and appends what differs
 * from the snapshot it read, as a diff that may only become the next
 * version (DESIGN §5). When another run committed first, the diff is
 * recomputed against the new snapshot from the same derived events
 * (spilled once); it stops with `ConcurrentCommitError` when the winner
 * computed from newer source data (committing would undo it), or after
 * {@link VIEW_ATTEMPTS} lost races. A run whose rows equal the view's but
 * whose source data moved commits no files, only its watermark, so the
 * next run with nothing new skips the view.
 */
export async function materializeView(job: ViewJob): Promise<ViewOutcome> {
  const { store, view, basis, signal } = job;
  let snapshot = await store.snapshot(view.name, { signal });
  const unchanged: ViewOutcome = { view: view.name, status: 'unchanged', version: null, rowsComputed: 0, rowsWritten: 0, filesAdded: 0, knownAt: basis.knownAt, lookups: [] };
  assertNotOlder(snapshot, basis, view.name);
  if (isUpToDate(snapshot, basis, job.fresh)) return unchanged;
  // Work is split by entity-key hash so one bucket's rows are in memory at a time (docs/design/materializer.md).
  const sourceRows = rowsOf(job.mirror);
  const sourceBuckets = Math.max(1, Math.ceil(sourceRows / job.memoryBudgetRows));
  const buckets = Math.max(1, Math.ceil(Math.max(sourceRows, rowsOf(snapshot)) / job.memoryBudgetRows));
  // Rows waiting to be spilled stay within the budget across all buckets.
  const flushRows = Math.max(1, Math.floor(job.memoryBudgetRows / buckets));
  const events = new SpillBuckets(buckets, flushRows);
  const tally = new LookupTally(view);
  try {
    job.onCompute?.(view.name);
    for (let s = 0; s < sourceBuckets; s++) {
      const bucket = sourceBuckets > 1 ? { index: s, of: sourceBuckets } : undefined;
      const versions = await readMirror(store, view.source, { snapshot: job.mirror, upTo: basis.knownAt, signal, bucket });
      const derived = await deriveEvents(view, versions, job.read, basis.knownAt, tally);
      if (!derived) continue;
      const bucketOf = keyBuckets(derived, view.joinKeyNames, buckets);
      let offset = 0;
      for (const batch of derived.batches) {
        await events.add(batch, bucketOf.subarray(offset, offset + batch.numRows));
        offset += batch.numRows;
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return { ...(await diffAndCommit(job, snapshot, events, flushRows)), lookups: tally.summary() };
      } catch (error) {
        if (!(error instanceof ConcurrentCommitError)) throw error;
        snapshot = await store.snapshot(view.name, { signal });
        assertNotOlder(snapshot, basis, view.name);
        if (isUpToDate(snapshot, basis, job.fresh)) return { ...unchanged, lookups: tally.summary() }; // the winner committed this very computation
        if (attempt >= VIEW_ATTEMPTS) {
          throw new ConcurrentCommitError(view.name, error.readVersion, error.conflictingVersions, `lost ${attempt} races for the next version in a row`, { cause: error });
        }
      }
    }
  } finally {
    await events.close();
  }
}

/** One attempt: the diff of the computed rows against `snapshot`, committed as a diff based on it. */
async function diffAndCommit(job: ViewJob, snapshot: OfflineSnapshot, events: SpillBuckets, flushRows: number): Promise<Omit<ViewOutcome, 'lookups'>> {
  const { store, view, basis, signal } = job;
  const current = new SpillBuckets(events.buckets, flushRows);
  try {
    let createdAt = basis.knownAt;
    for await (const batch of store.scan(view.name, { snapshot, signal })) {
      // Appended rows must be newer than every row already there (a changed definition over unchanged data).
      for (const c of readMicrosColumn(batch as unknown as Table, 'created_ts').micros) if (c >= createdAt) createdAt = c + 1n;
      await current.add(batch, keyBuckets(batch as unknown as Table, view.joinKeyNames, events.buckets));
    }
    // History that retention coarsened or dropped is policy, not drift: never rewrite it.
    const interval = retainedInterval(job.interval, snapshot.retention ? BigInt(snapshot.retention.fullFrom) : null);
    let rowsComputed = 0;
    let rowsWritten = 0;
    const writer = store.beginWrite(view.name, { partitioning: 'month' });
    try {
      for (let b = 0; b < events.buckets; b++) {
        const rows = await events.read(b, { keep: true });
        const next = rows ? aggregateEvents(view, rows) : emptyRows(view);
        rowsComputed += next.numRows;
        const diff = diffFeatureRows(withTombstones(await current.read(b), view), next, {
          keys: view.joinKeyNames,
          features: view.featureNames,
          eventTime: EVENT_TS,
          createdTime: 'created_ts',
          createdAt,
          interval,
        });
        for (const batch of diff.batches) await writer.writeBatch(batch, { signal });
        rowsWritten += diff.numRows;
      }
      const base = { view: view.name, rowsComputed, rowsWritten, knownAt: basis.knownAt };
      // Nothing differs: record the new knowledge time only where a later run can skip because of it.
      if (rowsWritten === 0 && !(basis.complete && !isUpToDate(snapshot, basis, false))) {
        await writer.abort();
        return { ...base, status: 'unchanged', version: null, filesAdded: 0 };
      }
      // The interval written (clipped by retention), so readers can tell what this run computed (stores' viewCoverage).
      const watermark: ViewWatermark = {
        knownAt: String(basis.knownAt),
        complete: basis.complete,
        sources: basis.sources,
        interval: interval ? { start: String(interval.start), end: String(interval.end) } : null,
      };
      const commit = await writer.commit({ operation: 'append', readVersion: snapshot.version, watermark, definitionHash: basis.definitionHash, signal });
      return { ...base, status: rowsWritten === 0 ? 'unchanged' : 'committed', version: commit.version, filesAdded: commit.added.length };
    } catch (error) {
      await writer.abort().catch(() => undefined);
      throw error;
    }
  } finally {
    await current.close();
  }
}

/** Refuses to commit a computation older than the one the view shows: it would undo newer rows. */
function assertNotOlder(snapshot: OfflineSnapshot, basis: ViewBasis, view: string): void {
  const newer = newerComputation(snapshot, basis);
  if (!newer) return;
  const detail = `the mirror of '${newer.source}' at version ${newer.version}, where this run read version ${basis.sources[newer.source]}`;
  throw new ConcurrentCommitError(view, snapshot.version, [newer.commit.version], `newer source data: ${detail}`, {
    message:
      `another run committed version ${newer.commit.version} of '${view}' first, from newer source data (${detail}); ` +
      `this run's rows would undo it and were not committed: re-run to build on it`,
  });
}

function retainedInterval(requested: { start: bigint; end: bigint } | undefined, fullFrom: bigint | null): { start: bigint; end: bigint } | undefined {
  if (fullFrom === null) return requested;
  const end = requested?.end ?? 2n ** 63n - 1n;
  const start = requested && requested.start > fullFrom ? requested.start : fullFrom;
  return { start, end: end > start ? end : start };
}

function rowsOf(snapshot: OfflineSnapshot): number {
  return snapshot.files.reduce((n, f) => n + f.rows, 0);
}
