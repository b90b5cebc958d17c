import type { RecordBatch, Schema } from 'apache-arrow';
import { StoreReadError, type DataFileEntry, type IoOptions, type ObjectStore, type WrittenFile } from '@asof/core';
import type { TimeStats } from './file-stats.js';
import { dataKey, dataPath } from './layout.js';
import { decodeParquet, encodeParquet, type ParquetWriteOptions } from './parquet/parquet-codec.js';

/** Names the files of one commit: `<commitId>-<n>.parquet`, `n` counting up across all its files. */
export class FileNamer {
  private next = 0;

  constructor(readonly commitId: string) {}

  /** The path of the next file in `partition`. */
  path(partition: string): string {
    return dataPath(partition, this.commitId, this.next++);
  }
}

/** Where data files go and how they are encoded. */
export interface DataFileTarget {
  readonly objects: ObjectStore;
  readonly view: string;
  readonly parquet: ParquetWriteOptions;
}

/** Encodes `batches` (sharing `schema`, all in `partition`) as one Parquet file and uploads it. */
export async function writeDataFile(
  target: DataFileTarget,
  path: string,
  partition: string,
  schema: Schema,
  batches: readonly RecordBatch[],
  stats: TimeStats,
  options?: IoOptions,
): Promise<WrittenFile> {
  const bytes = encodeParquet(schema, batches, target.parquet);
  await target.objects.put(dataKey(target.view, path), bytes, options);
  return { path, partition, rows: stats.rows, bytes: bytes.length, ...stats.entryFields() };
}

/** Streams the batches of one committed data file, one row group at a time. */
export async function* readDataFile(
  objects: ObjectStore,
  view: string,
  file: DataFileEntry,
  options: { columns?: readonly string[]; optionalColumns?: readonly string[]; signal?: AbortSignal; bytes?: Uint8Array | null } = {},
): AsyncIterable<RecordBatch> {
  const key = dataKey(view, file.path);
  const bytes = options.bytes ?? (await objects.get(key, options));
  if (!bytes) throw new StoreReadError(`data file ${key} of view '${view}' is missing from ${objects.describe()}`);
  yield* decodeParquet(bytes, { columns: options.columns, optionalColumns: options.optionalColumns, signal: options.signal, source: key });
}
