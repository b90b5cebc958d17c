import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { int64, rowsToTable, timestamp, toEpochMicros, bool } from '@asof/core';
import { materialize, publishOnline, TableSourceConnector, verifyOnline } from '@asof/materializer';
import { LmdbOnlineStore, openOfflineStore } from '@asof/stores';
import { afterAll, describe, expect, it } from 'vitest';
import { latePayments, productMix, receivables, skuSpend } from './features.js';
import { generateTrs } from './generator.js';
import { stateAt } from './state-at.js';

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
