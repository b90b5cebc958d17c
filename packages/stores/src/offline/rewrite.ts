import { Schema, type RecordBatch } from 'apache-arrow';
import type { DataFileEntry, IoOptions, WrittenFile } from '@asof/core';
import { conformBatch, filterRows, nullableSchema } from '@asof/core';
import { readDataFile, writeDataFile, type DataFileTarget, type FileNamer } from './data-files.js';
import { readTimeColumns, TimeStats } from './file-stats.js';

/** A file to add that keeps the write-order position of the file(s) it came from. */
export type PlacedFile = WrittenFile & { readonly seq: string; readonly coarse?: boolean };

/** Decides per row of a file which rows stay (`keep[i] = 1`). */
export type RowSelector = (batch: RecordBatch, event: BigInt64Array, batchIndex: number, rowOffset: number) => Uint8Array;

/**
 * Rewrites the files in `files` (one partition, ascending seq) into one new
 * file that keeps the rows `select` chooses, in order, at the position
 * (seq) of the first. Returns `null` when no row stays. The new file has
 * every column any of them has (null in rows from a file that lacked it:
 * one written before a column existed), so no column is lost. Memory: the
 * kept rows of these files.
 */
export async function rewriteFiles(
  target: DataFileTarget,
  namer: FileNamer,
  files: readonly DataFileEntry[],
  select: RowSelector | null,
  options: IoOptions & { coarse?: boolean } = {},
): Promise<PlacedFile | null> {
  const first = files[0]!;
  const kept: { rows: RecordBatch; path: string }[] = [];
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
      schema = union(schema, rows.schema);
      kept.push({ rows, path: file.path });
      const t = rows === batch ? time : readTimeColumns(rows);
      stats.add(t.event, t.created);
    }
  }
  if (!schema || stats.rows === 0) return null;
  // Nullable throughout: rows of a file that lacked a column hold nulls there (files are written nullable anyway).
  const whole = nullableSchema(schema);
  const batches = kept.map(({ rows, path }) => conformBatch(rows, whole, `file ${path}`));
  const written = await writeDataFile(target, namer.path(first.partition), first.partition, whole, batches, stats, options);
  return { ...written, seq: first.seq, ...(options.coarse ? { coarse: true } : {}) };
}

/** `schema` with the columns of `next` it lacks appended. */
function union(schema: Schema | null, next: Schema): Schema {
  if (!schema) return next;
  const missing = next.fields.filter((f) => !schema.fields.some((g) => g.name === f.name));
  if (missing.length === 0) return schema;
  return new Schema([...schema.fields, ...missing], schema.metadata);
}
