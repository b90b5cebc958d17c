import { float64, int32, int64, keyBuckets, rowsToTable, string, tableToRows } from '@asof/core';
import { describe, expect, it } from 'vitest';
import { SpillBuckets, unify } from './spill-buckets.js';

describe('SpillBuckets', () => {
  it('returns every row of a bucket after spilling it to disk in several flushes, and removes its files', async () => {
    const spill = new SpillBuckets(3, 2);
    const rows = Array.from({ length: 20 }, (_, i) => ({ id: BigInt(i), v: i % 4 === 0 ? null : i / 2 }));
    const table = rowsToTable(rows, { id: int64(), v: float64() });
    const buckets = keyBuckets(table, ['id'], 3);
    await spill.add(table.batches[0]!, buckets);
    const back: { id: bigint; v: unknown; b: number }[] = [];
    for (let b = 0; b < 3; b++) {
      const part = await spill.read(b);
      for (const r of part ? tableToRows(part) : []) back.push({ id: r.id as bigint, v: r.v, b });
    }
    expect(back.map(({ id, v }) => ({ id, v })).sort((x, y) => Number(x.id - y.id))).toEqual(rows);
    expect(back.every((r) => r.b === buckets[Number(r.id)])).toBe(true);
    await spill.close();
  });

  it('reads a bucket again with keep, in memory and spilled, and empties it without', async () => {
    const rows = Array.from({ length: 9 }, (_, i) => ({ id: BigInt(i) }));
    const table = rowsToTable(rows, { id: int64() });
    for (const spill of [new SpillBuckets(1), new SpillBuckets(2, 2)]) {
      await spill.add(table.batches[0]!, keyBuckets(table, ['id'], spill.buckets));
      const ids = async (keep: boolean) => {
        const out: bigint[] = [];
        for (let b = 0; b < spill.buckets; b++) for (const r of tableToRows((await spill.read(b, { keep })) ?? rowsToTable([], { id: int64() }))) out.push(r.id as bigint);
        return out.sort((x, y) => Number(x - y));
      };
      expect(await ids(true)).toEqual(rows.map((r) => r.id));
      expect(await ids(true)).toEqual(rows.map((r) => r.id));
      expect(await ids(false)).toEqual(rows.map((r) => r.id));
      if (spill.buckets === 1) expect(await ids(false)).toEqual([]);
      await spill.close();
    }
  });

  it('unifies a column that was all null, and so typed by default, in one part', () => {
    const a = rowsToTable([{ x: 1n }], { x: int64() });
    const b = rowsToTable([{ x: null }], {});
    expect(tableToRows(unify([a.batches[0]!, b.batches[0]!]))).toEqual([{ x: 1n }, { x: null }]);
  });
});

describe('keyBuckets', () => {
  it('puts equal keys in the same bucket whatever the integer width, and spreads keys', () => {
    const wide = rowsToTable(Array.from({ length: 1000 }, (_, i) => ({ k: BigInt(i), s: `k${i}` })), { k: int64(), s: string() });
    const narrow = rowsToTable(Array.from({ length: 1000 }, (_, i) => ({ k: i, s: `k${i}` })), { k: int32(), s: string() });
    expect([...keyBuckets(wide, ['k', 's'], 7)]).toEqual([...keyBuckets(narrow, ['k', 's'], 7)]);
    const counts = new Array(7).fill(0);
    for (const b of keyBuckets(wide, ['k'], 7)) counts[b]++;
    expect(Math.min(...counts)).toBeGreaterThan(100);
  });
});
