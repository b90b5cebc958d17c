/**
 * A real MariaDB round trip (started by scripts/services/up.sh if needed):
 * load stateAt(t1) into a fresh database, compare every table and a SUM of
 * amounts with the generator, move the database to stateAt(t2) with
 * applyTrsChanges, compare again.
 */
import { createMySqlWritePool, type MySqlWritePool } from '@asof/materializer/mysql';
import { DataType } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '../../test/helpers/services.js';
import { TRS_PRIMARY_KEYS, TRS_TABLES, type TrsTableName } from './arrow-schema.js';
import { generateTrs } from './generator.js';
import { applyTrsChanges, loadTrsIntoMySql } from './load-mysql.js';
import { formatCents, priceCentsAt } from './price-history.js';
import { stateAt, type TrsState } from './state-at.js';
import { csvLines, quote } from './write-files.js';

const timeline = generateTrs({ seed: 5, scale: 0.001 });
const T1 = '2024-06-30T00:00:00Z';
const T2 = '2025-12-31T23:59:59.999999Z';
const database = `trs_example_${process.pid}_${Date.now()}`;
let admin: MySqlWritePool;
let pool: MySqlWritePool;

beforeAll(async () => {
  const env = ensureServices('mariadb');
  admin = createMySqlWritePool({ url: env.ASOF_MYSQL_URL! });
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  pool = createMySqlWritePool({ url: env.ASOF_MYSQL_URL!, database });
});

afterAll(async () => {
  await pool?.end();
  await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin?.end();
});

/** The table as canonical CSV lines (header first), read back from MariaDB in key order. */
async function tableLines(state: TrsState, name: TrsTableName): Promise<string[]> {
  const fields = state.tables[name].schema.fields;
  const columns = fields.map((f) => `\`${f.name}\``).join(', ');
  const [rows] = await pool.query({ sql: `SELECT ${columns} FROM \`${name}\` ORDER BY \`${TRS_PRIMARY_KEYS[name]}\``, rowsAsArray: true });
  const lines = (rows as unknown[][]).map((row) =>
    row
      .map((value, c) => {
        if (value === null) return '';
        const type = fields[c]!.type as DataType;
        if (DataType.isTimestamp(type)) return `${String(value).replace(' ', 'T')}Z`;
        if (DataType.isUtf8(type)) return quote(String(value));
        return String(value);
      })
      .join(','),
  );
  return [fields.map((f) => f.name).join(','), ...lines];
}

/** Σ quantity × retail price (as shown at the state's instant), by SQL, as exact decimal text. */
async function sqlAmount(): Promise<string> {
  const [rows] = await pool.query(
    'SELECT CAST(SUM(li.quantity * s.retail_price) AS CHAR) AS amount FROM invoice_line_items li JOIN skus s ON s.sku_id = li.sku_id',
  );
  return (rows as { amount: string }[])[0]!.amount;
}

/** The same sum from the generator: each line item's SKU price in force at the state's instant. */
function generatorAmount(state: TrsState): string {
  const items = state.tables.invoice_line_items;
  const skus = items.getChild('sku_id')!.toArray() as BigInt64Array;
  const quantities = items.getChild('quantity')!.toArray() as Int32Array;
  let cents = 0n;
  for (let r = 0; r < items.numRows; r++) cents += BigInt(quantities[r]!) * BigInt(priceCentsAt(timeline, skus[r]!, state.asOfMicros)!);
  return formatCents(cents);
}

async function expectDatabaseHolds(state: TrsState): Promise<void> {
  for (const name of TRS_TABLES) {
    const [rows] = await pool.query(`SELECT COUNT(*) AS n FROM \`${name}\``);
    expect(Number((rows as { n: string }[])[0]!.n), name).toBe(state.tables[name].numRows);
    expect(await tableLines(state, name)).toEqual([...csvLines(state.tables[name])]);
  }
  expect(await sqlAmount()).toBe(generatorAmount(state));
}

describe('TRS in MariaDB', () => {
  const s1 = stateAt(timeline, T1);
  const s2 = stateAt(timeline, T2);

  it('loads stateAt(t1) exactly: counts, every value, and the amount to the cent', async () => {
    const counts = await loadTrsIntoMySql(pool, s1, { batchRows: 400 });
    for (const name of TRS_TABLES) expect(counts[name]).toBe(s1.tables[name].numRows);
    expect(s1.tables.invoice_line_items.numRows).toBeGreaterThan(400); // several statements per table
    await expectDatabaseHolds(s1);
  });

  it('sees exactly the changed rows through an updated_at watermark, then applyTrsChanges reaches stateAt(t2)', async () => {
    const t1 = '2024-06-30 00:00:00.000000';
    const counts = await applyTrsChanges(pool, s1, s2, { batchRows: 300 });
    for (const name of TRS_TABLES) {
      const [rows] = await pool.query(`SELECT COUNT(*) AS n FROM \`${name}\` WHERE updated_at > ?`, [t1]);
      expect(Number((rows as { n: string }[])[0]!.n), name).toBe(counts[name]);
    }
    expect(counts.invoices).toBeGreaterThan(0);
    expect(counts.skus).toBeGreaterThan(0);
    await expectDatabaseHolds(s2);
  });

  it('refuses to create the tables twice unless asked to drop them', async () => {
    await expect(loadTrsIntoMySql(pool, s1)).rejects.toThrow(/already exists/);
    await loadTrsIntoMySql(pool, s1, { dropExisting: true });
    await expectDatabaseHolds(s1);
  });
});
