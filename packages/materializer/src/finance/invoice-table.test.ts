import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decimal, int32, int64, mysqlTable, rowsToTable, string, timestamp, toEpochMicros, type DType, type JsRow } from '@asof/core';
import { openOfflineStore } from '@asof/stores';
import { afterAll, describe, expect, it } from 'vitest';
import { mirrorSource } from '../engine/mirror/mirror-source.js';
import { TableSourceConnector } from '../adapters/memory/table-connector.js';
import { computeInvoiceTables } from './invoice-table.js';

const src = (name: string, pk: string, columns: Record<string, DType>) =>
  mysqlTable({ name, table: name, primaryKey: [pk], timestampField: 'updated_at', updatedAtField: 'updated_at', columns });
const invoices = src('invoices', 'invoice_id', { invoice_id: int64(), account_id: int64(), issued_at: timestamp(), paid_at: timestamp(), status: string(), updated_at: timestamp() });
const lineItems = src('invoice_line_items', 'line_item_id', { line_item_id: int64(), invoice_id: int64(), sku_id: int64(), quantity: int32(), updated_at: timestamp() });
const skus = src('skus', 'sku_id', { sku_id: int64(), item_name: string(), retail_price: decimal(12, 2), updated_at: timestamp() });
const accounts = src('accounts', 'account_id', { account_id: int64(), company_name: string(), updated_at: timestamp() });
const us = (iso: string) => toEpochMicros(iso);
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/**
 * Mirrors each list of row versions in order (one extract per step), as successive runs would. With
 * `asOf` a step is the whole source at that instant (its full extracts infer deletes of rows it lacks).
 */
async function mirrored(steps: Record<string, JsRow[]>[], asOf: (bigint | undefined)[] = []) {
  const dir = await mkdtemp(path.join(tmpdir(), 'asof-finance-'));
  dirs.push(dir);
  const store = openOfflineStore({ root: dir });
  for (const [i, step] of steps.entries()) {
    for (const source of [invoices, lineItems, skus, accounts]) {
      const rows = step[source.name];
      if (!rows) continue;
      const table = rowsToTable(rows, source.columns as never);
      const at = asOf[i];
      await new TableSourceConnector({ [source.name]: table }, at === undefined ? {} : { asOf: at }).snapshot((session) => mirrorSource(store, session, source, { mode: 'full' }));
    }
  }
  return store;
}

const inv = (over: Partial<JsRow>): JsRow => ({ invoice_id: 1n, account_id: 7n, issued_at: us('2024-01-10T00:00:00Z'), paid_at: null, status: 'open', updated_at: us('2024-01-10T00:00:00Z'), ...over });

describe('computeInvoiceTables', () => {
  it('prices at issue exactly, derives the overdue version at due_at, and closes it when paid late', async () => {
    const store = await mirrored([
      {
        invoices: [inv({})],
        invoice_line_items: [
          { line_item_id: 1n, invoice_id: 1n, sku_id: 3n, quantity: 3, updated_at: us('2024-01-10T00:00:00Z') },
          { line_item_id: 2n, invoice_id: 1n, sku_id: 4n, quantity: 1, updated_at: us('2024-01-10T00:00:00Z') },
        ],
        skus: [
          { sku_id: 3n, item_name: 'a', retail_price: '0.10', updated_at: us('2023-12-01T00:00:00Z') },
          { sku_id: 4n, item_name: 'b', retail_price: '1000000.05', updated_at: us('2024-01-10T00:00:00Z') },
        ],
        accounts: [{ account_id: 7n, company_name: 'Acme', updated_at: us('2023-01-01T00:00:00Z') }],
      },
      // A price change after issue does not reprice; the payment 3 days and 1 µs after due is late by 3 whole days.
      { skus: [{ sku_id: 3n, item_name: 'a', retail_price: '99.00', updated_at: us('2024-01-20T00:00:00Z') }] },
      { invoices: [inv({ paid_at: us('2024-02-12T00:00:00.000001Z'), status: 'paid', updated_at: us('2024-02-12T00:00:01Z') })] },
    ]);
    const t = await computeInvoiceTables(store, { invoices, lineItems, skus, accounts }, { asOf: us('2024-03-01T00:00:00Z') });
    expect(t.invoices).toEqual([
      expect.objectContaining({ amount: 100000035n, status: 'paid', is_late: true, days_late: 3, company_name: 'Acme', due_at: us('2024-02-09T00:00:00Z'), unpriced_lines: 0 }),
    ]);
    expect(t.history.map((h) => [h.status, h.is_late, h.valid_from, h.valid_to])).toEqual([
      ['open', false, us('2024-01-10T00:00:00Z'), us('2024-02-09T00:00:00Z')],
      ['overdue', true, us('2024-02-09T00:00:00Z'), us('2024-02-12T00:00:01Z')],
      ['paid', true, us('2024-02-12T00:00:01Z'), null],
    ]);
    expect(t.lines.map((l) => [l.unit_price, l.amount])).toEqual([[10n, 30n], [100000005n, 100000005n]]);

    // As of one µs before due: open and not late; at due exactly: overdue.
    const before = await computeInvoiceTables(store, { invoices, lineItems, skus, accounts }, { asOf: us('2024-02-08T23:59:59.999999Z') });
    expect(before.invoices[0]).toMatchObject({ status: 'open', is_late: false, days_late: null });
    const atDue = await computeInvoiceTables(store, { invoices, lineItems, skus, accounts }, { asOf: us('2024-02-09T00:00:00Z') });
    expect(atDue.invoices[0]).toMatchObject({ status: 'overdue', is_late: true });
    expect((await computeInvoiceTables(store, { invoices, lineItems, skus, accounts }, { asOf: us('2024-02-09T00:00:00Z'), termDays: 45 })).invoices[0]).toMatchObject({ status: 'open' });
  });

  it("void invoices are never late; under beforeHistory 'null' an unknown price at issue makes the amount null", async () => {
    const store = await mirrored([
      {
        invoices: [inv({ status: 'void' }), inv({ invoice_id: 2n })],
        invoice_line_items: [{ line_item_id: 1n, invoice_id: 2n, sku_id: 3n, quantity: 1, updated_at: us('2024-01-10T00:00:00Z') }],
        skus: [{ sku_id: 3n, item_name: 'a', retail_price: '5.00', updated_at: us('2024-01-10T00:00:01Z') }],
      },
    ]);
    const t = await computeInvoiceTables(store, { invoices, lineItems, skus, accounts: null }, { asOf: us('2024-06-01T00:00:00Z'), beforeHistory: 'null' });
    expect(t.invoices.map((r) => [r.invoice_id, r.status, r.is_late, r.amount, r.unpriced_lines, r.company_name])).toEqual([
      [1n, 'void', false, 0n, 0, null],
      [2n, 'overdue', true, null, 1, null],
    ]);
    expect(t.invoices.map((r) => r.price_basis)).toEqual(['at_issue', null]);
    expect(t.lines.map((l) => [l.unit_price, l.price_basis])).toEqual([[null, null]]);
  });

  it('prices a line issued before its SKU history at the earliest known version, marked first_known (the default)', async () => {
    const store = await mirrored([
      {
        invoices: [inv({}), inv({ invoice_id: 2n, issued_at: us('2024-03-01T00:00:00Z'), updated_at: us('2024-03-01T00:00:00Z') }), inv({ invoice_id: 3n })],
        invoice_line_items: [
          { line_item_id: 1n, invoice_id: 1n, sku_id: 3n, quantity: 2, updated_at: us('2024-01-10T00:00:00Z') },
          { line_item_id: 2n, invoice_id: 1n, sku_id: 4n, quantity: 1, updated_at: us('2024-01-10T00:00:00Z') },
          { line_item_id: 3n, invoice_id: 2n, sku_id: 3n, quantity: 1, updated_at: us('2024-03-01T00:00:00Z') },
          { line_item_id: 4n, invoice_id: 3n, sku_id: 9n, quantity: 1, updated_at: us('2024-01-10T00:00:00Z') },
        ],
        // SKU 3 first seen after invoice 1, SKU 4 before it, SKU 9 never.
        skus: [
          { sku_id: 3n, item_name: 'a', retail_price: '5.00', updated_at: us('2024-02-01T00:00:00Z') },
          { sku_id: 4n, item_name: 'b', retail_price: '1.25', updated_at: us('2023-12-01T00:00:00Z') },
        ],
      },
      { skus: [{ sku_id: 3n, item_name: 'a3', retail_price: '7.00', updated_at: us('2024-02-15T00:00:00Z') }] },
    ]);
    const t = await computeInvoiceTables(store, { invoices, lineItems, skus, accounts: null }, { asOf: us('2024-06-01T00:00:00Z') });
    expect(t.invoices.map((r) => [r.invoice_id, r.amount, r.price_basis, r.unpriced_lines])).toEqual([
      [1n, 1125n, 'first_known', 0],
      [2n, 700n, 'at_issue', 0],
      [3n, null, null, 1],
    ]);
    expect(t.lines.map((l) => [l.line_item_id, l.unit_price, l.item_name, l.price_basis])).toEqual([
      [1n, 500n, 'a', 'first_known'],
      [2n, 125n, 'b', 'at_issue'],
      [3n, 700n, 'a3', 'at_issue'],
      [4n, null, null, null],
    ]);
  });

  it('treats deleted rows as gone from their delete on: the invoice leaves the table and its history ends there, a line no longer counts, a SKU prices no later line, an account names no company', async () => {
    const line = (id: bigint, invoice: bigint, sku: bigint, quantity: number) => ({ line_item_id: id, invoice_id: invoice, sku_id: sku, quantity, updated_at: us('2024-01-10T00:00:00Z') });
    const later = inv({ invoice_id: 3n, issued_at: us('2024-03-01T00:00:00Z'), updated_at: us('2024-01-20T00:00:00Z') });
    const store = await mirrored(
      [
        {
          invoices: [inv({}), inv({ invoice_id: 2n })],
          invoice_line_items: [line(1n, 1n, 3n, 3), line(2n, 1n, 4n, 1), line(3n, 2n, 3n, 1)],
          skus: [
            { sku_id: 3n, item_name: 'a', retail_price: '1.00', updated_at: us('2023-12-01T00:00:00Z') },
            { sku_id: 4n, item_name: 'b', retail_price: '2.00', updated_at: us('2023-12-01T00:00:00Z') },
          ],
          accounts: [{ account_id: 7n, company_name: 'Acme', updated_at: us('2023-01-01T00:00:00Z') }],
        },
        // The whole source on 2024-02-01: invoice 2 (and its line), line 2, SKU 4 and account 7 are gone; invoice 3 is new.
        { invoices: [inv({}), later], invoice_line_items: [line(1n, 1n, 3n, 3), line(4n, 3n, 4n, 1)], skus: [{ sku_id: 3n, item_name: 'a', retail_price: '1.00', updated_at: us('2023-12-01T00:00:00Z') }], accounts: [] },
      ],
      [us('2024-01-15T00:00:00Z'), us('2024-02-01T00:00:00Z')],
    );
    const t = await computeInvoiceTables(store, { invoices, lineItems, skus, accounts }, { asOf: us('2024-06-01T00:00:00Z') });
    expect(t.invoices.map((r) => [r.invoice_id, r.amount, r.line_count, r.unpriced_lines, r.company_name])).toEqual([
      [1n, 300n, 1, 0, null],
      [3n, null, 1, 1, null], // issued after its SKU was deleted: no price in force
    ]);
    expect(t.lines.map((l) => [l.line_item_id, l.unit_price, l.price_basis])).toEqual([
      [1n, 100n, 'at_issue'],
      [4n, null, null],
    ]);
    const two = t.history.filter((h) => h.invoice_id === 2n);
    expect(two.map((h) => [h.status, h.valid_from, h.valid_to])).toEqual([['open', us('2024-01-10T00:00:00Z'), us('2024-02-01T00:00:00Z')]]);
    const one = t.history.filter((h) => h.invoice_id === 1n).map((h) => [h.amount, h.company_name, h.valid_from]);
    expect(one.slice(0, 2)).toEqual([
      [500n, 'Acme', us('2024-01-10T00:00:00Z')],
      [300n, null, us('2024-02-01T00:00:00Z')],
    ]);
    // As of before the deletes, the finance tables still show what was there (invoice 3 priced: its SKU's delete is not known yet).
    const before = await computeInvoiceTables(store, { invoices, lineItems, skus, accounts }, { asOf: us('2024-01-31T00:00:00Z') });
    expect(before.invoices.map((r) => [r.invoice_id, r.amount, r.company_name])).toEqual([
      [1n, 500n, 'Acme'],
      [2n, 100n, 'Acme'],
      [3n, 200n, 'Acme'],
    ]);
  });
});
