/**
 * The source check and its log, with in-memory sources on a local root:
 * recording, refusing, re-basing and the full reads a re-base owes, per
 * source, across partial runs. The MySQL side is tested against MariaDB in
 * adapters/mysql/mysql-identity.test.ts and test/e2e/source-identity.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  count,
  defineEntity,
  defineFeatureView,
  InvalidInputError,
  int64,
  mysqlTable,
  rowsToTable,
  SourceMismatchError,
  StoreReadError,
  timestamp,
  toEpochMicros,
  type JsRow,
  type OfflineStore,
  type SourceConnector,
} from '@asof/core';
import { openOfflineStore } from '@asof/stores';
import { afterAll, describe, expect, it } from 'vitest';
import { materialize } from '../materialize.js';
import { TableSourceConnector } from '../../adapters/memory/table-connector.js';
import { checkSourceIdentity } from './check.js';
import { appendIdentityEntry, IDENTITY_LOG, readIdentityLog } from './log.js';

const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
const columns = { id: int64(), account_id: int64(), at: timestamp(), updated_at: timestamp() };
const orders = mysqlTable({ name: 'orders', table: 'orders', primaryKey: ['id'], timestampField: 'at', updatedAtField: 'updated_at', columns });
const visits = mysqlTable({ name: 'visits', table: 'visits', primaryKey: ['id'], timestampField: 'at', updatedAtField: 'updated_at', columns });
const orderCount = defineFeatureView({ name: 'order_count', entities: [account], source: orders, features: { orders_30d: count({ window: '30d' }) } });
const visitCount = defineFeatureView({ name: 'visit_count', entities: [account], source: visits, features: { visits_30d: count({ window: '30d' }) } });

const us = (iso: string) => toEpochMicros(iso);
const row = (id: bigint, day: string): JsRow => ({ id, account_id: 1n, at: us(`2024-03-${day}T00:00:00Z`), updated_at: us(`2024-03-${day}T00:00:00Z`) });
const tables = (orderRows: JsRow[], visitRows: JsRow[]) => ({ orders: rowsToTable(orderRows, columns), visits: rowsToTable(visitRows, columns) });
const base = tables([row(1n, '01'), row(2n, '10')], [row(1n, '02'), row(2n, '11')]);

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function freshStore(): Promise<OfflineStore> {
  const dir = await mkdtemp(path.join(tmpdir(), 'asof-identity-'));
  dirs.push(dir);
  return openOfflineStore({ root: dir });
}

/** Every table's number of commits: what a refused run must leave unchanged. */
async function commitCounts(store: OfflineStore): Promise<Record<string, number>> {
  const views = await store.views();
  return Object.fromEntries(await Promise.all(views.map(async (v) => [v, (await store.history(v)).length] as const)));
}

const run = (store: OfflineStore, connector: SourceConnector, mode: 'full' | 'incremental', options: { rebaseSource?: boolean; views?: typeof orderCount[] | typeof visitCount[] } = {}) =>
  materialize({ store, connector, views: options.views ?? [orderCount, visitCount], mode, rebaseSource: options.rebaseSource });

describe('the source check (in-memory sources)', () => {
  it('the first run records the source, the next runs match it; the record is one log entry', async () => {
    const store = await freshStore();
    const first = await run(store, new TableSourceConnector(base, { name: 'shop' }), 'full');
    expect(first.identity.status).toBe('recorded');
    const again = await run(store, new TableSourceConnector(base, { name: 'shop' }), 'incremental');
    expect(again.identity).toMatchObject({ status: 'matched', changes: [], fullRead: [] });
    const log = await readIdentityLog(store);
    expect(log.history.map((e) => [e.version, e.event, e.identity.database])).toEqual([[1, 'recorded', 'shop']]);
    expect(log.current?.identity.tables).toEqual({ 'shop.orders': expect.stringMatching(/^schema:/), 'shop.visits': expect.stringMatching(/^schema:/) });
  });

  it('another source is refused before anything is read, full or incremental, and nothing is written', async () => {
    const store = await freshStore();
    await run(store, new TableSourceConnector(base, { name: 'shop' }), 'full');
    const before = await commitCounts(store);
    const other = new TableSourceConnector(tables([row(9n, '20')], [row(9n, '21')]), { name: 'shop_staging' });
    for (const mode of ['full', 'incremental'] as const) {
      const refused = await run(store, other, mode).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SourceMismatchError);
      expect((refused as SourceMismatchError).code).toBe('SOURCE_MISMATCH');
      expect((refused as SourceMismatchError).differences).toEqual(["database 'shop' ≠ 'shop_staging'"]);
      expect((refused as Error).message).toMatch(/built from memory database 'shop'.*connected to memory database 'shop_staging'.*--rebase-source/);
    }
    expect(await commitCounts(store)).toEqual(before);
  });

  it('a re-base records the new source with the old one in its history and reads every mirrored source in full once, across partial runs', async () => {
    const store = await freshStore();
    await run(store, new TableSourceConnector(base, { name: 'shop' }), 'full');
    // The new address holds the same data plus a version of each table older than the watermark, which an incremental read would skip.
    const moved = tables([row(1n, '01'), row(2n, '10'), row(3n, '05')], [row(1n, '02'), row(2n, '11'), row(3n, '06')]);
    const connector = new TableSourceConnector(moved, { name: 'shop_v2' });

    const rebased = await run(store, connector, 'incremental', { rebaseSource: true, views: [orderCount] });
    expect(rebased.identity).toMatchObject({ status: 'rebased', changes: ["database 'shop' ≠ 'shop_v2'"], fullRead: ['orders'] });
    expect(rebased.sources.map((s) => [s.source, s.versionsAdded])).toEqual([['orders', 1]]);
    // visits was not part of that run: still owed its full read.
    expect((await readIdentityLog(store)).current?.fullReadPending).toEqual(['visits']);

    const ordersAgain = await run(store, connector, 'incremental', { views: [orderCount] });
    expect(ordersAgain.identity).toMatchObject({ status: 'matched', fullRead: [] });
    const visitsRun = await run(store, connector, 'incremental', { views: [visitCount] });
    expect(visitsRun.identity.fullRead).toEqual(['visits']);
    expect(visitsRun.sources.map((s) => [s.source, s.versionsAdded])).toEqual([['visits', 1]]);
    const last = await run(store, connector, 'incremental');
    expect(last.identity).toMatchObject({ status: 'matched', fullRead: [] });

    const log = await readIdentityLog(store);
    expect(log.history.map((e) => [e.event, e.identity.database, e.fullReadPending])).toEqual([
      ['recorded', 'shop', []],
      ['rebased', 'shop_v2', ['orders', 'visits']],
      ['reread', 'shop_v2', ['visits']],
      ['reread', 'shop_v2', []],
    ]);
    expect(log.history[1]!.note).toMatch(/^re-based from memory database 'shop'/);
    // The old source is now the other one.
    await expect(run(store, new TableSourceConnector(base, { name: 'shop' }), 'incremental')).rejects.toBeInstanceOf(SourceMismatchError);
  });

  it('--rebase-source on the recorded source re-bases nothing and owes no full read', async () => {
    const store = await freshStore();
    await run(store, new TableSourceConnector(base, { name: 'shop' }), 'full');
    const again = await run(store, new TableSourceConnector(base, { name: 'shop' }), 'incremental', { rebaseSource: true });
    expect(again.identity).toMatchObject({ status: 'matched', fullRead: [] });
    expect((await readIdentityLog(store)).history).toHaveLength(1);
  });

  it('concurrent first checks from two sources: one source wins, every check from the other is refused, one valid entry', async () => {
    const store = await freshStore();
    const a = new TableSourceConnector(base, { name: 'shop' });
    const b = new TableSourceConnector(base, { name: 'shop_staging' });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => checkSourceIdentity({ store, connector: i % 2 ? b : a, sources: [orders, visits], rebase: false })),
    );
    const log = await readIdentityLog(store);
    expect(log.history).toHaveLength(1);
    const winner = log.current!.identity.database;
    results.forEach((r, i) => {
      const database = i % 2 ? 'shop_staging' : 'shop';
      if (database === winner) expect(r.status, String((r as PromiseRejectedResult).reason)).toBe('fulfilled');
      else expect((r as PromiseRejectedResult).reason).toBeInstanceOf(SourceMismatchError);
    });
  });

  it('an entry decided against a stale read is void: it does not become the record', async () => {
    const store = await freshStore();
    const identity = await new TableSourceConnector(base, { name: 'shop' }).identity({});
    const entry = { event: 'recorded', basedOn: 0, identity, fullReadPending: [] } as const;
    expect(await appendIdentityEntry(store, entry)).toBe(true);
    const stale = { ...entry, identity: { ...identity, database: 'intruder' } };
    expect(await appendIdentityEntry(store, stale)).toBe(false);
    const log = await readIdentityLog(store);
    expect(log.version).toBe(2);
    expect(log.history.map((e) => e.identity.database)).toEqual(['shop']);
  });

  it('a malformed or newer-format entry is a StoreReadError; a connector without identity() is refused', async () => {
    const store = await freshStore();
    const writer = store.beginWrite(IDENTITY_LOG);
    await writer.commit({ operation: 'append', watermark: { format: 'asof.source-identity/9' } });
    await expect(readIdentityLog(store)).rejects.toThrow(StoreReadError);
    await expect(readIdentityLog(store)).rejects.toThrow(/format "asof.source-identity\/9"; this asof reads asof.source-identity\/1/);
    const legacy = { snapshot: (fn: never) => fn, close: async () => {} } as unknown as SourceConnector;
    await expect(checkSourceIdentity({ store: await freshStore(), connector: legacy, sources: [orders], rebase: false })).rejects.toThrow(InvalidInputError);
  });
});
