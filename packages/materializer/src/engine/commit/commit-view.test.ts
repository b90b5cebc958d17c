import { ConcurrentCommitError, tableToRows, TOMBSTONE_COLUMN } from '@asof/core';
import { afterAll, describe, expect, it } from 'vitest';
import { computeView } from '../compute/compute-stage.js';
import { readView } from '../view-rows.js';
import { basisNow, day, freshStore, mirrorPayments, payment, paymentStats, removeRoots } from '../testing/payments.js';
import { assertNotOlder, commitView } from './commit-view.js';
import type { OfflineStore } from '@asof/core';

afterAll(removeRoots);

async function commitNow(store: OfflineStore, fresh = true) {
  const { basis, mirror } = await basisNow(store);
  const computed = await computeView({ store, view: paymentStats, basis, mirror, read: async () => null, affected: { kind: 'all', reason: 'test' }, viewRows: 0, memoryBudgetRows: 1_000_000 });
  try {
    return await commitView({ store, view: paymentStats, basis, computed, snapshot: await store.snapshot(paymentStats.name), fresh });
  } finally {
    await computed.close();
  }
}

describe('the commit stage (commitView)', () => {
  it('commits the diff with what it was computed from; the same computation again commits nothing', async () => {
    const store = freshStore();
    await mirrorPayments(store, [payment(1, 1, 1), payment(2, 2, 2)], day(10));
    const first = await commitNow(store);
    expect(first).toMatchObject({ status: 'committed', version: 1, knownAt: day(2) });
    expect((await store.snapshot(paymentStats.name)).watermark).toEqual({ knownAt: String(day(2)), complete: true, sources: { payments: 1 }, interval: null });
    expect(await commitNow(store, false)).toMatchObject({ status: 'unchanged', version: null, rowsWritten: 0 });
  });

  it('writes tombstones for an entity that lost every row (its only payment was deleted), so it answers null afterwards', async () => {
    const store = freshStore();
    await mirrorPayments(store, [payment(1, 1, 1), payment(2, 2, 2)], day(10));
    await commitNow(store);
    await mirrorPayments(store, [payment(1, 1, 1)], day(20));
    expect(await commitNow(store)).toMatchObject({ status: 'committed', version: 2, knownAt: day(20) });
    // Its two change points (the payment, the 30-day expiry) each get a tombstone.
    const two = tableToRows(await readView(store, paymentStats)).filter((r) => r.account_id === 2n);
    expect(two.map((r) => r[TOMBSTONE_COLUMN])).toEqual([false, false, true, true]);
  });

  it('refuses to commit a computation from older source data than the view shows', async () => {
    const store = freshStore();
    await mirrorPayments(store, [payment(1, 1, 1)], day(10));
    const { basis } = await basisNow(store);
    await mirrorPayments(store, [payment(1, 1, 1), payment(2, 1, 2)], day(10));
    await commitNow(store);
    const snapshot = await store.snapshot(paymentStats.name);
    expect(() => assertNotOlder(snapshot, basis, paymentStats.name)).toThrow(ConcurrentCommitError);
    expect(() => assertNotOlder(snapshot, basis, paymentStats.name)).toThrow(/from newer source data \(the mirror of 'payments' at version 2, where this run read version 1\)/);
  });
});
