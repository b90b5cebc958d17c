import { Table, type RecordBatch, type Vector } from 'apache-arrow';
import {
  chooseRows,
  conformBatch,
  gather,
  groupByBucket,
  keyBuckets,
  readMicrosColumn,
  takeTable,
  TOMBSTONE_COLUMN,
  type DataFileEntry,
  type IoOptions,
  type OfflineSnapshot,
  type OfflineStore,
  type PointInTimeJoinOptions,
} from '@asof/core';
import { SpillBuckets } from '@asof/stores';
import { outputNames, type ViewRequest } from './plan.js';
import { checkHistory, CREATED_TS, emptyViewRows, EVENT_TS, filesInRange, readViewRows, type RowRange } from './view-rows.js';

/** Default of `maxRowsInMemory`: spine rows plus feature rows held at once per view. */
export const DEFAULT_MAX_ROWS_IN_MEMORY = 2_000_000;

/** Options of {@link retrieveFeatures}. */
export interface RetrieveOptions extends IoOptions {
  /** The spine's time column. */
  readonly timeColumn: string;
  /** Only rows with `created_ts <= asKnownAt` (µs). */
  readonly asKnownAt: bigint | null;
  /**
   * Above this many spine plus feature rows for a view, both are split by
   * entity-key hash and joined one bucket at a time (feature rows spilled
   * to a temp directory). The result does not depend on it.
   */
  readonly maxRowsInMemory: number;
  /** Called before each data file is opened. */
  readonly onFileOpened?: ((view: string, file: DataFileEntry) => void) | undefined;
  /** The snapshot to read per view (default: each view's latest), so one call reads one consistent version. */
  readonly snapshots?: ReadonlyMap<string, OfflineSnapshot> | undefined;
}

/**
 * The point-in-time join of DESIGN §3 over the offline store: the spine's
 * columns, then each view's features for each spine row, in spine order.
 * Reads only the files whose stats overlap `[min(t) - ttl, max(t)]` (and
 * `created_ts <= asKnownAt`), and refuses (`RetentionError`) a time older
 * than the view's retained full history.
 */
export async function retrieveFeatures(store: OfflineStore, spine: Table, views: readonly ViewRequest[], options: RetrieveOptions): Promise<Table> {
  const times = timeBounds(spine, options.timeColumn);
  const columns: Record<string, Vector> = {};
  for (const field of spine.schema.fields) columns[field.name] = spine.getChild(field.name)!;
  const features = new Map<string, Vector>();
  for (const request of views) {
    const vectors = await viewColumns(store, spine, request, times, options);
    request.names.forEach((name, i) => features.set(name, vectors[i]!));
  }
  for (const name of outputNames(views)) columns[name] = features.get(name)!;
  return new Table(columns);
}

function timeBounds(spine: Table, timeColumn: string): { min: bigint; max: bigint } | null {
  const { micros, valid } = readMicrosColumn(spine, timeColumn);
  let min: bigint | null = null;
  let max: bigint | null = null;
  for (let i = 0; i < micros.length; i++) {
    if (valid && !valid[i]) continue;
    const t = micros[i]!;
    if (min === null || t < min) min = t;
    if (max === null || t > max) max = t;
  }
  return min === null || max === null ? null : { min, max };
}

async function viewColumns(
  store: OfflineStore,
  spine: Table,
  request: ViewRequest,
  times: { min: bigint; max: bigint } | null,
  options: RetrieveOptions,
): Promise<Vector[]> {
  const { view, features } = request;
  const empty = () => emptyViewRows(view, request.dtypes, features);
  const gatherAll = (rows: Table, take: Int32Array) => features.map((f) => gather(rows.getChild(f)!, take));
  if (times === null) return gatherAll(empty(), new Int32Array(spine.numRows).fill(-1));
  const snapshot = options.snapshots?.get(view.name) ?? (await store.snapshot(view.name, { signal: options.signal }));
  await checkHistory(store, snapshot, times.min, options);
  const range: RowRange = {
    start: view.ttlMs === null ? null : times.min - BigInt(view.ttlMs) * 1000n,
    end: times.max + 1n,
    asKnownAt: options.asKnownAt,
  };
  const files = filesInRange(snapshot, range);
  const estimate = spine.numRows + files.reduce((sum, f) => sum + f.rows, 0);
  const joinSpine = spine.select([...view.joinKeyNames, options.timeColumn]);
  const join: PointInTimeJoinOptions = {
    keys: view.joinKeyNames,
    spineTime: options.timeColumn,
    eventTime: EVENT_TS,
    createdTime: CREATED_TS,
    tombstone: TOMBSTONE_COLUMN,
    ...(view.ttlMs !== null ? { ttl: view.ttlMs } : {}),
    ...(options.asKnownAt !== null ? { asKnownAt: options.asKnownAt } : {}),
  };
  const rowBatches = () => readViewRows(store, snapshot, files, view, features, range, {
      signal: options.signal,
      ...(options.onFileOpened ? { onFileOpened: (file: DataFileEntry) => options.onFileOpened!(view.name, file) } : {}),
    });

  if (estimate <= options.maxRowsInMemory) {
    const batches: RecordBatch[] = [];
    for await (const batch of rowBatches()) batches.push(batch);
    const rows = batches.length > 0 ? new Table(batches) : empty();
    return gatherAll(rows, chooseRows(joinSpine, rows, join));
  }

  // Too big for one pass: split spine and rows by entity-key hash; each bucket joins alone.
  const buckets = Math.ceil(estimate / Math.max(1, options.maxRowsInMemory));
  const spill = new SpillBuckets(buckets, Math.max(1, Math.floor(options.maxRowsInMemory / buckets)));
  try {
    let template: RecordBatch | null = null;
    for await (const batch of rowBatches()) {
      template ??= batch.slice(0, 0);
      await spill.add(batch, keyBuckets(new Table([batch]), view.joinKeyNames, buckets));
    }
    const parts: Vector[][] = features.map(() => []);
    const position = new Int32Array(spine.numRows);
    let offset = 0;
    for (const [b, indices] of groupByBucket(keyBuckets(joinSpine, view.joinKeyNames, buckets), buckets)) {
      const loaded = (await spill.read(b))?.batches ?? [];
      const rows = template === null ? empty() : new Table(template.schema, [template, ...loaded.map((x) => conformBatch(x, template!.schema, 'spilled rows'))]);
      const take = chooseRows(takeTable(joinSpine, indices), rows, join);
      features.forEach((f, i) => parts[i]!.push(gather(rows.getChild(f)!, take)));
      for (let j = 0; j < indices.length; j++) position[indices[j]!] = offset + j;
      offset += indices.length;
    }
    if (offset === 0) return gatherAll(empty(), position);
    return parts.map((chunks) => gather(chunks[0]!.concat(...chunks.slice(1)), position));
  } finally {
    await spill.close();
  }
}
