/**
 * The maintenance half of the offline store contract: compaction,
 * retention, pruning and bounded writer memory (run by `describeOfflineStore`).
 */
import { Table } from 'apache-arrow';
import { expect, it } from 'vitest';
import { RetentionError } from '@asof/core';
import {
  append,
  batchOf,
  byDay,
  collect,
  dataFiles,
  DAY_US,
  HOUR_MS,
  makeRows,
  rowKey,
  rowsOf,
  sorted,
  T0,
  visible,
  type OfflineStoreHarness,
  type Row,
} from '../testing/fixtures.js';

/** Registers the maintenance tests inside the caller's `describe`. */
export function describeOfflineMaintenance(factory: () => Promise<OfflineStoreHarness>): void {
    it('compact merges small files into fewer, keeping every row and its write order; old versions stay readable until vacuumed', async () => {
      const store = await (await factory()).open();
      const all: Row[] = [];
      for (let i = 0; i < 6; i++) {
        const rows = makeRows(40, { seed: 20 + i, days: 2, created: T0 + 10n * DAY_US + BigInt(i) });
        all.push(...rows);
        await append(store, 'v', rows);
      }
      const before = await store.snapshot('v');
      const orderBefore = byDay(rowsOf(await collect(store, 'v')));
      const commit = await store.compact('v', { targetFileBytes: 64 * 1024 * 1024 });
      expect(commit?.operation).toBe('compact');
      const after = await store.snapshot('v');
      expect(after.files.length).toBe(2);
      expect(before.files.length).toBe(12);
      expect(byDay(rowsOf(await collect(store, 'v')))).toEqual(orderBefore);
      expect(await store.compact('v', { targetFileBytes: 64 * 1024 * 1024 })).toBeNull();
      expect(await visible(store, 'v', { snapshot: { version: before.version } })).toEqual(sorted(all));
      const vacuumed = await store.vacuum({ graceMs: HOUR_MS, now: Date.now() + 2 * HOUR_MS });
      expect(dataFiles(vacuumed.deleted)).toHaveLength(12);
      expect(byDay(rowsOf(await collect(store, 'v')))).toEqual(orderBefore);
      await expect(collect(store, 'v', { snapshot: { version: before.version } })).rejects.toBeInstanceOf(RetentionError);
    });

    it('retention keeps full history, then the last row per entity per month, then nothing, and refuses older questions', async () => {
      const store = await (await factory()).open();
      const rows: Row[] = [];
      const start = 1_704_067_200_000_000n; // 2024-01-01
      for (let d = 0; d < 120; d += 3) {
        for (const id of [1n, 2n]) rows.push({ id, event: start + BigInt(d) * DAY_US + id, created: start + BigInt(d) * DAY_US + 10n, amount: d, sku: `d${d}` });
      }
      await append(store, 'v', rows);
      const now = start + 120n * DAY_US; // 2024-04-30
      const fullFrom = now - 30n * DAY_US; // 2024-03-31
      const coarseFrom = fullFrom - 60n * DAY_US; // 2024-01-31
      const commit = await store.applyRetention('v', { keys: ['account_id'], fullMs: 30 * 86_400_000, coarseMs: 60 * 86_400_000, now });
      expect(commit?.operation).toBe('retention');
      expect(commit?.retention).toMatchObject({ fullFrom: String(fullFrom), coarseFrom: String(coarseFrom), keys: ['account_id'] });
      const month = (e: bigint) => new Date(Number(e / 1000n)).toISOString().slice(0, 7);
      const expected = rows.filter((r) => {
        if (r.event >= fullFrom) return true;
        if (r.event < coarseFrom) return false;
        const later = rows.some((o) => o.id === r.id && month(o.event) === month(r.event) && o.event > r.event && o.event < fullFrom);
        return !later;
      });
      expect(await visible(store, 'v')).toEqual(sorted(expected));
      expect(expected.length).toBeLessThan(rows.length);
      await expect(collect(store, 'v', { historyFrom: fullFrom - 1n })).rejects.toBeInstanceOf(RetentionError);
      await expect(collect(store, 'v', { historyFrom: coarseFrom - 1n })).rejects.toThrow(/keeps no data before/);
      expect(await visible(store, 'v', { historyFrom: fullFrom })).toEqual(sorted(expected));
      expect(await store.applyRetention('v', { keys: ['account_id'], fullMs: 30 * 86_400_000, coarseMs: 60 * 86_400_000, now })).toBeNull();
    });

    it('prunes files by their stats: a time range or asKnownAt opens only the files that can match', async () => {
      const store = await (await factory()).open();
      const rows = makeRows(250, { seed: 30, days: 5 });
      await append(store, 'v', rows);
      const late = makeRows(20, { seed: 31, days: 1, created: T0 + 100n * DAY_US });
      await append(store, 'v', late);
      const opened: string[] = [];
      const range = { start: T0 + DAY_US, end: T0 + 3n * DAY_US };
      const got = await visible(store, 'v', { eventTimeRange: range, onFileOpened: (f) => opened.push(f.path) });
      expect(opened).toHaveLength(2);
      expect(got).toEqual(sorted(rows.filter((r) => r.event >= range.start && r.event < range.end)));
      opened.length = 0;
      const known = await visible(store, 'v', { asKnownAt: T0 + 50n * DAY_US, onFileOpened: (f) => opened.push(f.path) });
      expect(opened).toHaveLength(5);
      expect(known).toEqual(sorted(rows));
      const cols = await collect(store, 'v', { columns: ['amount', 'account_id'], eventTimeRange: range });
      expect(cols[0]!.schema.fields.map((f) => f.name)).toEqual(['amount', 'account_id']);
      expect(new Table(cols).numRows).toBe(cols.reduce((n, b) => n + b.numRows, 0)); // one schema: batches form a table
    });

    it('bounds writer memory: small flush thresholds give several files per partition, rows kept in write order per partition', async () => {
      const store = await (await factory()).open();
      const rows = makeRows(3000, { seed: 40, days: 2 }).sort((x, y) => (x.event < y.event ? -1 : 1));
      const w = store.beginWrite('v', { flushBytes: 16 * 1024, maxBufferedBytes: 32 * 1024, rowGroupRows: 256 });
      for (let i = 0; i < rows.length; i += 100) await w.writeBatch(batchOf(rows.slice(i, i + 100)));
      const commit = await w.commit({ operation: 'append' });
      expect(commit.added.length).toBeGreaterThan(4);
      expect(byDay(rowsOf(await collect(store, 'v')))).toEqual(byDay(rows.map(rowKey)));
    });
}
