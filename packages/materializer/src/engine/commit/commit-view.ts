import { ConcurrentCommitError, diffFeatureRows, keyBuckets, readMicrosColumn, type AnyFeatureView, type OfflineSnapshot, type OfflineStore } from '@asof/core';
import { SpillBuckets } from '@asof/stores';
import type { Table } from 'apache-arrow';
import { EVENT_TS } from '../compute/compute-view.js';
import type { ComputedView } from '../compute/compute-stage.js';
import { isUpToDate, newerComputation, type ViewBasis, type ViewWatermark } from '../compute/view-basis.js';
import { withTombstones } from '../view-rows.js';

/** How often a view's diff is recomputed against a snapshot another run moved, before the run fails. */
export const VIEW_ATTEMPTS = 4;

/** What the commit stage works from. */
export interface CommitJob {
  readonly store: OfflineStore;
  readonly view: AnyFeatureView;
  readonly basis: ViewBasis;
  /** The computed rows (read once per attempt). */
  readonly computed: ComputedView;
  /** The view's snapshot the rows were planned against: the first attempt diffs against it. */
  readonly snapshot: OfflineSnapshot;
  /** Whether this run mirrored new versions of any of the view's sources. */
  readonly fresh: boolean;
  /** Only write rows with `start <= event_ts < end` (µs). */
  readonly interval?: { readonly start: bigint; readonly end: bigint };
  readonly signal?: AbortSignal;
}

/** How a view's commit ended. */
export interface CommitOutcome {
  readonly view: string;
  /** `unchanged` also when a commit without files recorded the new knowledge time (`version` set). */
  readonly status: 'committed' | 'unchanged';
  readonly version: number | null;
  readonly rowsComputed: number;
  readonly rowsWritten: number;
  readonly filesAdded: number;
  readonly knownAt: bigint;
}

/**
 * The commit stage: appends what differs between the computed rows and the
 * snapshot's (`diffFeatureRows`: new or changed change points, the new
 * value or a tombstone where an old one no longer holds), as one commit
 * that records what it was computed from (the view watermark: knowledge
 * time, source mirror versions, completeness, interval) and may only
 * become the snapshot's next version (DESIGN §5). When another run
 * committed first, the diff is recomputed against the new snapshot from
 * the same computed rows; it stops with `ConcurrentCommitError` when the
 * winner computed from newer source data (committing would undo it), or
 * after {@link VIEW_ATTEMPTS} lost races, and ends `unchanged` when the
 * winner recorded this very computation. A complete run whose rows equal
 * the view's but whose sources moved commits no files, only its
 * watermark, so the next run with nothing new skips the view.
 */
export async function commitView(job: CommitJob): Promise<CommitOutcome> {
  const { store, view, basis, signal } = job;
  let snapshot = job.snapshot;
  for (let attempt = 1; ; attempt++) {
    try {
      return await diffAndCommit(job, snapshot);
    } catch (error) {
      if (!(error instanceof ConcurrentCommitError)) throw error;
      snapshot = await store.snapshot(view.name, { signal });
      assertNotOlder(snapshot, basis, view.name);
      if (isUpToDate(snapshot, basis, job.fresh)) {
        return { view: view.name, status: 'unchanged', version: null, rowsComputed: 0, rowsWritten: 0, filesAdded: 0, knownAt: basis.knownAt };
      }
      if (attempt >= VIEW_ATTEMPTS) {
        throw new ConcurrentCommitError(view.name, error.readVersion, error.conflictingVersions, `lost ${attempt} races for the next version in a row`, { cause: error });
      }
    }
  }
}

/** One attempt: the diff of the computed rows against `snapshot`, committed as a diff based on it. */
async function diffAndCommit(job: CommitJob, snapshot: OfflineSnapshot): Promise<CommitOutcome> {
  const { store, view, basis, computed, signal } = job;
  const current = new SpillBuckets(computed.buckets, computed.flushRows);
  try {
    let createdAt = basis.knownAt;
    for await (const batch of store.scan(view.name, { snapshot, signal })) {
      // Appended rows must be newer than every row already there (a changed definition over unchanged data).
      for (const c of readMicrosColumn(batch as unknown as Table, 'created_ts').micros) if (c >= createdAt) createdAt = c + 1n;
      await current.add(batch, keyBuckets(batch as unknown as Table, view.joinKeyNames, computed.buckets));
    }
    // History that retention coarsened or dropped is policy, not drift: never rewrite it.
    const interval = retainedInterval(job.interval, snapshot.retention ? BigInt(snapshot.retention.fullFrom) : null);
    let rowsComputed = 0;
    let rowsWritten = 0;
    const writer = store.beginWrite(view.name, { partitioning: 'month' });
    try {
      for (let b = 0; b < computed.buckets; b++) {
        const next = await computed.rows(b);
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
export function assertNotOlder(snapshot: OfflineSnapshot, basis: ViewBasis, view: string): void {
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
