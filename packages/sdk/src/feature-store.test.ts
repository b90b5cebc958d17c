/** FeatureStore on a small store written through the offline store API: views, services, naming, pruning, buckets, snapshots, errors. */
import { inspect } from 'node:util';
import { FeatureNotFoundError, InvalidInputError, InvalidTimestampError, RetentionError, type DataFileEntry } from '@asof/core';
import { encodeParquet, openOfflineStore } from '@asof/stores';
import { Table } from 'apache-arrow';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from './feature-store.js';
import { commitRows, payments, prices, removeRoots, risk, scoring, tempRoot, writeRegistry, type StoredRow } from './testing/fixture.js';

const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
const row = (account_id: number, event: string, created: string, features: Record<string, unknown>, deleted = false): StoredRow => ({
  account_id: BigInt(account_id),
  event_ts: us(event),
  created_ts: us(created),
  _asof_deleted: deleted,
  ...features,
});

let root: string;
let store: FeatureStore;

beforeAll(async () => {
  root = await tempRoot();
  await writeRegistry(root);
  await commitRows(root, payments, [
    [row(1, '2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z', { amount: 10, status: 'open' }), row(2, '2024-03-01T12:00:00Z', '2024-03-01T12:00:00Z', { amount: 20, status: 'open' })],
    [row(1, '2024-03-05T00:00:00Z', '2024-03-06T00:00:00Z', { amount: 11, status: 'paid' })],
    [row(2, '2024-03-10T00:00:00Z', '2024-03-10T00:00:00Z', { amount: null, status: null }, true)],
  ]);
  await commitRows(root, risk, [[row(1, '2024-02-01T00:00:00Z', '2024-02-01T00:00:00Z', { score: 0.5, amount: 7n }), row(2, '2024-03-02T00:00:00Z', '2024-03-02T00:00:00Z', { score: 0.9, amount: 8n })]]);
  await commitRows(root, prices, [[{ sku_id: 5n, event_ts: us('2024-03-01T00:00:00Z'), created_ts: us('2024-03-01T00:00:00Z'), _asof_deleted: false, price: 3.5 }]]);
  store = await FeatureStore.open({ root });
});
afterAll(removeRoots);

describe('FeatureStore.open', () => {
  it('says to run asof apply when the root has no registry', async () => {
    await expect(FeatureStore.open({ root: await tempRoot() })).rejects.toThrow(/run asof apply/);
  });
  it('has no online store unless one is given or <root>/_online exists', () => {
    expect(store.online).toBeNull();
    expect(String(store)).toContain('3 views');
  });
});

describe('getHistoricalFeatures', () => {
  const spine = [
    { account_id: 1n, event_timestamp: '2024-03-02T00:00:00Z' },
    { account_id: 1, event_timestamp: '2024-03-05T12:00:00+00:00' },
    { account_id: 2, event_timestamp: new Date('2024-03-02T00:00:00Z') },
    { account_id: 2, event_timestamp: Date.parse('2024-03-11T00:00:00Z') },
    { account_id: 1, event_timestamp: '2024-03-02T00:00:00Z' },
    { account_id: 3, event_timestamp: '2024-03-02T00:00:00Z' },
  ];

  it('joins several views and a service, point in time, in spine order, typed', async () => {
    const t = await store.getHistoricalFeatures({ entities: spine, features: [payments.ref('amount'), 'risk:score', scoring] });
    expect(t.schema.fields.map((f) => f.name)).toEqual(['account_id', 'event_timestamp', 'payments__amount', 'score', 'status', 'risk__amount']);
    const rows = t.toArray();
    expect(rows.map((r) => [r.account_id, r.payments__amount, r.status, r.score, r.risk__amount])).toEqual([
      [1n, 10, 'open', 0.5, 7n],
      [1n, 11, 'paid', 0.5, 7n],
      [2n, 20, 'open', 0.9, 8n],
      [2n, null, null, 0.9, 8n], // tombstone
      [1n, 10, 'open', 0.5, 7n],
      [3n, null, null, null, null],
    ]);
    expect(rows[1]!.event_timestamp).toBeInstanceOf(Date);
  });

  it('names a feature plainly unless two views share it', async () => {
    const t = await store.getHistoricalFeatures({ entities: spine, features: [payments.ref('amount'), risk.ref('score')] });
    expect(t.schema.fields.map((f) => f.name)).toEqual(['account_id', 'event_timestamp', 'amount', 'score']);
    const typed: number | null = t.toArray()[0]!.amount;
    expect(typed).toBe(10);
  });

  it('answers what the store knew at asKnownAt', async () => {
    const entities = [{ account_id: 1, event_timestamp: '2024-03-04T00:00:00Z' }, { account_id: 1, event_timestamp: '2024-03-06T00:00:00Z' }];
    const known = (asKnownAt: string) => store.getHistoricalFeatures({ entities, features: ['payments:amount'], asKnownAt }).then((t) => t.toArray().map((r) => r.amount));
    // The 03-05 row was created on 03-06: before that the store still had the 03-01 row (expired by 03-06 under the 2-day TTL).
    expect(await known('2024-03-05T18:00:00Z')).toEqual([null, null]);
    expect(await known('2024-03-01T00:00:00Z')).toEqual([null, null]);
    expect(await known('2024-03-06T00:00:00Z')).toEqual([null, 11]);
    const early = [{ account_id: 1, event_timestamp: '2024-03-02T00:00:00Z' }];
    expect((await store.getHistoricalFeatures({ entities: early, features: ['payments:amount'], asKnownAt: '2024-02-29T00:00:00Z' })).toArray()[0]!.amount).toBeNull();
    expect((await store.getHistoricalFeatures({ entities: early, features: ['payments:amount'], asKnownAt: '2024-03-01T00:00:00Z' })).toArray()[0]!.amount).toBe(10);
  });

  it('takes an Arrow table, a Parquet file and another time column', async () => {
    const table = (await store.getHistoricalFeatures({ entities: spine, features: ['payments:amount'] })).select(['account_id', 'event_timestamp']);
    const fromTable = await store.getHistoricalFeatures({ entities: table, features: ['payments:amount'] });
    const file = path.join(root, 'spine.parquet');
    await writeFile(file, encodeParquet(table.schema, table.batches));
    const fromFile = await store.getHistoricalFeatures({ entities: file, features: ['payments:amount'] });
    expect(fromFile.toArray()).toEqual(fromTable.toArray());
    const renamed = await store.getHistoricalFeatures({ entities: [{ account_id: 1, at: '2024-03-02T00:00:00Z' }], timeColumn: 'at', features: ['payments:amount'] });
    expect(renamed.toArray()).toEqual([{ account_id: 1n, at: new Date('2024-03-02T00:00:00Z'), amount: 10 }]);
  });

  it('reads only the files whose stats overlap [min(t) - ttl, max(t)]', async () => {
    const opened: string[] = [];
    const onFileOpened = (view: string, file: DataFileEntry) => opened.push(`${view}:${file.partition}`);
    await store.getHistoricalFeatures({ entities: [{ account_id: 1, event_timestamp: '2024-03-11T00:00:00Z' }], features: ['payments:amount'], onFileOpened });
    expect(opened.sort()).toEqual(['payments:2024-03-10']); // ttl 2d: 03-09..03-11
    opened.length = 0;
    await store.getHistoricalFeatures({ entities: [{ account_id: 1, event_timestamp: '2024-02-15T00:00:00Z' }], features: ['risk:score'], onFileOpened });
    expect(opened).toEqual(['risk:2024-02-01']); // no ttl: everything up to t
    opened.length = 0;
    await store.getHistoricalFeatures({ entities: spine, features: ['payments:amount'], asKnownAt: '2024-03-01T06:00:00Z', onFileOpened });
    expect(opened).toEqual(['payments:2024-03-01']);
  });

  it('gives the same result with tiny buckets as in one pass', async () => {
    const entities = Array.from({ length: 200 }, (_, i) => ({ account_id: (i % 4) + 1, event_timestamp: new Date(Date.parse('2024-02-28T00:00:00Z') + i * 3_600_000) }));
    const features = [payments.ref('amount'), payments.ref('status'), risk.ref('score')];
    const whole = await store.getHistoricalFeatures({ entities, features });
    const bucketed = await store.getHistoricalFeatures({ entities, features, maxRowsInMemory: 3 });
    expect(bucketed.toArray()).toEqual(whole.toArray());
  });

  it('prints as a text table', async () => {
    const t = await store.getHistoricalFeatures({ entities: spine.slice(0, 2), features: ['payments:amount'] });
    expect(String(t)).toContain('account_id │ event_timestamp');
    expect(inspect(t)).toBe(String(t));
    expect(t).toBeInstanceOf(Table);
  });
});

describe('errors a person can act on', () => {
  const entities = [{ account_id: 1, event_timestamp: '2024-03-02T00:00:00Z' }];
  it('suggests the nearest view or feature', async () => {
    await expect(store.getHistoricalFeatures({ entities, features: ['payment:amount'] })).rejects.toThrow(FeatureNotFoundError);
    await expect(store.getHistoricalFeatures({ entities, features: ['payment:amount'] })).rejects.toThrow(/payments/);
    await expect(store.getHistoricalFeatures({ entities, features: ['payments:amout'] })).rejects.toThrow(/payments:amount/);
  });
  it('rejects a time without an offset', async () => {
    await expect(store.getHistoricalFeatures({ entities: [{ account_id: 1, event_timestamp: '2024-03-02T00:00:00' }], features: ['payments:amount'] })).rejects.toThrow(InvalidTimestampError);
  });
  it('names a key of the wrong type and what was expected', async () => {
    const error = await store.getHistoricalFeatures({ entities: [{ account_id: '1', event_timestamp: '2024-03-02T00:00:00Z' }], features: ['payments:amount'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/'account_id', row 0: "1" \(string\) is not an int64 key/);
  });
  it('names a missing key or time column', async () => {
    await expect(store.getHistoricalFeatures({ entities: [{ account_id: 1, ts: '2024-03-02T00:00:00Z' }], features: ['payments:amount'] })).rejects.toThrow(/no column 'event_timestamp'.*timeColumn/);
    await expect(store.getHistoricalFeatures({ entities, features: ['prices:price'] })).rejects.toThrow(/no column 'sku_id'/);
  });
  it('refuses a time older than the view keeps full history for', async () => {
    const r = await tempRoot();
    await writeRegistry(r);
    await commitRows(r, risk, [[row(1, '2023-01-15T00:00:00Z', '2023-01-15T00:00:00Z', { score: 1, amount: 1n }), row(1, '2024-03-01T00:00:00Z', '2024-03-01T00:00:00Z', { score: 2, amount: 2n })]]);
    const dropped = await openOfflineStore({ root: r }).applyRetention('risk', { keys: ['account_id'], fullMs: 90 * 86_400_000, coarseMs: 30 * 86_400_000, now: '2024-03-02T00:00:00Z' });
    expect(dropped).not.toBeNull();
    const s = await FeatureStore.open({ root: r });
    await expect(s.getHistoricalFeatures({ entities: [{ account_id: 1, event_timestamp: '2023-06-01T00:00:00Z' }], features: ['risk:score'] })).rejects.toThrow(RetentionError);
    const ok = await s.getHistoricalFeatures({ entities: [{ account_id: 1, event_timestamp: '2024-03-01T00:00:00Z' }], features: ['risk:score'] });
    expect(ok.toArray()[0]!.score).toBe(2);
  });
});

describe('asOf and compare', () => {
  it('snapshots every entity at t, or the given ones', async () => {
    const all = await store.asOf('2024-03-02T00:00:00Z', { features: [payments.ref('amount'), risk.ref('score')] });
    expect(all.toArray()).toEqual([
      { account_id: 1n, amount: 10, score: 0.5 },
      { account_id: 2n, amount: 20, score: 0.9 },
    ]);
    const entities = [{ account_id: 1 }, { account_id: 9 }];
    const now = await store.asOf('2024-03-06T12:00:00Z', { features: ['payments:amount'], entities });
    expect(now.toArray()).toEqual([
      { account_id: 1n, amount: 11 },
      { account_id: 9n, amount: null },
    ]);
    const then = await store.asOf('2024-03-06T12:00:00Z', { features: ['payments:amount'], entities, asKnownAt: '2024-03-05T12:00:00Z' });
    expect(then.toArray().map((r) => r.amount)).toEqual([null, null]);
  });
  it('refuses to guess the entities of views about different entities', async () => {
    await expect(store.asOf('2024-03-02T00:00:00Z', { features: ['payments:amount', 'prices:price'] })).rejects.toThrow(/pass \{ entities \}/);
  });
  it('shows what changed between two times', async () => {
    const diff = await store.compare('2024-03-02T00:00:00Z', '2024-03-05T12:00:00Z', { features: [payments.ref('amount'), payments.ref('status'), risk.ref('score')] });
    expect(diff.toArray()).toEqual([
      { account_id: 1n, amount__t1: 10, amount__t2: 11, amount__changed: true, status__t1: 'open', status__t2: 'paid', status__changed: true, score__t1: 0.5, score__t2: 0.5, score__changed: false },
      // 2-day TTL: account 2's last payment row expired by then.
      { account_id: 2n, amount__t1: 20, amount__t2: null, amount__changed: true, status__t1: 'open', status__t2: null, status__changed: true, score__t1: 0.9, score__t2: 0.9, score__changed: false },
    ]);
    const scores = await store.compare('2024-03-02T00:00:00Z', '2024-03-05T12:00:00Z', { features: [risk.ref('score')] });
    expect(scores.numRows).toBe(0);
    const all = await store.compare('2024-03-02T00:00:00Z', '2024-03-02T00:00:00Z', { features: ['payments:amount'], all: true });
    expect(all.numRows).toBe(2);
  });
});
