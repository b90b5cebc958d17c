/**
 * The TRS features computed directly with SQL in MariaDB, as an oracle for
 * what the offline store holds: the store's rows are looked up point in
 * time for a spine of (account, instant) and compared with the same
 * features computed from the source tables (30-day term, windows
 * `(t - w, t]`). Used by the e2e suites (the pipeline, the CLI).
 *
 * Line items are priced with the SKU versions the materializer can have
 * seen: call {@link createSkuVersionsSeen} after loading the database and
 * {@link recordSkuVersions} after every change to it that a run extracts.
 * As the TRS lookup declares (`beforeHistory: 'earliestKnown'`), a line
 * older than every seen version of its SKU takes the earliest one
 * ({@link PRICE_SQL}). Money compares exactly, as decimal text.
 */
import { formatMicros, int64, isDecimal, pointInTimeJoin, rowsToTable, tableToRows, timestamp, toEpochMicros, TOMBSTONE_COLUMN, type AnyFeatureView, type JsRow, type OfflineStore } from '@asof/core';
import { readView, type MySqlWritePool } from '@asof/materializer';
import { expect } from 'vitest';
import { latePayments, productMix, receivables } from '../../examples/trs/features.js';

/**
 * The unit price of line `li` (joined with its invoice `i`) among the SKU
 * versions seen: the one in force at issue, else (older than every seen
 * version) the earliest seen one.
 */
export const PRICE_SQL = `COALESCE(
  (SELECT v.retail_price FROM sku_versions_seen v WHERE v.sku_id = li.sku_id AND v.updated_at <= i.issued_at ORDER BY v.updated_at DESC LIMIT 1),
  (SELECT v.retail_price FROM sku_versions_seen v WHERE v.sku_id = li.sku_id ORDER BY v.updated_at LIMIT 1))`;

/** 1 when line `li` (of invoice `i`) is older than every seen version of its SKU, else 0. */
export const FIRST_KNOWN_SQL = `NOT EXISTS (SELECT 1 FROM sku_versions_seen v WHERE v.sku_id = li.sku_id AND v.updated_at <= i.issued_at)`;

/** Creates `sku_versions_seen` and records the SKU versions in the database now. */
export async function createSkuVersionsSeen(pool: MySqlWritePool): Promise<void> {
  await pool.query('CREATE TABLE sku_versions_seen (sku_id BIGINT, retail_price DECIMAL(12,2), updated_at DATETIME(6), PRIMARY KEY (sku_id, updated_at))');
  await recordSkuVersions(pool);
}

/** Adds the SKU versions in the database now to `sku_versions_seen` (after a change a run will extract). */
export async function recordSkuVersions(pool: MySqlWritePool): Promise<void> {
  await pool.query('INSERT IGNORE INTO sku_versions_seen SELECT sku_id, retail_price, updated_at FROM skus');
}

/** Looks the features up in the store (point in time, tombstones honoured) for a spine of accounts and instants. */
export async function storeValues(store: OfflineStore, view: AnyFeatureView, spine: readonly JsRow[]): Promise<JsRow[]> {
  const rows = await readView(store, view);
  const joined = pointInTimeJoin(rowsToTable([...spine], { account_id: int64(), t: timestamp() }), rows, {
    keys: ['account_id'],
    spineTime: 't',
    eventTime: 'event_ts',
    createdTime: 'created_ts',
    tombstone: TOMBSTONE_COLUMN,
    features: view.featureNames,
  });
  return tableToRows(joined);
}

/** Options of {@link expectFeaturesMatchSql}. */
export interface OracleOptions {
  /** How many accounts (the smallest ids that have invoices) to check; default 12. */
  readonly accounts?: number;
}

/**
 * Checks the late-payment and product-mix features in `store` against SQL
 * for a few accounts at instants before `knownAt` (the source state the
 * store was last materialized from).
 */
export async function expectFeaturesMatchSql(pool: MySqlWritePool, store: OfflineStore, knownAt: string, options: OracleOptions = {}): Promise<void> {
  const [accounts] = (await pool.query(`SELECT DISTINCT account_id FROM invoices ORDER BY account_id LIMIT ${Math.trunc(options.accounts ?? 12)}`)) as unknown as [
    { account_id: string }[],
  ];
  const horizon = toEpochMicros(knownAt);
  const instants = ['2023-02-01T00:00:00Z', '2023-09-15T06:30:00Z', '2024-03-01T00:00:00Z', '2024-06-29T12:00:00Z', formatMicros(horizon - 1n)]
    .map(toEpochMicros)
    .filter((t) => t < horizon);
  const spine = accounts.flatMap((a) => instants.map((t) => ({ account_id: BigInt(a.account_id), t })));
  const late = await storeValues(store, latePayments, spine);
  const mix = await storeValues(store, productMix, spine);
  const owed = await storeValues(store, receivables, spine);
  let money = 0;
  for (const [i, point] of spine.entries()) {
    const sql = await sqlFeatures(pool, point.account_id, point.t);
    const where = `account ${point.account_id} at ${formatMicros(point.t)}`;
    const got = {
      overdue_invoices: late[i]!.overdue_invoices,
      invoices_90d: late[i]!.invoices_90d,
      late_paid_90d: late[i]!.late_paid_90d,
      max_days_late_365d: late[i]!.max_days_late_365d,
      distinct_skus_90d: mix[i]!.distinct_skus_90d,
      lines_first_known_365d: mix[i]!.lines_first_known_365d,
      // Money: exact Decimals (decimal(38, 2)), compared as their text with MariaDB's DECIMAL sums.
      spend_90d: decimalText(mix[i]!.spend_90d),
      spend_365d: decimalText(mix[i]!.spend_365d),
      overdue_amount: decimalText(owed[i]!.overdue_amount),
    };
    expect({ where, ...got }).toEqual({ where, ...sql.exact });
    expect({ where, avg: late[i]!.avg_days_to_pay_365d as number | null }).toEqual({ where, avg: sql.avgDaysToPay === null ? null : expect.closeTo(sql.avgDaysToPay, 6) });
    money += [got.spend_90d, got.spend_365d, got.overdue_amount].filter((v) => v !== null).length;
  }
  expect(money, 'some money features to compare').toBeGreaterThan(spine.length);
}

/** A money feature as exact text; anything but a Decimal (a float, a string) fails the comparison visibly. */
function decimalText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return isDecimal(value) ? `decimal ${value.toString()}` : `not a Decimal: ${typeof value} ${String(value)}`;
}

/** The features of one account at one instant, computed directly from the source tables with SQL. */
export async function sqlFeatures(pool: MySqlWritePool, account: bigint, t: bigint) {
  const at = formatMicros(t).replace('T', ' ').replace('Z', '');
  const [[row]] = (await pool.query(
    `SELECT
       (SELECT COUNT(*) FROM invoices WHERE account_id = p.a AND status <> 'void' AND issued_at <= p.t) AS seen,
       (SELECT COUNT(*) FROM invoices WHERE account_id = p.a AND status <> 'void' AND issued_at + INTERVAL 30 DAY <= p.t AND (paid_at IS NULL OR paid_at > p.t)) AS overdue,
       (SELECT COUNT(*) FROM invoices WHERE account_id = p.a AND status <> 'void' AND issued_at > p.t - INTERVAL 90 DAY AND issued_at <= p.t) AS issued90,
       (SELECT COUNT(*) FROM invoices WHERE account_id = p.a AND status <> 'void' AND paid_at > issued_at + INTERVAL 30 DAY AND paid_at > p.t - INTERVAL 90 DAY AND paid_at <= p.t) AS late90,
       (SELECT AVG(CAST(FLOOR(TIMESTAMPDIFF(MICROSECOND, issued_at, paid_at) / 86400000000) AS DOUBLE)) FROM invoices
          WHERE account_id = p.a AND status <> 'void' AND paid_at > p.t - INTERVAL 365 DAY AND paid_at <= p.t) AS avg_days,
       (SELECT MAX(GREATEST(0, FLOOR(TIMESTAMPDIFF(MICROSECOND, issued_at + INTERVAL 30 DAY, paid_at) / 86400000000))) FROM invoices
          WHERE account_id = p.a AND status <> 'void' AND paid_at > p.t - INTERVAL 365 DAY AND paid_at <= p.t) AS max_late,
       (SELECT COUNT(DISTINCT li.sku_id) FROM invoice_line_items li JOIN invoices i USING (invoice_id)
          WHERE i.account_id = p.a AND i.status <> 'void' AND i.issued_at > p.t - INTERVAL 90 DAY AND i.issued_at <= p.t) AS skus90,
       (SELECT SUM(li.quantity * ${PRICE_SQL})
          FROM invoice_line_items li JOIN invoices i USING (invoice_id)
          WHERE i.account_id = p.a AND i.status <> 'void' AND i.issued_at > p.t - INTERVAL 90 DAY AND i.issued_at <= p.t) AS spend90,
       (SELECT SUM(li.quantity * ${PRICE_SQL})
          FROM invoice_line_items li JOIN invoices i USING (invoice_id)
          WHERE i.account_id = p.a AND i.status <> 'void' AND i.issued_at > p.t - INTERVAL 365 DAY AND i.issued_at <= p.t) AS spend365,
       (SELECT SUM(${FIRST_KNOWN_SQL})
          FROM invoice_line_items li JOIN invoices i USING (invoice_id)
          WHERE i.account_id = p.a AND i.status <> 'void' AND i.issued_at > p.t - INTERVAL 365 DAY AND i.issued_at <= p.t) AS first_known365,
       -- Receivables: each line of an invoice unpaid at its due instant adds its amount then, and removes it when paid;
       -- null before the account's first such event, 0.00 once everything owed was paid.
       (SELECT CASE WHEN COUNT(*) > 0 THEN SUM(CASE WHEN i.paid_at IS NULL OR i.paid_at > p.t THEN li.quantity * ${PRICE_SQL} ELSE 0.00 END) END
          FROM invoice_line_items li JOIN invoices i USING (invoice_id)
          WHERE i.account_id = p.a AND i.status <> 'void' AND i.issued_at + INTERVAL 30 DAY <= p.t
            AND (i.paid_at IS NULL OR i.paid_at > i.issued_at + INTERVAL 30 DAY)) AS overdue_amount
     FROM (SELECT CAST(? AS SIGNED) AS a, CAST(? AS DATETIME(6)) AS t) p`,
    [String(account), at],
  )) as unknown as [[Record<string, string | number | null>]];
  const seen = Number(row!.seen) > 0;
  const big = (v: unknown) => (seen ? BigInt(Number(v ?? 0)) : null);
  // mysql2 gives DECIMAL as exact text.
  const money = (v: unknown) => (seen && v !== null && v !== undefined ? `decimal ${String(v)}` : null);
  return {
    exact: {
      overdue_invoices: big(row!.overdue),
      invoices_90d: big(row!.issued90),
      late_paid_90d: big(row!.late90),
      max_days_late_365d: seen && row!.max_late !== null ? BigInt(Number(row!.max_late)) : null,
      distinct_skus_90d: big(row!.skus90),
      lines_first_known_365d: big(row!.first_known365),
      spend_90d: money(row!.spend90),
      spend_365d: money(row!.spend365),
      overdue_amount: money(row!.overdue_amount),
    },
    avgDaysToPay: seen && row!.avg_days !== null ? Number(row!.avg_days) : null,
  };
}
