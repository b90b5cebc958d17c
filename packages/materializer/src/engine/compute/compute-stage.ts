import { keyBuckets, type AnyFeatureView, type OfflineSnapshot, type OfflineStore } from '@asof/core';
import { SpillBuckets } from '@asof/stores';
import type { Table } from 'apache-arrow';
import type { AffectedEntities } from '../affected/affected-entities.js';
import { readMirror } from '../mirror/mirror-read.js';
import { aggregateEvents, deriveEvents, emptyRows, type VersionReader } from './compute-view.js';
import { LookupTally, type LookupSummary } from './lookup-tally.js';
import type { ViewBasis } from './view-basis.js';

/** What the compute stage works from. */
export interface ComputeJob {
  readonly store: OfflineStore;
  readonly view: AnyFeatureView;
  /** The source data the computation reads (see {@link ViewBasis}). */
  readonly basis: ViewBasis;
  /** The pinned snapshot of the view's source mirror (every bucket reads this one). */
  readonly mirror: OfflineSnapshot;
  /** Lookup sources, read whole from their pinned snapshots. */
  readonly read: VersionReader;
  /** The entities to compute (every one, today). */
  readonly affected: AffectedEntities;
  /** Rows the view holds now: the diff reads them into the same buckets, so they count toward their size. */
  readonly viewRows: number;
  /** About how many rows are held at once. */
  readonly memoryBudgetRows: number;
  readonly signal?: AbortSignal;
  /** Called once per computation of the view's rows from its sources (tests count them). */
  readonly onCompute?: (view: string) => void;
}

/**
 * A view's feature rows, computed and held by entity-key bucket (spilled
 * to local disk) for the commit stage, which may read them more than once
 * (a diff recomputed after a lost race reuses them). Close it when done.
 */
export interface ComputedView {
  readonly view: AnyFeatureView;
  /** Entity-key buckets (`keyBuckets` of the join keys); the view's current rows are split the same way. */
  readonly buckets: number;
  /** Rows a bucket buffers before spilling, so all buckets together stay within the budget. */
  readonly flushRows: number;
  /** The feature rows of one bucket (join keys, `event_ts`, features): exact windows at every change point, or the rows of a plain view. */
  rows(bucket: number): Promise<Table>;
  /** Per lookup of the view, how its rows were found. */
  readonly lookups: readonly LookupSummary[];
  close(): Promise<void>;
}

/**
 * The compute stage: the affected entities' derived events from the
 * pinned mirrors as of the view's knowledge time (the latest version per
 * key, deletes dropping theirs; lookups; the transform), the source read
 * one primary-key bucket at a time and the events spilled by entity-key
 * bucket, so about `memoryBudgetRows` rows are held at once. Aggregation
 * happens per bucket when the commit stage asks for it.
 */
export async function computeView(job: ComputeJob): Promise<ComputedView> {
  const { store, view, basis, signal } = job;
  // Work is split by entity-key hash so one bucket's rows are in memory at a time (docs/design/materializer.md).
  const sourceRows = job.mirror.files.reduce((n, f) => n + f.rows, 0);
  const sourceBuckets = Math.max(1, Math.ceil(sourceRows / job.memoryBudgetRows));
  const buckets = Math.max(1, Math.ceil(Math.max(sourceRows, job.viewRows) / job.memoryBudgetRows));
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
  } catch (error) {
    await events.close();
    throw error;
  }
  return {
    view,
    buckets,
    flushRows,
    async rows(b) {
      const rows = await events.read(b, { keep: true });
      return rows ? aggregateEvents(view, rows) : emptyRows(view);
    },
    lookups: tally.summary(),
    close: () => events.close(),
  };
}
