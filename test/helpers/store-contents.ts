/**
 * What a store shows, as comparable values: every view's (and source
 * mirror's) visible rows as sorted canonical strings, so two roots can be
 * compared exactly.
 */
import { tableToRows, type OfflineStore } from '@asof/core';
import { Table, type RecordBatch } from 'apache-arrow';

/** The visible rows of one view as sorted JSON lines (bigints as `<n>n`, instants as ISO with µs). */
export async function visibleRows(store: OfflineStore, view: string): Promise<string[]> {
  const batches: RecordBatch[] = [];
  for await (const batch of store.scan(view)) batches.push(batch);
  if (batches.length === 0) return [];
  const columns = batches[0]!.schema.fields.map((f) => f.name).sort();
  return tableToRows(new Table(batches))
    .map((row) => JSON.stringify(columns.map((c) => [c, row[c]]), (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)))
    .sort();
}

/** Every view of a store (mirrors included) with its visible rows. */
export async function storeContents(store: OfflineStore): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const view of await store.views()) out[view] = await visibleRows(store, view);
  return out;
}
