/** getOnlineFeatures over the embedded LMDB online store found at <root>/_online. */
import path from 'node:path';
import { rowsToTable } from '@asof/core';
import { LmdbOnlineStore } from '@asof/stores/lmdb';
import { afterAll, expect, it } from 'vitest';
import { FeatureStore } from './feature-store.js';
import { payments, removeRoots, risk, rowTypes, tempRoot, writeRegistry } from './testing/fixture.js';

afterAll(removeRoots);

it('reads typed rows with a status per feature, in request order', async () => {
  const root = await tempRoot();
  await writeRegistry(root);
  const lmdb = new LmdbOnlineStore({ path: path.join(root, '_online') });
  const at = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
  await lmdb.write(payments, rowsToTable([{ account_id: 1n, event_ts: at('2024-03-05T00:00:00Z'), created_ts: at('2024-03-05T00:00:00Z'), _asof_deleted: false, amount: 11, status: null }], rowTypes(payments)));
  await lmdb.write(risk, rowsToTable([{ account_id: 1n, event_ts: at('2024-01-01T00:00:00Z'), created_ts: at('2024-01-01T00:00:00Z'), _asof_deleted: false, score: 0.5, amount: 7n }], rowTypes(risk)));
  await lmdb.close();

  const store = await FeatureStore.open({ root });
  expect(store.online).not.toBeNull();
  try {
    const features = [payments.ref('amount'), payments.ref('status'), risk.ref('score'), risk.ref('amount')] as const;
    const read = await store.getOnlineFeatures({ features, entities: [{ account_id: 2 }, { account_id: 1n }], at: '2024-03-06T00:00:00Z' });
    expect(read.rows).toEqual([
      { account_id: 2n, payments__amount: null, status: null, score: null, risk__amount: null },
      { account_id: 1n, payments__amount: 11, status: null, score: 0.5, risk__amount: 7n },
    ]);
    const amount: number | null = read.rows[1]!.payments__amount;
    expect(amount).toBe(11);
    expect(read.statuses[0]).toEqual({ payments__amount: 'missing', status: 'missing', score: 'missing', risk__amount: 'missing' });
    expect(read.statuses[1]!.status).toBe('present');
    const expired = await store.getOnlineFeatures({ features: ['payments:amount'], entities: [{ account_id: 1 }], at: '2024-03-09T00:00:00Z' });
    expect(expired.statuses[0]).toEqual({ amount: 'expired' });
    expect(String(read)).toContain('payments__amount');
  } finally {
    await store.close();
  }
});

it('reads a published timeline at any instant up to its horizon, and says stale past it (text and HTML)', async () => {
  const root = await tempRoot();
  await writeRegistry(root);
  const lmdb = new LmdbOnlineStore({ path: path.join(root, '_online') });
  const at = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
  const row = (iso: string, score: number) => ({ account_id: 1n, event_ts: at(iso), created_ts: at(iso), _asof_deleted: false, score, amount: 1n });
  // Published on 1 March with a horizon to 8 March: the row then, and a change point on 4 March.
  const timeline = rowsToTable([row('2024-02-20T00:00:00Z', 0.1), row('2024-03-04T00:00:00Z', 0.4)], rowTypes(risk));
  await lmdb.write(risk, timeline, { timeline: { publishedAt: '2024-03-01T00:00:00Z', horizonEnd: '2024-03-08T00:00:00Z' } });
  await lmdb.close();
  const store = await FeatureStore.open({ root });
  try {
    const read = (iso: string) => store.getOnlineFeatures({ features: [risk.ref('score')], entities: [{ account_id: 1n }], at: iso });
    expect((await read('2024-03-02T00:00:00Z')).rows).toEqual([{ account_id: 1n, score: 0.1 }]);
    expect((await read('2024-03-08T00:00:00Z')).rows).toEqual([{ account_id: 1n, score: 0.4 }]);
    const past = await read('2024-03-08T00:00:00.000001Z');
    expect([past.rows, past.statuses]).toEqual([[{ account_id: 1n, score: null }], [{ score: 'stale' }]]);
    expect(past.toHTML()).toContain('stale');
  } finally {
    await store.close();
  }
});
