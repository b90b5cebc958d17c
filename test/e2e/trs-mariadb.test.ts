/**
 * Issue 3's end-to-end proof: the TRS example is materialized from a real
 * MariaDB into both offline stores (a local folder, and S3 committing
 * through DynamoDB Local), and the committed features are checked against
 * the same values computed directly with SQL in MariaDB. A second run of the
 * same data changes nothing; after source updates an incremental run picks
 * up exactly the changes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatMicros, int64, pointInTimeJoin, rowsToTable, tableToRows, timestamp, toEpochMicros, TOMBSTONE_COLUMN, type AnyFeatureView, type JsRow, type OfflineStore } from '@asof/core';
import { createMySqlWritePool, materialize, MySqlConnector, readView, type MySqlWritePool } from '@asof/materializer';
import { openOfflineStore } from '@asof/stores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latePayments, productMix, receivables, skuSpend } from '../../examples/trs/features.js';
import { generateTrs } from '../../examples/trs/generator.js';
import { applyTrsChanges, loadTrsIntoMySql } from '../../examples/trs/load-mysql.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { freshS3Store, s3Connection, testCoordinator } from '../../packages/stores/src/testing/services.js';
import { ensureServices } from '../helpers/services.js';

const views = [latePayments, receivables, productMix, skuSpend];
const timeline = generateTrs({ seed: 11, scale: 0.001 });
const first = stateAt(timeline, '2024-06-30T00:00:00Z');
const second = stateAt(timeline, '2024-10-31T00:00:00Z');
const database = `asof_e2e_${process.pid}_${randomBytes(3).toString('hex')}`;
const roots: string[] = [];
let admin: MySqlWritePool;
let pool: MySqlWritePool;
let connector: MySqlConnector;
let stores: { name: string; store: OfflineStore }[];

beforeAll(async () => {
  const env = ensureServices('mariadb', 's3', 'dynamodb-local');
  admin = createMySqlWritePool({ url: env.ASOF_MYSQL_URL! });
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  pool = createMySqlWritePool({ url: env.ASOF_MYSQL_URL!, database });
  await loadTrsIntoMySql(pool, first);
  // The SKU versions the materializer can have seen: the oracle prices line items with these, as the store must.
  await pool.query('CREATE TABLE sku_versions_seen (sku_id BIGINT, retail_price DECIMAL(12,2), updated_at DATETIME(6), PRIMARY KEY (sku_id, updated_at))');
  await recordSkuVersions();
  connector = new MySqlConnector({ url: env.ASOF_MYSQL_URL!, database });
  const local = mkdtempSync(join(tmpdir(), 'asof-e2e-'));
  roots.push(local);
  await freshS3Store('e2e'); // creates the test bucket
  stores = [
    { name: 'local', store: await openOfflineStore({ root: local }) },
    {
      name: 's3',
      store: await openOfflineStore({ root: `s3://asof-test/e2e-${randomBytes(6).toString('hex')}`, s3: s3Connection(), coordinator: testCoordinator() }),
    },
  ];
}, 300_000);

afterAll(async () => {
  await connector?.close();
  await pool?.end();
  await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin?.end();
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
});

async function recordSkuVersions(): Promise<void> {
  await pool.query('INSERT IGNORE INTO sku_versions_seen SELECT sku_id, retail_price, updated_at FROM skus');
}

const run = (store: OfflineStore, mode: 'full' | 'incremental') => materialize({ store, connector, views, mode });

describe.each(['local', 's3'])('TRS from MariaDB into the %s offline store', (name) => {
  const storeOf = () => stores.find((s) => s.name === name)!.store;

  it('materializes, and a second run of the same data commits nothing', async () => {
    const result = await run(storeOf(), 'full');
    expect(result.views.map((v) => [v.view, v.status, v.error?.message])).toEqual(views.map((v) => [v.name, 'committed', undefined]));
    const again = await run(storeOf(), 'full');
    expect(again.views.map((v) => v.status)).toEqual(views.map(() => 'unchanged'));
    expect(again.sources.map((s) => s.versionsAdded)).toEqual(again.sources.map(() => 0));
    await expectFeaturesMatchSql(storeOf(), '2024-06-30T00:00:00Z');
  });
});

describe('after source updates', () => {
  it('an incremental run adds exactly the changed row versions, and the features match SQL again (both stores)', async () => {
    await applyTrsChanges(pool, first, second);
    await recordSkuVersions();
    const [[changed]] = (await pool.query(
      `SELECT (SELECT COUNT(*) FROM invoices WHERE updated_at > ?) AS invoices, (SELECT COUNT(*) FROM skus WHERE updated_at > ?) AS skus,
              (SELECT COUNT(*) FROM invoice_line_items WHERE updated_at > ?) AS line_items`,
      Array(3).fill('2024-06-30 00:00:00.000000'),
    )) as unknown as [[Record<string, number>]];
    for (const { store } of stores) {
      const result = await run(store, 'incremental');
      const added = Object.fromEntries(result.sources.map((s) => [s.source, s.versionsAdded]));
      expect(added).toEqual({ invoices: Number(changed!.invoices), skus: Number(changed!.skus), invoice_line_items: Number(changed!.line_items) });
      expect(result.views.every((v) => v.status === 'committed')).toBe(true);
      await expectFeaturesMatchSql(store, '2024-10-31T00:00:00Z');
    }
  });
});

/** Looks the features up in the store (point in time, tombstones honoured) for a spine of accounts and instants. */
async function storeValues(store: OfflineStore, view: AnyFeatureView, spine: JsRow[]): Promise<JsRow[]> {
  const rows = await readView(store, view);
  const joined = pointInTimeJoin(rowsToTable(spine, { account_id: int64(), t: timestamp() }), rows, {
    keys: ['account_id'],
    spineTime: 't',
    eventTime: 'event_ts',
    createdTime: 'created_ts',
    tombstone: TOMBSTONE_COLUMN,
    features: view.featureNames,
  });
  return tableToRows(joined);
}

async function expectFeaturesMatchSql(store: OfflineStore, knownAt: string): Promise<void> {
  const [accounts] = (await pool.query('SELECT DISTINCT account_id FROM invoices ORDER BY account_id LIMIT 12')) as unknown as [{ account_id: string }[]];
  const horizon = toEpochMicros(knownAt);
  const instants = ['2023-02-01T00:00:00Z', '2023-09-15T06:30:00Z', '2024-03-01T00:00:00Z', '2024-06-29T12:00:00Z', formatMicros(horizon - 1n)]
    .map(toEpochMicros)
    .filter((t) => t < horizon);
  const spine = accounts.flatMap((a) => instants.map((t) => ({ account_id: BigInt(a.account_id), t })));
  const late = await storeValues(store, latePayments, spine);
  const mix = await storeValues(store, productMix, spine);
  for (const [i, point] of spine.entries()) {
    const sql = await sqlFeatures(point.account_id, point.t);
    const where = `account ${point.account_id} at ${formatMicros(point.t)}`;
    const got = {
      overdue_invoices: late[i]!.overdue_invoices,
      invoices_90d: late[i]!.invoices_90d,
      late_paid_90d: late[i]!.late_paid_90d,
      max_days_late_365d: late[i]!.max_days_late_365d,
      distinct_skus_90d: mix[i]!.distinct_skus_90d,
    };
    expect({ where, ...got }).toEqual({ where, ...sql.exact });
    expect({ where, avg: late[i]!.avg_days_to_pay_365d as number | null }).toEqual({ where, avg: sql.avgDaysToPay === null ? null : expect.closeTo(sql.avgDaysToPay, 6) });
    expect({ where, spend: mix[i]!.spend_90d as number | null }).toEqual({ where, spend: sql.spend90 === null ? null : expect.closeTo(sql.spend90, 6) });
  }
}

/** The same features, computed directly from the source tables with SQL (30-day term, windows `(t - w, t]`). */
async function sqlFeatures(account: bigint, t: bigint) {
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
       (SELECT SUM(li.quantity * (SELECT v.retail_price FROM sku_versions_seen v WHERE v.sku_id = li.sku_id AND v.updated_at <= i.issued_at ORDER BY v.updated_at DESC LIMIT 1))
          FROM invoice_line_items li JOIN invoices i USING (invoice_id)
          WHERE i.account_id = p.a AND i.status <> 'void' AND i.issued_at > p.t - INTERVAL 90 DAY AND i.issued_at <= p.t) AS spend90
     FROM (SELECT CAST(? AS SIGNED) AS a, CAST(? AS DATETIME(6)) AS t) p`,
    [String(account), at],
  )) as unknown as [[Record<string, string | number | null>]];
  const seen = Number(row!.seen) > 0;
  const big = (v: unknown) => (seen ? BigInt(Number(v ?? 0)) : null);
  return {
    exact: {
      overdue_invoices: big(row!.overdue),
      invoices_90d: big(row!.issued90),
      late_paid_90d: big(row!.late90),
      max_days_late_365d: seen && row!.max_late !== null ? BigInt(Number(row!.max_late)) : null,
      distinct_skus_90d: big(row!.skus90),
    },
    avgDaysToPay: seen && row!.avg_days !== null ? Number(row!.avg_days) : null,
    spend90: seen && row!.spend90 !== null ? Number(row!.spend90) : null,
  };
}
