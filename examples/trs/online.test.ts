import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { int64, rowsToTable, timestamp, toEpochMicros, bool, type OnlineStore } from '@asof/core';
import { materialize, publishOnline, TableSourceConnector, verifyOnline } from '@asof/materializer';
import { openOfflineStore } from '@asof/stores';
import { DynamoDbOnlineStore } from '@asof/stores/dynamodb';
import { LmdbOnlineStore } from '@asof/stores/lmdb';
import { afterAll, describe, expect, it } from 'vitest';
import { latePayments, productMix, receivables, skuSpend } from './features.js';
import { generateTrs } from './generator.js';
import { stateAt } from './state-at.js';
import { ensureServices } from '../../test/helpers/services.js';

const views = [latePayments, receivables, productMix, skuSpend];
const dirs: string[] = [];
const temp = (label: string) => {
  const dir = mkdtempSync(join(tmpdir(), `asof-${label}-`));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('online store consistency (embedded LMDB)', () => {
  const timeline = generateTrs({ seed: 3, scale: 0.001 });

  it('after publishing, every entity online equals the offline answer at that instant; a corrupted value and a stale store are reported', async () => {
    const store = await openOfflineStore({ root: temp('offline') });
    const online = new LmdbOnlineStore({ path: temp('online') });
    try {
      const first = stateAt(timeline, '2024-06-30T00:00:00Z');
      await materialize({ store, connector: new TableSourceConnector(first.tables), views, mode: 'full' });
      const at = toEpochMicros('2024-07-01T00:00:00Z');
      for (const view of views) {
        const published = await publishOnline(store, online, view, at);
        expect(published.written).toBe(published.entities);
        expect((await publishOnline(store, online, view, at)).written).toBe(0);
        const report = await verifyOnline(store, online, view, at);
        expect(report.entities).toBeGreaterThan(0);
        expect([view.name, report.mismatchedEntities]).toEqual([view.name, 0]);
      }

      // A newer row with a wrong value for one account: reported, with the example.
      await online.write(
        latePayments,
        rowsToTable(
          [{ account_id: 1n, event_ts: at, created_ts: at + 1n, overdue_invoices: 999n, _asof_deleted: false }],
          {
            account_id: int64(),
            event_ts: timestamp(),
            created_ts: timestamp(),
            ...Object.fromEntries(latePayments.featureNames.map((f) => [f, latePayments.ref(f).dtype])),
            _asof_deleted: bool(),
          },
        ),
      );
      const corrupted = await verifyOnline(store, online, latePayments, at);
      expect(corrupted.mismatchedEntities).toBe(1);
      expect(corrupted.features.overdue_invoices!.examples[0]).toMatchObject({ key: { account_id: 1n }, online: 999n });

      // Months later, past the horizon the publish stored: every entity reads stale (no silently old value) until published again.
      const later = toEpochMicros('2025-06-01T00:00:00Z');
      const before = await verifyOnline(store, online, productMix, later);
      expect([before.staleEntities, before.mismatchedEntities]).toEqual([before.entities, 0]);
      await publishOnline(store, online, productMix, later);
      const after = await verifyOnline(store, online, productMix, later);
      expect([after.staleEntities, after.mismatchedEntities]).toEqual([0, 0]);
    } finally {
      await online.close();
    }
  });
});

describe.each(['lmdb', 'dynamodb'] as const)('online timelines of the TRS example (%s)', (kind) => {
  const timeline = generateTrs({ seed: 5, scale: 0.001 });
  const DAY = 86_400_000_000n;

  it('answers exactly at random instants inside the horizon, publishes only what changed, and refreshes the horizon before it runs out', async () => {
    const store = await openOfflineStore({ root: temp('offline') });
    const online = await openOnline(kind);
    try {
      await materialize({ store, connector: new TableSourceConnector(stateAt(timeline, '2024-09-30T00:00:00Z').tables), views, mode: 'full' });
      const at = toEpochMicros('2024-10-01T00:00:00Z');
      const first = await Promise.all(views.map((view) => publishOnline(store, online, view, at)));
      expect(first.map((p) => p.written)).toEqual(first.map((p) => p.entities));
      // Random instants inside the 7-day horizon (a fixed seed): every entity exact, none stale.
      const offsets = fc.sample(fc.bigInt({ min: 0n, max: 7n * DAY }), { numRuns: 6, seed: 13 });
      for (const offset of [0n, 7n * DAY, ...offsets]) {
        for (const view of views) {
          const report = await verifyOnline(store, online, view, at + offset);
          expect([view.name, at + offset, report.mismatchedEntities, report.staleEntities]).toEqual([view.name, at + offset, 0, 0]);
        }
      }
      // An hour later with the same data: every stored timeline still holds, nothing is written.
      expect((await publishOnline(store, online, latePayments, at + DAY / 24n)).written).toBe(0);
      // Four days later, under half the horizon is left: every entity's horizon is moved.
      const refreshed = await publishOnline(store, online, latePayments, at + 4n * DAY);
      expect(refreshed.written).toBe(refreshed.entities);
      expect((await verifyOnline(store, online, latePayments, at + 10n * DAY)).staleEntities).toBe(0);
      // New source data for one account: only the entities whose timeline changed are written.
      const later = stateAt(timeline, '2024-10-05T00:00:00Z');
      await materialize({ store, connector: new TableSourceConnector(later.tables), views: [latePayments], mode: 'full' });
      const changed = await publishOnline(store, online, latePayments, at + 4n * DAY + 1n);
      expect(changed.written).toBeGreaterThan(0);
      expect(changed.written).toBeLessThan(changed.entities);
      expect((await verifyOnline(store, online, latePayments, at + 9n * DAY)).mismatchedEntities).toBe(0);
    } finally {
      await online.close();
    }
  });

  it('publishes racing at different instants leave timelines that answer exactly', async () => {
    const store = await openOfflineStore({ root: temp('offline') });
    const online = await openOnline(kind);
    try {
      await materialize({ store, connector: new TableSourceConnector(stateAt(timeline, '2024-06-30T00:00:00Z').tables), views: [productMix], mode: 'full' });
      const at = toEpochMicros('2024-07-01T00:00:00Z');
      await Promise.all([publishOnline(store, online, productMix, at + DAY), publishOnline(store, online, productMix, at), publishOnline(store, online, productMix, at + DAY / 2n)]);
      for (const offset of [DAY, 3n * DAY, 7n * DAY]) {
        const report = await verifyOnline(store, online, productMix, at + offset);
        expect([offset, report.mismatchedEntities, report.staleEntities]).toEqual([offset, 0, 0]);
      }
    } finally {
      await online.close();
    }
  });
});

async function openOnline(kind: 'lmdb' | 'dynamodb'): Promise<OnlineStore> {
  if (kind === 'lmdb') return new LmdbOnlineStore({ path: temp('online') });
  const store = new DynamoDbOnlineStore({
    endpoint: ensureServices('dynamodb-local').ASOF_DYNAMODB_ENDPOINT!,
    region: 'us-east-1',
    credentials: { accessKeyId: 'asof', secretAccessKey: 'asof-secret' },
    tableName: `asof-trs-online-${randomBytes(4).toString('hex')}`,
  });
  await store.createTable();
  return store;
}
