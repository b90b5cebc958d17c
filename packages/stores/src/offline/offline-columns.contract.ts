/**
 * The offline store contract for a column that only later files have (a
 * source mirror's `_asof_deleted`, added after its first files were
 * written): a scan that asks for it gets it on every batch, null where a
 * file lacks it; compaction keeps it. Run by `describeOfflineStore`.
 */
import { Bool, Field, makeData, RecordBatch, Schema, Struct, type Vector, vectorFromArray } from 'apache-arrow';
import { expect, it } from 'vitest';
import { SchemaMismatchError, type OfflineStore } from '@asof/core';
import { batchOf, collect, makeRows, T0, type OfflineStoreHarness, type Row } from '../testing/fixtures.js';

const FLAG = new Field('_asof_deleted', new Bool(), true);

/** `rows` as a batch with a Bool column `_asof_deleted` after the others. */
function flagged(rows: readonly Row[], deleted: (i: number) => boolean): RecordBatch {
  const base = batchOf(rows);
  const flag = vectorFromArray(rows.map((_, i) => deleted(i)), new Bool()) as Vector<Bool>;
  const schema = new Schema([...base.schema.fields, FLAG]);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: base.numRows, nullCount: 0, children: [...base.data.children, flag.data[0]!] }));
}

async function commit(store: OfflineStore, view: string, batch: RecordBatch): Promise<void> {
  const w = store.beginWrite(view);
  await w.writeBatch(batch);
  await w.commit({ operation: 'append' });
}

/** `[id, flag]` per row of the scan, in order. */
async function flags(store: OfflineStore, view: string, options: Parameters<OfflineStore['scan']>[1] = {}): Promise<[string, unknown][]> {
  const out: [string, unknown][] = [];
  for (const batch of await collect(store, view, options)) {
    const flag = batch.getChild('_asof_deleted');
    for (let i = 0; i < batch.numRows; i++) out.push([String(batch.getChild('account_id')!.get(i)), flag ? flag.get(i) : 'absent']);
  }
  return out;
}

/** Registers the tests inside the caller's `describe`. */
export function describeOfflineColumns(factory: () => Promise<OfflineStoreHarness>): void {
  const old = makeRows(3, { start: T0, days: 1, ids: 3, seed: 5 });
  const later = makeRows(2, { start: T0, days: 1, ids: 2, seed: 6 }).map((r) => ({ ...r, id: r.id + 10n }));

  it('a scan with ensureColumns gives every batch a column only later files have: null in files written before it, with or without a projection', async () => {
    const store = await (await factory()).open();
    await commit(store, 'm', batchOf(old));
    await commit(store, 'm', flagged(later, (i) => i === 1));
    // The documented default: batches take the first file's schema.
    expect((await flags(store, 'm')).map(([, f]) => f)).toEqual(['absent', 'absent', 'absent', 'absent', 'absent']);
    const ensured = await flags(store, 'm', { ensureColumns: [FLAG] });
    expect(ensured.map(([, f]) => f)).toEqual([null, null, null, false, true]);
    const projected = await collect(store, 'm', { columns: ['account_id', '_asof_deleted'], ensureColumns: [FLAG] });
    expect(projected.every((b) => b.schema.fields.map((f) => f.name).join() === 'account_id,_asof_deleted')).toBe(true);
    expect(projected.flatMap((b) => Array.from({ length: b.numRows }, (_, i) => b.getChild('_asof_deleted')!.get(i)))).toEqual([null, null, null, false, true]);
    // The first file decides nothing for an ensured column a later file has with another type.
    await expect(collect(store, 'm', { ensureColumns: [new Field('_asof_deleted', new Struct([]), true)] })).rejects.toBeInstanceOf(SchemaMismatchError);
  });

  it('compaction keeps a column only some of the merged files have (null in the rows of the others), so no later read loses it', async () => {
    const store = await (await factory()).open();
    await commit(store, 'm', batchOf(old));
    await commit(store, 'm', flagged(later, (i) => i === 1));
    const compacted = await store.compact('m', { targetFileBytes: 64 * 1024 * 1024 });
    expect(compacted?.removed).toHaveLength(2);
    expect(compacted?.added).toHaveLength(1);
    expect((await flags(store, 'm')).map(([, f]) => f)).toEqual([null, null, null, false, true]);
  });
}
