import { Bool, Field, makeData, Schema, type Data, type RecordBatch, type Table } from 'apache-arrow';
import {
  bool,
  conformBatch,
  makeBatch,
  rowsToTable,
  SchemaMismatchError,
  timestamp,
  TOMBSTONE_COLUMN,
  type AnyFeatureView,
  type DataFileEntry,
  type DType,
  type IoOptions,
  type OfflineSnapshot,
  type OfflineStore,
} from '@asof/core';

/** The event-time column of every stored feature row. */
export const EVENT_TS = 'event_ts';
/** The created-time column of every stored feature row. */
export const CREATED_TS = 'created_ts';

/** Which of a view's rows a retrieval needs, in µs (`null`: unbounded). */
export interface RowRange {
  /** `event_ts >= start`. */
  readonly start: bigint | null;
  /** `event_ts < end`. */
  readonly end: bigint | null;
  /** `created_ts <= asKnownAt`. */
  readonly asKnownAt: bigint | null;
}

/** Options of {@link readViewRows}. */
export interface ReadViewRowsOptions extends IoOptions {
  /** Called before each data file is opened. */
  readonly onFileOpened?: (file: DataFileEntry) => void;
}

/**
 * The visible files of a snapshot whose logged stats may hold rows in
 * `range` (the same test the store's scan prunes with).
 */
export function filesInRange(snapshot: OfflineSnapshot, range: RowRange): readonly DataFileEntry[] {
  return snapshot.files.filter(
    (f) =>
      (range.start === null || BigInt(f.maxEventTs) >= range.start) &&
      (range.end === null || BigInt(f.minEventTs) < range.end) &&
      (range.asKnownAt === null || (f.minCreatedTs !== null && BigInt(f.minCreatedTs) <= range.asKnownAt)),
  );
}

/**
 * A view's rows in `range`, as batches of one fixed layout: the join keys,
 * `event_ts`, `created_ts`, the `features` asked for, and the tombstone
 * flag (all null where a file has none). Reads file by file, so a file
 * written before tombstones existed cannot hide another file's deletes.
 */
export async function* readViewRows(
  store: OfflineStore,
  snapshot: OfflineSnapshot,
  files: readonly DataFileEntry[],
  view: AnyFeatureView,
  features: readonly string[],
  range: RowRange,
  options: ReadViewRowsOptions = {},
): AsyncIterable<RecordBatch> {
  const columns = [...view.joinKeyNames, EVENT_TS, CREATED_TS, ...features, TOMBSTONE_COLUMN];
  let schema: Schema | null = null;
  for (const file of files) {
    const scan = store.scan(view.name, {
      snapshot: { ...snapshot, files: [file] },
      ...(range.start !== null || range.end !== null
        ? { eventTimeRange: { ...(range.start !== null ? { start: range.start } : {}), ...(range.end !== null ? { end: range.end } : {}) } }
        : {}),
      ...(range.asKnownAt !== null ? { asKnownAt: range.asKnownAt } : {}),
      signal: options.signal,
      onFileOpened: options.onFileOpened,
    });
    for await (const batch of scan) {
      const layout = select(batch, columns, view.name, file.path);
      schema ??= layout.schema;
      yield conformBatch(layout, schema, `file ${file.path} of view '${view.name}'`);
    }
  }
}

/**
 * Throws the store's `RetentionError` if the view's retention has coarsened
 * or dropped history at or after `from`, without reading any data file.
 */
export async function checkHistory(store: OfflineStore, snapshot: OfflineSnapshot, from: bigint, options: IoOptions = {}): Promise<void> {
  for await (const _ of store.scan(snapshot.view, { snapshot: { ...snapshot, files: [] }, historyFrom: from, signal: options.signal })) break;
}

/** An empty table of the layout {@link readViewRows} yields, from the registry's dtypes. */
export function emptyViewRows(view: AnyFeatureView, dtypes: Readonly<Record<string, DType>>, features: readonly string[]): Table {
  const columns: Record<string, DType> = { ...view.joinKeys, [EVENT_TS]: timestamp(), [CREATED_TS]: timestamp(), [TOMBSTONE_COLUMN]: bool() };
  for (const f of features) columns[f] = dtypes[f]!;
  return rowsToTable([], columns, [...view.joinKeyNames, EVENT_TS, CREATED_TS, ...features, TOMBSTONE_COLUMN]);
}

function select(batch: RecordBatch, columns: readonly string[], view: string, path: string): RecordBatch {
  const fields: Field[] = [];
  const data: Data[] = [];
  for (const name of columns) {
    const index = batch.schema.fields.findIndex((f) => f.name === name);
    if (index >= 0) {
      fields.push(batch.schema.fields[index]!.clone({ nullable: true }));
      data.push(batch.getChildAt(index)!.data[0]!);
    } else if (name === TOMBSTONE_COLUMN || name === CREATED_TS) {
      fields.push(new Field(name, name === CREATED_TS ? batch.getChild(EVENT_TS)!.type : new Bool(), true));
      data.push(nulls(fields[fields.length - 1]!, batch.numRows));
    } else {
      throw new SchemaMismatchError(
        name,
        `view '${view}' has no column '${name}' in ${path}; it has ${batch.schema.fields.map((f) => f.name).join(', ')}. ` +
          `Was the feature added without re-materializing (asof materialize)?`,
      );
    }
  }
  return makeBatch(new Schema(fields), data, batch.numRows);
}

function nulls(field: Field, length: number): Data {
  const values = field.type instanceof Bool ? new Uint8Array((length + 7) >> 3) : new BigInt64Array(length);
  return makeData({ type: field.type, length, nullCount: length, nullBitmap: new Uint8Array((length + 7) >> 3), data: values } as never);
}
