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
import type { OfflineStore } from '@asof/core';
import { materialize } from '@asof/materializer';
import { createMySqlWritePool, MySqlConnector, type MySqlWritePool } from '@asof/materializer/mysql';
import { openOfflineRoot, openOfflineStore } from '@asof/stores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latePayments, productMix, receivables, skuSpend } from '../../examples/trs/features.js';
import { generateTrs } from '../../examples/trs/generator.js';
import { applyTrsChanges, loadTrsIntoMySql } from '../../examples/trs/load-mysql.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { freshS3Store, s3Connection, testCoordinator } from '../../packages/stores/src/testing/services.js';
import { ensureServices } from '../helpers/services.js';
import { createSkuVersionsSeen, expectFeaturesMatchSql, recordSkuVersions } from '../helpers/trs-sql-oracle.js';

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
  await createSkuVersionsSeen(pool);
  connector = new MySqlConnector({ url: env.ASOF_MYSQL_URL!, database });
  const local = mkdtempSync(join(tmpdir(), 'asof-e2e-'));
  roots.push(local);
  await freshS3Store('e2e'); // creates the test bucket
  stores = [
    { name: 'local', store: await openOfflineStore({ root: local }) },
    {
      name: 's3',
      store: await openOfflineRoot({ root: `s3://asof-test/e2e-${randomBytes(6).toString('hex')}`, s3: s3Connection(), coordinator: testCoordinator() }),
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

const run = (store: OfflineStore, mode: 'full' | 'incremental') => materialize({ store, connector, views, mode });

describe.each(['local', 's3'])('TRS from MariaDB into the %s offline store', (name) => {
  const storeOf = () => stores.find((s) => s.name === name)!.store;

  it('materializes, and a second run of the same data commits nothing', async () => {
    const result = await run(storeOf(), 'full');
    expect(result.views.map((v) => [v.view, v.status, v.error?.message])).toEqual(views.map((v) => [v.name, 'committed', undefined]));
    const again = await run(storeOf(), 'full');
    expect(again.views.map((v) => v.status)).toEqual(views.map(() => 'unchanged'));
    expect(again.sources.map((s) => s.versionsAdded)).toEqual(again.sources.map(() => 0));
    await expectFeaturesMatchSql(pool, storeOf(), '2024-06-30T00:00:00Z');
  });
});

describe('after source updates', () => {
  it('an incremental run adds exactly the changed row versions, and the features match SQL again (both stores)', async () => {
    await applyTrsChanges(pool, first, second);
    await recordSkuVersions(pool);
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
      await expectFeaturesMatchSql(pool, store, '2024-10-31T00:00:00Z');
    }
  });
});
