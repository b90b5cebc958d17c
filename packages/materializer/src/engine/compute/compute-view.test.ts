import {
  count,
  decimal,
  defineEntity,
  defineFeatureView,
  Decimal,
  DefinitionError,
  int64,
  isDecimal,
  last,
  max,
  mysqlTable,
  rowsToTable,
  string,
  sum,
  tableToRows,
  timestamp,
  toEpochMicros,
  where,
  type JsRow,
} from '@asof/core';
import { describe, expect, it } from 'vitest';
import { computeViewRows } from './compute-view.js';

const us = (iso: string) => toEpochMicros(iso);
const payments = mysqlTable({
  name: 'payments',
  table: 'payments',
  primaryKey: ['payment_id'],
  timestampField: 'paid_at',
  updatedAtField: 'updated_at',
  columns: { payment_id: int64(), account_id: int64(), amount: decimal(12, 2), kind: string(), paid_at: timestamp(), updated_at: timestamp() },
});
const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
const rows: JsRow[] = [
  { payment_id: 1n, account_id: 1n, amount: '999.99', kind: 'card', paid_at: us('2024-01-01T00:00:00Z') },
  { payment_id: 2n, account_id: 1n, amount: '1000.00', kind: 'card', paid_at: us('2024-01-02T00:00:00Z') },
  { payment_id: 3n, account_id: 1n, amount: '0.10', kind: 'wire', paid_at: us('2024-01-03T00:00:00Z') },
  { payment_id: 4n, account_id: 1n, amount: '0.20', kind: 'wire', paid_at: us('2024-01-04T00:00:00Z') },
].map((r) => ({ ...r, updated_at: r.paid_at }));
// The mirror as the materializer keeps it: the source's columns plus event_ts = created_ts = the version time.
const mirror = rowsToTable(
  rows.map((r) => ({ ...r, event_ts: r.updated_at, created_ts: r.updated_at })),
  { ...payments.columns!, event_ts: timestamp(), created_ts: timestamp() },
);
const read = async () => mirror;
const KNOWN = us('2024-02-01T00:00:00Z');

/** Each feature's value at the last change point, exactly as the rows hold it. */
async function lastRow(view: Parameters<typeof computeViewRows>[0]): Promise<JsRow> {
  return tableToRows(await computeViewRows(view, read, KNOWN)).at(-1)!;
}

describe('decimals through a row transform', () => {
  it('reach the transform as exact Decimals, pass through as a decimal column, and filter exactly against number, bigint and 0.1-style literals', async () => {
    const seen: unknown[] = [];
    const view = defineFeatureView({
      name: 'large_payments',
      entities: [account],
      source: payments,
      transform: (row) => {
        seen.push(row.amount);
        // Passed through untouched, plus exact arithmetic: a 2% fee.
        return { ...row, fee: (row.amount as Decimal).times('0.02') };
      },
      features: {
        large: count({ window: 'lifetime', where: where('amount', '>=', 1000) }),
        large_bigint: count({ window: 'lifetime', where: where('amount', '>=', 1000n) }),
        over_tenth: count({ window: 'lifetime', where: where('amount', '>', 0.1) }),
        at_tenth: count({ window: 'lifetime', where: where('amount', '=', 0.1) }),
        total: sum('amount', { window: 'lifetime', type: decimal(38, 2) }),
        fees: sum('fee', { window: 'lifetime', type: decimal(38, 4) }),
        biggest: max('amount', { window: 'lifetime', type: decimal(12, 2) }),
        latest: last('amount', { window: 'lifetime', type: decimal(12, 2) }),
      },
    });
    const out = await lastRow(view);
    expect(seen.every(isDecimal)).toBe(true);
    expect(seen.map(String)).toEqual(['999.99', '1000.00', '0.10', '0.20']);
    expect({ large: out.large, large_bigint: out.large_bigint, over_tenth: out.over_tenth, at_tenth: out.at_tenth }).toEqual({ large: 1n, large_bigint: 1n, over_tenth: 3n, at_tenth: 1n });
    // 0.10 + 0.20 is 0.30 here, not 0.30000000000000004; a 2% fee of 999.99 is 19.9998.
    expect([out.total, out.fees, out.biggest, out.latest].map(String)).toEqual(['2000.29', '40.0058', '1000.00', '0.20']);
    expect([out.total, out.fees].every(isDecimal)).toBe(true);
  });

  it('refuses a sum of the Decimals as float64 (no type declared), saying which decimal type to declare', async () => {
    const view = defineFeatureView({
      name: 'spend',
      entities: [account],
      source: payments,
      transform: (row) => ({ ...row, amt: row.amount }),
      features: { total: sum('amt', { window: 'lifetime' }) },
    });
    const error = await computeViewRows(view, read, KNOWN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as Error).message).toMatch(/aggregation 'total' \(sum of 'amt'\): 'amt' is decimal\(38, 2\), and a sum of decimals as float64 would not be exact; declare type: decimal\(38, 2\)/);
  });
});
