/**
 * The contract every offline store passes (DESIGN §5), run against each
 * backend with real services: `describeOfflineStore('local', factory)`.
 */
import { describe, expect, it } from 'vitest';
import { CommitConflictError, InvalidInputError } from '@asof/core';
import {
  append,
  batchOf,
  collect,
  dataFiles,
  DAY_US,
  HOUR_MS,
  failFirstLogWriteAfterWriting,
  LogListingBarrier,
  makeRows,
  rowKey,
  rowsOf,
  sorted,
  T0,
  visible,
  type OfflineStoreHarness,
} from '../testing/fixtures.js';
import { describeOfflineColumns } from './offline-columns.contract.js';
import { describeOfflineConcurrency } from './offline-concurrency.contract.js';
import { describeOfflineMaintenance } from './offline-maintenance.contract.js';

export type { OfflineStoreHarness } from '../testing/fixtures.js';

/** Registers the offline store contract for one backend. */
export function describeOfflineStore(name: string, factory: () => Promise<OfflineStoreHarness>): void {
  describe(`offline store contract: ${name}`, () => {
    it('writes, commits and reads back rows, partitioned by event date, with exact stats and the documented layout', async () => {
      const h = await factory();
      const store = await h.open();
      const rows = makeRows(500, { days: 3 });
      const w = store.beginWrite('late_payments');
      await w.writeBatch(batchOf(rows.slice(0, 200)));
      await w.writeBatch(batchOf(rows.slice(200)));
      const commit = await w.commit({ operation: 'append', watermark: { updated_at: '2024-03-04T00:00:00Z' }, definitionHash: 'abc' });
      expect(commit).toMatchObject({ version: 1, operation: 'append', readVersion: 0, removed: [], definitionHash: 'abc', watermark: { updated_at: '2024-03-04T00:00:00Z' } });
      expect(commit.committedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(commit.added.map((f) => f.partition)).toEqual(['2024-03-01', '2024-03-02', '2024-03-03']);
      for (const f of commit.added) {
        expect(f.path).toMatch(new RegExp(`^data/event_date=${f.partition}/${commit.commitId}-\\d+\\.parquet$`));
        const inFile = rows.filter((r) => new Date(Number(r.event / 1000n)).toISOString().startsWith(f.partition));
        expect(f.rows).toBe(inFile.length);
        expect(f.minEventTs).toBe(String(inFile.reduce((m, r) => (r.event < m ? r.event : m), inFile[0]!.event)));
        expect(f.maxEventTs).toBe(String(inFile.reduce((m, r) => (r.event > m ? r.event : m), inFile[0]!.event)));
      }
      const keys: string[] = [];
      for await (const o of h.objects.list('views/late_payments/')) keys.push(o.key);
      expect(keys.filter((k) => k.includes('/_log/0'))).toEqual(['views/late_payments/_log/00000000000000000001.json']);
      expect(keys.filter((k) => k.endsWith('.parquet')).sort()).toEqual(commit.added.map((f) => `views/late_payments/${f.path}`).sort());
      const batches = await collect(store, 'late_payments');
      expect(rowsOf(batches).sort()).toEqual(sorted(rows));
      // within a partition, rows keep their write order
      const firstDay = rows.filter((r) => r.event < T0 + DAY_US).map(rowKey);
      expect(rowsOf(batches).filter((r) => firstDay.includes(r))).toEqual(firstDay);
      expect(await store.views()).toEqual(['late_payments']);
      const other = await h.open();
      expect((await other.snapshot('late_payments')).watermark).toEqual({ updated_at: '2024-03-04T00:00:00Z' });
    });

    it('selects snapshots by version and by commit time, and replays the history', async () => {
      const store = await (await factory()).open();
      const a = makeRows(50, { seed: 1 });
      const b = makeRows(60, { seed: 2 });
      const c1 = await append(store, 'v', a, { n: 1 });
      await new Promise((r) => setTimeout(r, 5));
      const c2 = await append(store, 'v', b, { n: 2 });
      expect(c2.version).toBe(2);
      expect((await store.history('v')).map((c) => c.version)).toEqual([1, 2]);
      expect(await visible(store, 'v', { snapshot: { version: 1 } })).toEqual(sorted(a));
      expect(await visible(store, 'v')).toEqual(sorted([...a, ...b]));
      const s1 = await store.snapshot('v', { asOfCommitTime: c1.committedAt });
      expect(s1.version).toBe(1);
      expect(s1.watermark).toEqual({ n: 1 });
      expect((await store.snapshot('v', { asOfCommitTime: '2000-01-01T00:00:00Z' })).version).toBe(0);
      expect((await store.snapshot('v', { asOfCommitTime: c2.committedAt })).version).toBe(2);
      expect(await visible(store, 'v', { snapshot: s1 })).toEqual(sorted(a));
      await expect(store.snapshot('v', { version: 3 })).rejects.toThrow(/no version 3/);
      expect((await store.snapshot('never_written')).version).toBe(0);
    });

    it('two writers racing for the same version: one wins, the other appends at the next version, no row lost or doubled', async () => {
      const h = await factory();
      const barrier = new LogListingBarrier(2);
      const [s1, s2] = await Promise.all([h.open({ wrap: (o) => barrier.wrap(o) }), h.open({ wrap: (o) => barrier.wrap(o) })]);
      const a = makeRows(100, { seed: 3 });
      const b = makeRows(100, { seed: 4 });
      const [ca, cb] = await Promise.all([append(s1, 'v', a), append(s2, 'v', b)]);
      expect([ca.version, cb.version].sort()).toEqual([1, 2]);
      expect([ca.readVersion, cb.readVersion].sort()).toEqual([0, 1]); // the loser re-read the log and retried
      const reader = await h.open();
      expect(await visible(reader, 'v')).toEqual(sorted([...a, ...b]));
    });

    it('two concurrent replaces of the same interval: one wins, the other gets CommitConflictError and leaves nothing visible', async () => {
      const h = await factory();
      const store = await h.open();
      await append(store, 'v', makeRows(80, { seed: 5, days: 3 }));
      const barrier = new LogListingBarrier(2);
      const [s1, s2] = await Promise.all([h.open({ wrap: (o) => barrier.wrap(o) }), h.open({ wrap: (o) => barrier.wrap(o) })]);
      const interval = { start: T0 + DAY_US, end: T0 + 2n * DAY_US };
      const a = makeRows(30, { seed: 6, start: T0 + DAY_US, days: 1 });
      const b = makeRows(40, { seed: 7, start: T0 + DAY_US, days: 1 });
      const results = await Promise.allSettled([s1.replaceInterval('v', interval, [batchOf(a)]), s2.replaceInterval('v', interval, [batchOf(b)])]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(CommitConflictError);
      expect((lost[0]!.reason as CommitConflictError).code).toBe('COMMIT_CONFLICT');
      const winner = results[0]!.status === 'fulfilled' ? a : b;
      const inside = await visible(store, 'v', { eventTimeRange: interval });
      expect(inside).toEqual(sorted(winner));
      expect((await store.snapshot('v')).version).toBe(2);
      // the loser deleted its files: the only unreferenced files are those the winner replaced
      const v1 = new Set((await store.snapshot('v', { version: 1 })).files.map((f) => `views/v/${f.path}`));
      const dry = await store.vacuum({ graceMs: 0, dryRun: true, now: Date.now() + 1000 });
      expect(dataFiles(dry.deleted).filter((k) => !v1.has(k))).toEqual([]);
    });

    it('a commit whose log write landed but was reported as failed is recognised as committed, not retried into a duplicate', async () => {
      const h = await factory();
      const store = await h.open({ wrap: failFirstLogWriteAfterWriting });
      const rows = makeRows(25, { seed: 13 });
      const w = store.beginWrite('v');
      await w.writeBatch(batchOf(rows));
      const commit = await w.commit({ operation: 'append' });
      expect(commit.version).toBe(1);
      expect(commit.commitId).toBe(w.commitId);
      expect((await store.snapshot('v')).version).toBe(1);
      expect(await visible(await h.open(), 'v')).toEqual(sorted(rows));
    });

    it('publishes files written by several workers (shards) in one commit', async () => {
      const h = await factory();
      const [w1, w2, coordinator] = await Promise.all([h.open(), h.open(), h.open()]);
      const a = makeRows(60, { seed: 14, ids: 3 });
      const b = makeRows(70, { seed: 15, ids: 3 }).map((r) => ({ ...r, id: r.id + 100n }));
      const s1 = w1.beginWrite('v');
      await s1.writeBatch(batchOf(a));
      const s2 = w2.beginWrite('v');
      await s2.writeBatch(batchOf(b));
      const files = [...(await s1.flush()), ...(await s2.flush())];
      expect((await coordinator.snapshot('v')).version).toBe(0);
      const commit = await coordinator.beginWrite('v').commit({ operation: 'append', addFiles: JSON.parse(JSON.stringify(files)) as typeof files });
      expect(commit.added.map((f) => f.path).sort()).toEqual(files.map((f) => f.path).sort());
      expect(await visible(coordinator, 'v')).toEqual(sorted([...a, ...b]));
    });

    it('a crashed writer (files, no log entry) changes nothing; vacuum removes its orphans only after the grace period', async () => {
      const h = await factory();
      const store = await h.open();
      const rows = makeRows(50, { seed: 8 });
      await append(store, 'v', rows);
      const before = await store.snapshot('v');
      const crashed = store.beginWrite('v');
      await crashed.writeBatch(batchOf(makeRows(40, { seed: 9 })));
      const orphans = await crashed.flush();
      expect(orphans.length).toBeGreaterThan(0);
      const after = await (await h.open()).snapshot('v');
      expect(after.version).toBe(before.version);
      expect(after.files).toEqual(before.files);
      expect(await visible(store, 'v')).toEqual(sorted(rows));
      const young = await store.vacuum({ graceMs: HOUR_MS });
      expect(dataFiles(young.deleted)).toEqual([]);
      expect(young.keptYoung).toBe(orphans.length);
      const later = await store.vacuum({ graceMs: HOUR_MS, now: Date.now() + 2 * HOUR_MS });
      expect(dataFiles(later.deleted).sort()).toEqual(orphans.map((f) => `views/v/${f.path}`).sort());
      expect(await visible(store, 'v')).toEqual(sorted(rows));
    });

    it('replaceInterval is idempotent, rewrites files that straddle the interval, and refuses rows outside it', async () => {
      const store = await (await factory()).open();
      const base = makeRows(300, { seed: 10, days: 4 });
      await append(store, 'v', base);
      const interval = { start: T0 + DAY_US + 3_600_000_000n, end: T0 + 3n * DAY_US - 3_600_000_000n }; // straddles day 2 and day 3 files
      const fresh = makeRows(50, { seed: 11, start: interval.start, days: 1 }).filter((r) => r.event < interval.end);
      const outside = base.filter((r) => r.event < interval.start || r.event >= interval.end);
      const c1 = await store.replaceInterval('v', interval, [batchOf(fresh)], { watermark: { run: 1 } });
      expect(c1.operation).toBe('replace');
      expect(c1.interval).toEqual({ start: String(interval.start), end: String(interval.end) });
      const once = await visible(store, 'v');
      expect(once).toEqual(sorted([...outside, ...fresh]));
      await store.replaceInterval('v', interval, [batchOf(fresh)]);
      expect(await visible(store, 'v')).toEqual(once);
      const other = makeRows(10, { seed: 12, start: interval.start, days: 1 }).filter((r) => r.event < interval.end);
      await store.replaceInterval('v', interval, [batchOf(other)]);
      expect(await visible(store, 'v')).toEqual(sorted([...outside, ...other]));
      await expect(store.replaceInterval('v', interval, [batchOf(makeRows(5, { start: T0 }))])).rejects.toBeInstanceOf(InvalidInputError);
    });

    describeOfflineConcurrency(factory);
    describeOfflineMaintenance(factory);
    describeOfflineColumns(factory);
  });
}
