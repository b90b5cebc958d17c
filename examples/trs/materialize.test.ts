import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pointInTimeJoin, rowsToTable, tableToRows, TOMBSTONE_COLUMN, int64, timestamp, Instant, type JsRow, toEpochMicros } from '@asof/core';
import { materialize, readView, TableSourceConnector } from '@asof/materializer';
import { openOfflineStore } from '@asof/stores';
import type { Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latePayments, productMix, receivables, skuSpend } from './features.js';
import { generateTrs } from './generator.js';
import { stateAt, type TrsState } from './state-at.js';

const DAY = 86_400_000_000n;
const TERM = 30n * DAY;
const views = [latePayments, receivables, productMix, skuSpend];

/** The feature a lookup returns for (account, t), from the stored rows, optionally as known at k. */
function lookupAll(rows: Table, spine: { account_id: bigint; t: Instant }[], knownAt?: bigint): JsRow[] {
  const spineTable = rowsToTable(spine, { account_id: int64(), t: timestamp() });
  return tableToRows(
    pointInTimeJoin(spineTable, rows, {
      keys: ['account_id'],
      spineTime: 't',
      eventTime: 'event_ts',
      createdTime: 'created_ts',
      tombstone: TOMBSTONE_COLUMN,
      features: ['overdue_invoices', 'invoices_90d', 'late_paid_90d'],
      ...(knownAt === undefined ? {} : { asKnownAt: knownAt }),
    }),
  );
}

/** Brute force from the source rows, written from the definitions in words, not from the implementation. */
function oracle(state: TrsState, account: bigint, t: bigint) {
  let overdue = 0n;
  let issued90 = 0n;
  let late90 = 0n;
  let any = false;
  for (const inv of tableToRows(state.tables.invoices)) {
    if (inv.account_id !== account || inv.status === 'void') continue;
    const issued = (inv.issued_at as Instant).micros;
    const paid = inv.paid_at === null ? null : (inv.paid_at as Instant).micros;
    const due = issued + TERM;
    if (issued <= t) any = true;
    if (issued > t - 90n * DAY && issued <= t) issued90++;
    if (due <= t && (paid === null || paid > t)) overdue++;
    if (paid !== null && paid > due && paid > t - 90n * DAY && paid <= t) late90++;
  }
  return any ? { overdue_invoices: overdue, invoices_90d: issued90, late_paid_90d: late90 } : null;
}

describe('TRS materialization (in-memory source, local offline store)', () => {
  const root = mkdtempSync(join(tmpdir(), 'asof-trs-'));
  const timeline = generateTrs({ seed: 7, scale: 0.001 });
  const first = stateAt(timeline, '2024-06-30T00:00:00Z');
  const second = stateAt(timeline, '2024-09-30T00:00:00Z');
  let store: Awaited<ReturnType<typeof openOfflineStore>>;

  beforeAll(async () => {
    store = await openOfflineStore({ root });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const run = (state: TrsState, mode: 'full' | 'incremental') =>
    materialize({ store, connector: new TableSourceConnector(state.tables), views, mode });

  it('materializes every view, then a second identical run changes nothing', async () => {
    const result = await run(first, 'full');
    expect(result.views.map((v) => [v.view, v.status])).toEqual(views.map((v) => [v.name, 'committed']));
    const again = await run(first, 'full');
    expect(again.views.map((v) => v.status)).toEqual(views.map(() => 'unchanged'));
    expect(again.sources.every((s) => s.versionsAdded === 0)).toBe(true);
  });

  it('an incremental run picks up exactly the changes, and the features equal a brute-force computation', async () => {
    const before = (await readView(store, latePayments)).numRows;
    const result = await run(second, 'incremental');
    expect(result.views.find((v) => v.view === 'late_payments')!.status).toBe('committed');
    const rows = await readView(store, latePayments);
    expect(rows.numRows).toBeGreaterThan(before);

    const accounts = [...new Set(tableToRows(second.tables.invoices).map((r) => r.account_id as bigint))].slice(0, 8);
    const times = ['2023-03-01T00:00:00Z', '2024-01-15T12:00:00Z', '2024-06-29T23:59:59Z', '2024-08-01T00:00:00Z', '2024-09-29T00:00:00Z'].map(toEpochMicros);
    const spine = accounts.flatMap((account_id) => times.map((t) => ({ account_id, t: new Instant(t) })));
    const now = lookupAll(rows, spine);
    spine.forEach((s, i) => expect([s.account_id, s.t.toISOString(), now[i]]).toEqual([s.account_id, s.t.toISOString(), { account_id: s.account_id, t: s.t, ...(oracle(second, s.account_id, s.t.micros) ?? { overdue_invoices: null, invoices_90d: null, late_paid_90d: null }) }]));

    // As known after the first run, the store still says what the first state said.
    const firstKnownAt = result.sources.length > 0 ? toEpochMicros('2024-06-30T00:00:00Z') : 0n;
    const then = lookupAll(rows, spine, firstKnownAt);
    spine.forEach((s, i) => {
      const want = oracle(first, s.account_id, s.t.micros) ?? { overdue_invoices: null, invoices_90d: null, late_paid_90d: null };
      expect([s.account_id, s.t.toISOString(), then[i]]).toEqual([s.account_id, s.t.toISOString(), { account_id: s.account_id, t: s.t, ...want }]);
    });
  });

  it('computes the same rows when the work is split into many entity buckets (bounded memory)', async () => {
    const small = await openOfflineStore({ root: mkdtempSync(join(tmpdir(), 'asof-trs-buckets-')) });
    for (const [state, mode] of [[first, 'full'], [second, 'incremental']] as const) {
      const result = await materialize({ store: small, connector: new TableSourceConnector(state.tables), views, mode, memoryBudgetRows: 300 });
      expect(result.views.every((v) => v.status === 'committed')).toBe(true);
    }
    for (const view of views) {
      const canonical = async (s: typeof store) => tableToRows(await readView(s, view)).map((r) => JSON.stringify(r, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).sort();
      expect(await canonical(small)).toEqual(await canonical(store));
    }
  });

  it('after retention coarsens old history, later runs never rewrite it', async () => {
    const fullFrom = toEpochMicros('2024-04-01T00:00:00Z');
    const retained = await store.applyRetention('late_payments', { keys: ['account_id'], fullMs: 183 * 86_400_000, now: '2024-10-01T00:00:00Z' });
    expect(retained).not.toBeNull();
    const versionBefore = (await store.snapshot('late_payments')).version;
    const third = stateAt(timeline, '2024-12-31T00:00:00Z');
    await materialize({ store, connector: new TableSourceConnector(third.tables), views: [latePayments], mode: 'incremental' });
    const snapshot = await store.snapshot('late_payments');
    const added = snapshot.commits.filter((c) => c.version > versionBefore).flatMap((c) => c.added);
    expect(added.length).toBeGreaterThan(0);
    for (const file of added) expect(BigInt(file.minEventTs) >= BigInt(snapshot.retention!.fullFrom)).toBe(true);
    expect(BigInt(snapshot.retention!.fullFrom)).toBeLessThanOrEqual(fullFrom + 86_400_000_000n);
  });
});
