import {
  diffFeatureRows,
  keyBuckets,
  hashFeatureView,
  readMicrosColumn,
  rowsToTable,
  timestamp,
  TOMBSTONE_COLUMN,
  bool,
  type AnyFeatureView,
  type DType,
  type OfflineSnapshot,
  type OfflineStore,
  type Source,
  type SourceConnector,
} from '@asof/core';
import { Table, type RecordBatch } from 'apache-arrow';
import { aggregateEvents, deriveEvents, emptyRows, EVENT_TS } from './compute-view.js';
import { SpillBuckets } from '@asof/stores';
import { LookupTally, type LookupSummary } from './lookup-tally.js';
import { mirrorName, mirrorSource, readMirror, type ExtractMode, type MirrorResult } from './mirror.js';

/** What one materialization run does. */
export interface MaterializationRequest {
  readonly store: OfflineStore;
  readonly connector: SourceConnector;
  readonly views: readonly AnyFeatureView[];
  /** `full`: extract every row (a backfill); `incremental`: what changed since each source's watermark. */
  readonly mode: ExtractMode;
  /** Only write rows with `start <= event_ts < end` (µs); default everything. */
  readonly interval?: { readonly start: bigint; readonly end: bigint };
  /** Re-read this far below a source's watermark; default 5 minutes. */
  readonly overlapMs?: number;
  readonly batchSize?: number;
  /**
   * About how many rows a view's computation holds at once: the view is
   * split into entity-key buckets of this size (default 1,000,000). Lookup
   * sources (dimensions) are held whole.
   */
  readonly memoryBudgetRows?: number;
  /**
   * Sources to mirror as well though no requested view reads them (the
   * accounts the finance export names); default none. They are extracted in
   * the same consistent snapshot but do not move the views' knowledge time.
   */
  readonly extraSources?: readonly Source[];
  readonly signal?: AbortSignal;
  /** Progress: `stage` is `extract` (rows read from a source) or `compute` (views done). */
  readonly onProgress?: (stage: 'extract' | 'compute', name: string, done: number, total?: number) => void;
}

/** How a view's run ended. */
export interface ViewRunResult {
  readonly view: string;
  readonly status: 'committed' | 'unchanged' | 'failed';
  readonly version: number | null;
  readonly rowsComputed: number;
  readonly rowsWritten: number;
  readonly filesAdded: number;
  /** The knowledge time the view is now at (µs): the greatest source version time it has seen. */
  readonly knownAt: bigint | null;
  readonly ms: number;
  /** Per lookup of the view, how its rows were found (empty when the view was not recomputed). */
  readonly lookups: readonly LookupSummary[];
  readonly error?: Error;
}

/** A whole run: the sources mirrored, then every view. */
export interface MaterializationResult {
  readonly sources: readonly MirrorResult[];
  readonly views: readonly ViewRunResult[];
  readonly knownAt: bigint | null;
}

/**
 * One materialization run (docs/design/materializer.md): extract every
 * source the views read inside one consistent snapshot into its mirror,
 * then recompute each view as of the knowledge time (the greatest version
 * time mirrored) and append only what differs from the visible rows
 * (`diffFeatureRows`), as one commit per view. Running it again with the
 * same source data appends nothing; nothing depends on the wall clock.
 */
export async function materialize(request: MaterializationRequest): Promise<MaterializationResult> {
  const { store, views, signal } = request;
  const viewSources = sourcesOf(views);
  const sources = [...viewSources, ...(request.extraSources ?? []).filter((s) => !viewSources.some((r) => r.name === s.name))];
  const mirrored = await request.connector.snapshot(
    async (session) => {
      const results: MirrorResult[] = [];
      for (const source of sources) {
        results.push(
          await mirrorSource(store, session, source, {
            mode: request.mode,
            overlapMs: request.overlapMs,
            batchSize: request.batchSize,
            signal,
            onProgress: (rows) => request.onProgress?.('extract', source.name, rows),
          }),
        );
      }
      return results;
    },
    { signal },
  );
  let knownAt: bigint | null = null;
  for (const m of mirrored) if (viewSources.some((s) => s.name === m.source) && m.watermark !== null && (knownAt === null || m.watermark > knownAt)) knownAt = m.watermark;

  const cache = new Map<string, Promise<Table | null>>();
  const read = (source: Source) => {
    let versions = cache.get(source.name);
    if (!versions) cache.set(source.name, (versions = readMirror(store, source, { upTo: knownAt ?? undefined, signal })));
    return versions;
  };
  const results: ViewRunResult[] = [];
  for (const [i, view] of views.entries()) {
    const started = performance.now();
    try {
      const inputs = [view.source, ...view.lookups.map((l) => l.source)].map((source) => mirrored.find((m) => m.source === source.name)!);
      const fresh = inputs.some((m) => m.versionsAdded > 0);
      const mirrors = Object.fromEntries(inputs.map((m) => [m.source, m.version]));
      results.push({ ...(await materializeView(request, view, read, knownAt, fresh, mirrors)), ms: performance.now() - started });
    } catch (error) {
      if (signal?.aborted) throw error;
      results.push({ view: view.name, status: 'failed', version: null, rowsComputed: 0, rowsWritten: 0, filesAdded: 0, knownAt, ms: performance.now() - started, lookups: [], error: error as Error });
    }
    request.onProgress?.('compute', view.name, i + 1, views.length);
  }
  return { sources: mirrored, views: results, knownAt };
}

async function materializeView(
  request: MaterializationRequest,
  view: AnyFeatureView,
  read: (source: Source) => Promise<Table | null>,
  knownAt: bigint | null,
  fresh: boolean,
  mirrors: Readonly<Record<string, number>>,
): Promise<Omit<ViewRunResult, 'ms'>> {
  const { store, signal } = request;
  const base = { view: view.name, knownAt };
  const unchanged = { ...base, status: 'unchanged', version: null, rowsComputed: 0, rowsWritten: 0, filesAdded: 0, lookups: [] } as const;
  if (knownAt === null) return unchanged;
  // Nothing new in its sources, and its last commit is a complete computation of this definition at this knowledge time, from these mirror versions.
  // One read of the view's log serves the up-to-date check, the bucket sizing and the retention mark.
  const snapshot = await store.snapshot(view.name, { signal });
  if (!fresh && upToDate(snapshot, view, knownAt, mirrors)) return unchanged;
  const tally = new LookupTally(view);
  // Work is split by entity-key hash so one bucket's rows are in memory at a time (docs/design/materializer.md).
  const budget = request.memoryBudgetRows ?? 1_000_000;
  const sourceRows = await rowCount(store, mirrorName(view.source), signal);
  const viewRows = rowsOf(snapshot);
  const sourceBuckets = Math.max(1, Math.ceil(sourceRows / budget));
  const buckets = Math.max(1, Math.ceil(Math.max(sourceRows, viewRows) / budget));
  // Rows waiting to be spilled stay within the budget across all buckets.
  const flushRows = Math.max(1, Math.floor(budget / buckets));
  const current = new SpillBuckets(buckets, flushRows);
  const events = new SpillBuckets(buckets, flushRows);
  try {
    let createdAt = knownAt;
    for await (const batch of store.scan(view.name, { snapshot, signal })) {
      // Appended rows must be newer than every row already there (a changed definition over unchanged data).
      for (const c of readMicrosColumn(batch as unknown as Table, 'created_ts').micros) if (c >= createdAt) createdAt = c + 1n;
      await current.add(batch, keyBuckets(batch as unknown as Table, view.joinKeyNames, buckets));
    }
    for (let s = 0; s < sourceBuckets; s++) {
      const versions = await readMirror(store, view.source, { upTo: knownAt, signal, bucket: sourceBuckets > 1 ? { index: s, of: sourceBuckets } : undefined });
      const derived = await deriveEvents(view, versions, read, knownAt, tally);
      if (!derived) continue;
      const bucketOf = keyBuckets(derived, view.joinKeyNames, buckets);
      let offset = 0;
      for (const batch of derived.batches) {
        await events.add(batch, bucketOf.subarray(offset, offset + batch.numRows));
        offset += batch.numRows;
      }
    }
    // History that retention coarsened or dropped is policy, not drift: never rewrite it.
    const retention = snapshot.retention;
    const interval = retainedInterval(request.interval, retention ? BigInt(retention.fullFrom) : null);
    let rowsComputed = 0;
    let rowsWritten = 0;
    const writer = store.beginWrite(view.name, { partitioning: 'month' });
    try {
      for (let b = 0; b < buckets; b++) {
        const rows = await events.read(b);
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
      if (rowsWritten === 0) {
        await writer.abort();
        return { ...base, status: 'unchanged', version: null, rowsComputed, rowsWritten: 0, filesAdded: 0, lookups: tally.summary() };
      }
      const watermark: ViewWatermark = { knownAt: String(knownAt), complete: request.interval === undefined, mirrors };
      const commit = await writer.commit({ operation: 'append', watermark, definitionHash: hashFeatureView(view), signal });
      return { ...base, status: 'committed', version: commit.version, rowsComputed, rowsWritten, filesAdded: commit.added.length, lookups: tally.summary() };
    } catch (error) {
      await writer.abort().catch(() => undefined);
      throw error;
    }
  } finally {
    await Promise.all([current.close(), events.close()]);
  }
}

function retainedInterval(requested: { start: bigint; end: bigint } | undefined, fullFrom: bigint | null): { start: bigint; end: bigint } | undefined {
  if (fullFrom === null) return requested;
  const end = requested?.end ?? 2n ** 63n - 1n;
  const start = requested && requested.start > fullFrom ? requested.start : fullFrom;
  return { start, end: end > start ? end : start };
}

/** What a view's commit records about the computation it wrote. */
interface ViewWatermark {
  /** The knowledge time the rows were computed at (µs). */
  readonly knownAt: string;
  /** Whether every event time was compared (no `--start/--end` restriction). */
  readonly complete: boolean;
  /** The versions of the source mirrors it was computed from (absent in commits written before seeding existed). */
  readonly mirrors?: Readonly<Record<string, number>>;
}

function upToDate(snapshot: OfflineSnapshot, view: AnyFeatureView, knownAt: bigint, mirrors: Readonly<Record<string, number>>): boolean {
  const last = snapshot.commits.at(-1);
  const mark = snapshot.watermark as ViewWatermark | null;
  // A mirror that moved without moving the knowledge time (versions seeded from a file) calls for a recompute;
  // so does a commit from before mirror versions were recorded (the recompute appends only what differs).
  const sameMirrors = mark?.mirrors !== undefined && Object.entries(mirrors).every(([name, version]) => mark.mirrors![name] === version);
  return last !== undefined && mark?.complete === true && mark.knownAt === String(knownAt) && sameMirrors && last.definitionHash === hashFeatureView(view);
}

/** Rows of a view's visible files (from the commit log's stats; no data read). */
export async function rowCount(store: OfflineStore, view: string, signal?: AbortSignal): Promise<number> {
  return rowsOf(await store.snapshot(view, { signal }));
}

function rowsOf(snapshot: OfflineSnapshot): number {
  return snapshot.files.reduce((n, f) => n + f.rows, 0);
}

/** The current rows of a bucket with the tombstone column (files written before any tombstone lack it). */
export function withTombstones(rows: Table | null, view: AnyFeatureView): Table {
  if (!rows) return withColumn(withColumn(emptyRows(view), 'created_ts', timestamp()), TOMBSTONE_COLUMN, bool());
  return rows.getChild(TOMBSTONE_COLUMN) ? rows : withColumn(rows, TOMBSTONE_COLUMN, bool());
}

/** Every row version of a view written so far; an empty table with the view's columns before its first commit. */
export async function readView(store: OfflineStore, view: AnyFeatureView, signal?: AbortSignal): Promise<Table> {
  const batches: RecordBatch[] = [];
  for await (const batch of store.scan(view.name, { signal })) batches.push(batch);
  if (batches.length > 0) {
    const table = new Table(batches);
    return table.getChild(TOMBSTONE_COLUMN) ? table : withColumn(table, TOMBSTONE_COLUMN, bool());
  }
  return withColumn(withColumn(emptyRows(view), 'created_ts', timestamp()), TOMBSTONE_COLUMN, bool());
}

function withColumn(table: Table, name: string, dtype: DType): Table {
  return table.assign(rowsToTable(Array.from({ length: table.numRows }, () => ({ [name]: null })), { [name]: dtype }));
}

/** The view sources and lookup sources, each once, in first-use order. */
function sourcesOf(views: readonly AnyFeatureView[]): Source[] {
  const byName = new Map<string, Source>();
  for (const view of views) {
    for (const source of [view.source, ...view.lookups.map((l) => l.source)]) if (!byName.has(source.name)) byName.set(source.name, source);
  }
  return [...byName.values()];
}
