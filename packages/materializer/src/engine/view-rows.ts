import { bool, rowsToTable, timestamp, TOMBSTONE_COLUMN, type AnyFeatureView, type DType, type OfflineStore } from '@asof/core';
import { Table, type RecordBatch } from 'apache-arrow';
import { emptyRows } from './compute/compute-view.js';

/** Rows of a view's visible files (from the commit log's stats; no data read). */
export async function rowCount(store: OfflineStore, view: string, signal?: AbortSignal): Promise<number> {
  return (await store.snapshot(view, { signal })).files.reduce((n, f) => n + f.rows, 0);
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
