/**
 * Deletes flow through, end to end, on the TRS example in a real MariaDB:
 * after `DELETE`s of an invoice (with its line items), of one line item of
 * another invoice and of a SKU (its line items left in place, as a source
 * without foreign keys would), an incremental run sees nothing (watermark
 * reads cannot see deletes), and the next full run appends one delete per
 * row gone, dated at the source snapshot. The features then equal the same
 * features computed with SQL in MariaDB over the remaining rows (line items
 * priced among the SKU versions seen, so the deleted SKU still prices the
 * lines issued before its delete), and the finance tables treat the deleted
 * invoice and line as gone, per invoice equal to MariaDB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableToRows, toEpochMicros, type Instant, type OfflineStore } from '@asof/core';
import { materialize, readMirror } from '@asof/materializer';
import { MySqlConnector } from '@asof/materializer/mysql';
import { openOfflineStore } from '@asof/stores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, invoices, latePayments, lineItems, productMix, receivables, skus, skuSpend } from '../../examples/trs/features.js';
import { generateTrs } from '../../examples/trs/generator.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { computeInvoiceTables } from '../../packages/materializer/src/finance/invoice-table.js';
import { createTrsDatabase, type TrsDatabase } from '../helpers/trs-database.js';
import { createSkuVersionsSeen, expectFeaturesMatchSql, PRICE_SQL, sqlFeatures } from '../helpers/trs-sql-oracle.js';

const views = [latePayments, receivables, productMix, skuSpend];
const STATE = '2024-06-30T00:00:00Z';
const timeline = generateTrs({ seed: 23, scale: 0.001 });
let db: TrsDatabase;
let connector: MySqlConnector;
let store: OfflineStore;
let root: string;
/** What was deleted. */
let gone: { invoice: bigint; invoiceLines: bigint[]; line: bigint; lineInvoice: bigint; sku: bigint; account: bigint };

const run = (mode: 'full' | 'incremental') => materialize({ store, connector, views, extraSources: [accounts], mode });
const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => ((await db.pool.query(sql, params)) as unknown as [T[]])[0][0]!;

beforeAll(async () => {
  db = await createTrsDatabase('asof_deletes', stateAt(timeline, STATE));
  await createSkuVersionsSeen(db.pool);
  connector = new MySqlConnector({ url: db.url });
  root = mkdtempSync(join(tmpdir(), 'asof-deletes-e2e-'));
  store = openOfflineStore({ root });
}, 300_000);

afterAll(async () => {
  await connector?.close();
  await db?.drop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('deletes in MariaDB flow through to the features and the finance tables', () => {
  it('a first full run infers no deletes, and the features match SQL', async () => {
    const first = await run('full');
    expect(first.views.map((v) => [v.view, v.status])).toEqual(views.map((v) => [v.name, 'committed']));
    expect(first.sources.every((s) => s.deletesAdded === 0)).toBe(true);
    await expectFeaturesMatchSql(db.pool, store, STATE);
  });

  it('after DELETEs, an incremental run adds nothing; a full run appends one delete per row gone, and the features match SQL over the remaining rows', async () => {
    // An account the oracle checks (the smallest ids), with an invoice that has lines and another with at least two.
    const account = BigInt((await one<{ a: string }>(`SELECT MIN(account_id) AS a FROM invoices i WHERE status <> 'void' AND (SELECT COUNT(*) FROM invoice_line_items li WHERE li.invoice_id = i.invoice_id) >= 2`)).a);
    const [invoice, other] = ((await db.pool.query(
      `SELECT i.invoice_id AS id FROM invoices i JOIN invoice_line_items li USING (invoice_id) WHERE i.account_id = ? AND i.status <> 'void' GROUP BY i.invoice_id HAVING COUNT(*) >= 2 ORDER BY i.invoice_id LIMIT 2`,
      [String(account)],
    )) as unknown as [{ id: string }[]])[0].map((r) => BigInt(r.id));
    const target = other ?? invoice!;
    const deleteInvoice = other === undefined ? BigInt((await one<{ id: string }>(`SELECT MIN(invoice_id) AS id FROM invoices WHERE account_id = ? AND invoice_id <> ?`, [String(account), String(target)])).id) : invoice!;
    const invoiceLines = ((await db.pool.query('SELECT line_item_id AS id FROM invoice_line_items WHERE invoice_id = ?', [String(deleteInvoice)])) as unknown as [{ id: string }[]])[0].map((r) => BigInt(r.id));
    const line = BigInt((await one<{ id: string }>('SELECT MIN(line_item_id) AS id FROM invoice_line_items WHERE invoice_id = ?', [String(target)])).id);
    const sku = BigInt((await one<{ id: string }>('SELECT sku_id AS id FROM invoice_line_items li JOIN invoices i USING (invoice_id) WHERE i.account_id = ? AND li.line_item_id <> ? AND li.invoice_id <> ? LIMIT 1', [String(account), String(line), String(deleteInvoice)])).id);
    gone = { invoice: deleteInvoice, invoiceLines, line, lineInvoice: target, sku, account };
    // Just after the deleted invoice was issued, it is in the account's 90-day counts.
    const issued = (await one<{ t: string }>("SELECT DATE_FORMAT(issued_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS t FROM invoices WHERE invoice_id = ?", [String(deleteInvoice)])).t;
    const instants = [toEpochMicros(issued) + 1_000_000n, toEpochMicros(STATE) - 1n];
    const before = await Promise.all(instants.map((t) => sqlFeatures(db.pool, account, t)));

    await db.pool.query(`DELETE FROM invoice_line_items WHERE invoice_id = ?`, [String(deleteInvoice)]);
    await db.pool.query(`DELETE FROM invoices WHERE invoice_id = ?`, [String(deleteInvoice)]);
    await db.pool.query(`DELETE FROM invoice_line_items WHERE line_item_id = ?`, [String(line)]);
    // The SKU's line items stay, as in a source without foreign keys: one connection, checks off for the one statement.
    const connection = await db.pool.getConnection();
    try {
      await connection.query('SET FOREIGN_KEY_CHECKS = 0');
      await connection.query('DELETE FROM skus WHERE sku_id = ?', [String(sku)]);
      await connection.query('SET FOREIGN_KEY_CHECKS = 1');
    } finally {
      connection.release();
    }
    const after = await Promise.all(instants.map((t) => sqlFeatures(db.pool, account, t)));
    expect(after, 'the deletes change what SQL computes for the account').not.toEqual(before);

    const incremental = await run('incremental');
    expect(incremental.sources.map((s) => s.deletesAdded)).toEqual(incremental.sources.map(() => 0));

    const started = await one<{ t: string }>("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ') AS t");
    const full = await run('full');
    expect(Object.fromEntries(full.sources.map((s) => [s.source, s.deletesAdded]))).toEqual({ invoices: 1, invoice_line_items: invoiceLines.length + 1, skus: 1, accounts: 0 });
    expect(full.views.map((v) => [v.view, v.status])).toEqual(views.map((v) => [v.name, 'committed']));
    // Each delete is dated at the run's snapshot of the source (its clock), not at some version's time.
    const deletes = tableToRows((await readMirror(store, invoices))!).filter((r) => r._asof_deleted === true);
    expect(deletes.map((r) => r.invoice_id)).toEqual([deleteInvoice]);
    expect((deletes[0]!.event_ts as Instant).micros >= toEpochMicros(started.t)).toBe(true);
    await expectFeaturesMatchSql(db.pool, store, STATE);
  });

  it('the finance tables treat the deleted invoice and line as gone; every invoice equals MariaDB over the remaining rows, the deleted SKU still pricing earlier lines', async () => {
    const asOf = toEpochMicros(new Date()) + 1_000_000n;
    const tables = await computeInvoiceTables(store, { invoices, lineItems, skus, accounts }, { asOf });
    const ids = tables.invoices.map((i) => i.invoice_id);
    expect(ids).not.toContain(gone.invoice);
    expect(tables.lines.map((l) => l.line_item_id)).not.toContain(gone.line);
    expect(tables.lines.filter((l) => l.sku_id === gone.sku).every((l) => l.unit_price !== null)).toBe(true);
    // The deleted invoice's history ends at its delete.
    const history = tables.history.filter((h) => h.invoice_id === gone.invoice);
    expect(history.length).toBeGreaterThan(0);
    expect(history.every((h) => h.valid_to !== null)).toBe(true);
    const [rows] = (await db.pool.query(
      `SELECT i.invoice_id, COUNT(li.line_item_id) AS lines_n, SUM(li.quantity * ${PRICE_SQL}) AS amount
       FROM invoices i LEFT JOIN invoice_line_items li USING (invoice_id) GROUP BY i.invoice_id ORDER BY i.invoice_id`,
    )) as unknown as [{ invoice_id: string; lines_n: number; amount: string | null }[]];
    const cents = (amount: string | null) => (amount === null ? 0n : BigInt(amount.replace('.', '')));
    expect(tables.invoices.map((i) => [i.invoice_id, i.line_count, i.amount])).toEqual(rows.map((r) => [BigInt(r.invoice_id), Number(r.lines_n), cents(r.amount)]));
    const target = tables.invoices.find((i) => i.invoice_id === gone.lineInvoice)!;
    expect(target.line_count).toBe(Number(rows.find((r) => BigInt(r.invoice_id) === gone.lineInvoice)!.lines_n));
  });
});
