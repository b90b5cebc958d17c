import { tableToRows, type JsRow } from '@asof/core';
import { afterAll, describe, expect, it } from 'vitest';
import { basisNow, day, freshStore, mirrorPayments, payment, paymentStats, removeRoots } from '../testing/payments.js';
import { computeView } from './compute-stage.js';

afterAll(removeRoots);

const text = (rows: JsRow[]) => rows.map((r) => JSON.stringify(r, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).sort();

describe('the compute stage (computeView)', () => {
  it('computes every entity of the view from the pinned mirror, a deleted row contributing nothing; any bucket count gives the same rows, each bucket its own entities; a bucket can be read again', async () => {
    const store = freshStore();
    const rows = [payment(1, 1, 1), payment(2, 1, 5), payment(3, 2, 2), payment(4, 3, 3), payment(5, 4, 4), payment(6, 5, 6)];
    await mirrorPayments(store, rows, day(10));
    await mirrorPayments(store, rows.filter((r) => r.payment_id !== 2n), day(20)); // payment 2 deleted
    const { basis, mirror } = await basisNow(store);
    const compute = (memoryBudgetRows: number) =>
      computeView({ store, view: paymentStats, basis, mirror, read: async () => null, affected: { kind: 'all', reason: 'test' }, viewRows: 0, memoryBudgetRows });
    const whole = await compute(1_000_000);
    const split = await compute(2);
    try {
      expect(whole.buckets).toBe(1);
      expect(split.buckets).toBeGreaterThan(1);
      const one = tableToRows(await whole.rows(0));
      expect(new Set(one.filter((r) => r.account_id === 1n).map((r) => r.payments))).toEqual(new Set([1n])); // only payment 1 is left
      const parts: JsRow[][] = [];
      for (let b = 0; b < split.buckets; b++) parts.push(tableToRows(await split.rows(b)));
      expect(text(parts.flat())).toEqual(text(one));
      const owners = parts.map((p) => new Set(p.map((r) => r.account_id)));
      for (let a = 0; a < owners.length; a++) for (let b = a + 1; b < owners.length; b++) expect([...owners[a]!].filter((k) => owners[b]!.has(k))).toEqual([]);
      expect(text(tableToRows(await whole.rows(0)))).toEqual(text(one));
      expect(whole.lookups).toEqual([]);
    } finally {
      await whole.close();
      await split.close();
    }
  });
});
