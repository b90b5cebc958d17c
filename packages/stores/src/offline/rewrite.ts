import type { RecordBatch, Schema } from 'apache-arrow';
import type { DataFileEntry, IoOptions, WrittenFile } from '@asof/core';
import { conformBatch, filterRows } from '@asof/core';
import { readDataFile, writeDataFile, type DataFileTarget, type FileNamer } from './data-files.js';
import { readTimeColumns, TimeStats } from './file-stats.js';

/** A file to add that keeps the write-order position of the file(s) it came from. */
export type PlacedFile = WrittenFile & { readonly seq: string; readonly coarse?: boolean };

/** Decides per row of a file which rows stay (`keep[i] = 1`). */
export type RowSelector = (batch: RecordBatch, event: BigInt64Array, batchIndex: number, rowOffset: number) => Uint8Array;

/**
 * Rewrites the files in `files` (one partition, ascending seq) into one new
 * file that keeps the rows `select` chooses, in order, at the position
 * (seq) of the first. Returns `null` when no row stays. Memory: the kept
 * rows of these files.
 */
export async function rewriteFiles(
  target: DataFileTarget,
  namer: FileNamer,
  files: readonly DataFileEntry[],
  select: RowSelector | null,
  options: IoOptions & { coarse?: boolean } = {},
): Promise<PlacedFile | null> {
  const first = files[0]!;
  const kept: RecordBatch[] = [];
  const stats = new TimeStats();
  let schema: Schema | null = null;
  for (const file of files) {
    let index = 0;
    let offset = 0;
    for await (const batch of readDataFile(target.objects, target.view, file, options)) {
      const time = readTimeColumns(batch);
      const rows = select ? filterRows(batch, select(batch, time.event, index, offset)) : batch;
      index++;
      offset += batch.numRows;
      if (rows.numRows === 0) continue;
      schema ??= rows.schema;
      kept.push(conformBatch(rows, schema, `file ${file.path}`));
      const t = rows === batch ? time : readTimeColumns(rows);
      stats.add(t.event, t.created);
    }
  }
  if (!schema || stats.rows === 0) return null;
  const written = await writeDataFile(target, namer.path(first.partition), first.partition, schema, kept, stats, options);
  return { ...written, seq: first.seq, ...(options.coarse ? { coarse: true } : {}) };
}
