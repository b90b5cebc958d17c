/**
 * Deletes flow through, per view kind, with small hand-made views over the
 * in-memory source (its `asOf` is the instant its full extracts vouch
 * for): a full extract that no longer shows a row appends a delete to the
 * mirror, and the views retract what the row contributed: a plain view's
 * row disappears, an aggregation loses the event, an entity left with
 * nothing gets tombstones, and a lookup finds no version of a deleted
 * dimension row from the delete on. Each is checked against a brute-force
 * oracle over the remaining rows (written from the definitions' words),
 * and the payments views also against a root that never saw the deleted
 * rows; `asKnownAt` before the deleting run still answers as before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  count,
  Decimal,
  decimal,
  defineEntity,
  defineFeatureView,
  int32,
  int64,
  isDecimal,
  mysqlTable,
  pointInTimeJoin,
  rowsToTable,
  sum,
  tableToRows,
  timestamp,
  TOMBSTONE_COLUMN,
  where,
  type AnyFeatureView,
  type JsRow,
  type OfflineStore,
} from '@asof/core';
import { openOfflineStore } from '@asof/stores';
import type { Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { TableSourceConnector } from '../adapters/memory/table-connector.js';
import { materialize, readView } from './materialize.js';

const DAY = 86_400_000_000n;
/** 2024-01-01T00:00:00Z in µs. */
const T0 = 1_704_067_200_000_000n;
const day = (n: number) => T0 + BigInt(n) * DAY;

const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
const paymentColumns = { payment_id: int64(), account_id: int64(), amount: decimal(12, 2), paid_at: timestamp(), updated_at: timestamp() };
const payments = mysqlTable({ name: 'payments', table: 'payments', primaryKey: ['payment_id'], timestampField: 'paid_at', updatedAtField: 'updated_at', columns: paymentColumns });
const skuColumns = { sku_id: int64(), price: decimal(12, 2), updated_at: timestamp() };
const skus = mysqlTable({ name: 'skus', table: 'skus', primaryKey: ['sku_id'], timestampField: 'updated_at', updatedAtField: 'updated_at', columns: skuColumns });
const lineColumns = { line_id: int64(), account_id: int64(), sku_id: int64(), quantity: int32(), sold_at: timestamp(), updated_at: timestamp() };
const lines = mysqlTable({ name: 'lines', table: 'lines', primaryKey: ['line_id'], timestampField: 'sold_at', updatedAtField: 'updated_at', columns: lineColumns });

/** A plain view: each payment is a feature row at its `paid_at`. */
const lastPayment = defineFeatureView({ name: 'last_payment', entities: [account], source: payments, features: { amount: decimal(12, 2) } });
/** An aggregation view. */
const paymentStats = defineFeatureView({
  name: 'payment_stats',
  entities: [account],
  source: payments,
  features: { payments: count({ window: 'lifetime' }), paid_30d: sum('amount', { window: '30d', type: decimal(38, 2) }) },
});
/** A view whose lookup dimension (the SKU, as of the sale) can be deleted. */
const lineSpend = defineFeatureView({
  name: 'line_spend',
  entities: [account],
  source: lines,
  lookups: [{ source: skus, on: { sku_id: 'sku_id' }, at: 'sold_at', columns: { price: 'price' }, basisColumn: 'price_basis' }],
  transform: (row) => ({ ...row, amount: row.price === null ? null : (row.price as Decimal).times(row.quantity as number) }),
  features: { spend: sum('amount', { window: 'lifetime', type: decimal(38, 2) }), unpriced: count({ window: 'lifetime', where: where('price_basis', '=', 'no_version') }) },
});
const views: AnyFeatureView[] = [lastPayment, paymentStats, lineSpend];

const allPayments: JsRow[] = [
  { payment_id: 1n, account_id: 1n, amount: '10.00', paid_at: day(1) },
  { payment_id: 2n, account_id: 1n, amount: '20.00', paid_at: day(5) },
  { payment_id: 3n, account_id: 1n, amount: '5.00', paid_at: day(10) },
  { payment_id: 4n, account_id: 2n, amount: '7.00', paid_at: day(3) },
  { payment_id: 5n, account_id: 3n, amount: '1.00', paid_at: day(2) },
].map((r) => ({ ...r, updated_at: r.paid_at }));
const allSkus: JsRow[] = [
  { sku_id: 1n, price: '2.00', updated_at: day(0) },
  { sku_id: 2n, price: '4.00', updated_at: day(0) },
];
const allLines: JsRow[] = [
  { line_id: 1n, account_id: 1n, sku_id: 1n, quantity: 1, sold_at: day(2), updated_at: day(2) },
  { line_id: 2n, account_id: 1n, sku_id: 2n, quantity: 2, sold_at: day(4), updated_at: day(4) },
  // Sold (scheduled) after the SKU will be deleted: no version of it is in force then.
  { line_id: 3n, account_id: 2n, sku_id: 2n, quantity: 1, sold_at: day(40), updated_at: day(4) },
  { line_id: 4n, account_id: 2n, sku_id: 1n, quantity: 5, sold_at: day(3), updated_at: day(3) },
];
/** Deleted from the source between the runs: a payment of account 1, account 3's only payment, line 1, SKU 2. */
const gone = { payments: [2n, 5n], lines: [1n], skus: [2n] };
const FIRST_AS_OF = day(20);
const DELETED_AT = day(30);

function tables(state: 'before' | 'after'): Record<string, Table> {
  const keep = (rows: JsRow[], key: string, ids: bigint[]) => (state === 'before' ? rows : rows.filter((r) => !ids.includes(r[key] as bigint)));
  return {
    payments: rowsToTable(keep(allPayments, 'payment_id', gone.payments), paymentColumns, Object.keys(paymentColumns)),
    skus: rowsToTable(keep(allSkus, 'sku_id', gone.skus), skuColumns, Object.keys(skuColumns)),
    lines: rowsToTable(keep(allLines, 'line_id', gone.lines), lineColumns, Object.keys(lineColumns)),
  };
}

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
function freshStore(): OfflineStore {
  const root = mkdtempSync(join(tmpdir(), 'asof-deletes-'));
  roots.push(root);
  return openOfflineStore({ root });
}
const run = (store: OfflineStore, state: 'before' | 'after', mode: 'full' | 'incremental', asOf: bigint) =>
  materialize({ store, connector: new TableSourceConnector(tables(state), { name: 'shop', asOf }), views, mode });

/** What the store answers for (account, t), point in time, tombstones honoured; money as text. */
async function answers(store: OfflineStore, view: AnyFeatureView, spine: readonly { account_id: bigint; t: bigint }[], asKnownAt?: bigint): Promise<JsRow[]> {
  const rows = await readView(store, view);
  const joined = pointInTimeJoin(rowsToTable([...spine], { account_id: int64(), t: timestamp() }), rows, {
    keys: ['account_id'],
    spineTime: 't',
    eventTime: 'event_ts',
    createdTime: 'created_ts',
    tombstone: TOMBSTONE_COLUMN,
    features: view.featureNames,
    ...(asKnownAt === undefined ? {} : { asKnownAt }),
  });
  return tableToRows(joined).map((r) => Object.fromEntries(view.featureNames.map((f) => [f, isDecimal(r[f]) ? String(r[f]) : r[f]])));
}

// The oracle, from the definitions in words, over the rows a state holds.
const cents = (text: unknown) => BigInt(String(text).replace('.', ''));
const money = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;

function oracle(view: AnyFeatureView, state: 'before' | 'after', accountId: bigint, t: bigint): JsRow {
  const has = (ids: bigint[], id: unknown) => state === 'after' && ids.includes(id as bigint);
  if (view === lineSpend) {
    // The SKU price in force at the sale: its version with the greatest time <= sold_at, none from its delete on.
    const priceAt = (sku: unknown, at: bigint): bigint | null => {
      if (has(gone.skus, sku) && at >= DELETED_AT) return null;
      const version = allSkus.filter((s) => s.sku_id === sku && (s.updated_at as bigint) <= at).at(-1);
      return version ? cents(version.price) : null;
    };
    const mine = allLines.filter((l) => l.account_id === accountId && !has(gone.lines, l.line_id) && (l.sold_at as bigint) <= t);
    if (mine.length === 0) return { spend: null, unpriced: null };
    const priced = mine.map((l) => priceAt(l.sku_id, l.sold_at as bigint)).map((p, i) => (p === null ? null : p * BigInt(mine[i]!.quantity as number)));
    const known = priced.filter((p): p is bigint => p !== null);
    return { spend: known.length ? money(known.reduce((a, b) => a + b, 0n)) : null, unpriced: BigInt(priced.length - known.length) };
  }
  const mine = allPayments.filter((p) => p.account_id === accountId && !has(gone.payments, p.payment_id) && (p.paid_at as bigint) <= t);
  if (view === lastPayment) return { amount: mine.length ? String(mine.reduce((a, b) => ((b.paid_at as bigint) >= (a.paid_at as bigint) ? b : a)).amount) : null };
  if (mine.length === 0) return { payments: null, paid_30d: null };
  const window = mine.filter((p) => (p.paid_at as bigint) > t - 30n * DAY);
  return { payments: BigInt(mine.length), paid_30d: window.length ? money(window.reduce((a, p) => a + cents(p.amount), 0n)) : null };
}

const spine = [1n, 2n, 3n].flatMap((account_id) => [...Array.from({ length: 46 }, (_, d) => day(d)), DELETED_AT - 1n, day(40) - 1n].map((t) => ({ account_id, t })));

describe('deletes flow through the views (in-memory source)', () => {
  const store = freshStore();

  it('a first full run mirrors every row and no delete; the features are those of every row', async () => {
    const first = await run(store, 'before', 'full', FIRST_AS_OF);
    expect(first.sources.map((s) => [s.source, s.deletesAdded])).toEqual([['payments', 0], ['lines', 0], ['skus', 0]]);
    for (const view of views) expect(await answers(store, view, spine), view.name).toEqual(spine.map((p) => oracle(view, 'before', p.account_id, p.t)));
  });

  it('an incremental run cannot see deletes: it adds none and changes nothing', async () => {
    const before = await Promise.all(views.map((v) => answers(store, v, spine)));
    const incremental = await run(store, 'after', 'incremental', DELETED_AT);
    expect(incremental.sources.every((s) => s.deletesAdded === 0 && s.versionsAdded === 0)).toBe(true);
    expect(await Promise.all(views.map((v) => answers(store, v, spine)))).toEqual(before);
  });

  it('a full run appends a delete for each row gone, dated at the source snapshot, and every view kind retracts what they contributed', async () => {
    const second = await run(store, 'after', 'full', DELETED_AT);
    expect(Object.fromEntries(second.sources.map((s) => [s.source, [s.versionsAdded, s.deletesAdded]]))).toEqual({ payments: [0, 2], lines: [0, 1], skus: [0, 1] });
    expect(second.views.map((v) => [v.view, v.status, v.knownAt])).toEqual(views.map((v) => [v.name, 'committed', DELETED_AT]));
    for (const view of views) {
      const text = (row: JsRow) => JSON.stringify(row, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
      const changed = spine.filter((p) => text(oracle(view, 'after', p.account_id, p.t)) !== text(oracle(view, 'before', p.account_id, p.t)));
      expect(changed.length, `instants where the deletes change ${view.name}`).toBeGreaterThan(5);
      expect(await answers(store, view, spine), view.name).toEqual(spine.map((p) => oracle(view, 'after', p.account_id, p.t)));
    }
    // The lookup counted the line sold after its SKU's delete as finding no version.
    expect(second.views.find((v) => v.view === 'line_spend')!.lookups[0]).toMatchObject({ matched: 2, noVersion: 1 });
  });

  it('an entity left without rows gets tombstones: account 3 answers null at every instant', async () => {
    const rows = tableToRows(await readView(store, paymentStats)).filter((r) => r.account_id === 3n);
    expect(rows.some((r) => r[TOMBSTONE_COLUMN] === true)).toBe(true);
    const three = spine.filter((p) => p.account_id === 3n);
    expect(await answers(store, paymentStats, three)).toEqual(three.map(() => ({ payments: null, paid_30d: null })));
    expect(await answers(store, lastPayment, three)).toEqual(three.map(() => ({ amount: null })));
  });

  it('the payments views equal those of a root that never saw the deleted rows, at every instant', async () => {
    const clean = freshStore();
    await run(clean, 'after', 'full', DELETED_AT);
    for (const view of [lastPayment, paymentStats]) expect(await answers(store, view, spine), view.name).toEqual(await answers(clean, view, spine));
  });

  it('asKnownAt before the deleting run answers as the store did then (bi-temporal), and a re-run of the same data adds nothing', async () => {
    for (const view of views) expect(await answers(store, view, spine, FIRST_AS_OF), view.name).toEqual(spine.map((p) => oracle(view, 'before', p.account_id, p.t)));
    const again = await run(store, 'after', 'full', day(35));
    expect(again.sources.every((s) => s.versionsAdded + s.deletesAdded === 0)).toBe(true);
    expect(again.views.map((v) => v.status)).toEqual(views.map(() => 'unchanged'));
  });
});
