import { Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { applyLookup, InvalidInputError, lookupRows, type LookupJoin } from '@asof/core';
import { decimalCol, int64Col, readRows, tsCol } from '../../../../test/helpers/window-arrow.js';
import { productMix } from '../../../../test/helpers/trs-definitions.js';

const DAY = 86_400_000_000n; // µs
const str = (values: readonly (string | null)[]) => vectorFromArray(values, new Utf8());
const i32 = (values: readonly (number | null)[]) => vectorFromArray(values, new Int32());

// SKU 1 costs 10.00 from day 0, 12.00 from day 10 (the update row comes first: input order must not matter).
const skuVersions = new Table({
  sku_id: int64Col([1n, 1n, 2n]),
  updated_at: tsCol([10n * DAY, 0n, 5n * DAY]),
  retail_price: decimalCol([1200n, 1000n, 300n]),
  item_name: str(['widget v2', 'widget', 'gadget']),
});
const byPrice: LookupJoin = { on: { sku_id: 'sku_id' }, at: 'sold_at', columns: { unit_price: 'retail_price', name: 'item_name' }, versionTime: 'updated_at' };

describe('applyLookup', () => {
  it('takes the version in force at `at`: one exactly at `at` counts, later ones do not', () => {
    const rows = new Table({
      line: i32([1, 2, 3, 4, 5, 6]),
      sku_id: int64Col([1n, 1n, 1n, 1n, 2n, 9n]),
      sold_at: tsCol([0n, 10n * DAY - 1n, 10n * DAY, 99n * DAY, 5n * DAY, 50n * DAY]),
    });
    const out = readRows(applyLookup(rows, skuVersions, byPrice));
    expect(out.map((r) => [r.line, r.unit_price, r.name])).toEqual([
      [1, 1000n, 'widget'],
      [2, 1000n, 'widget'],
      [3, 1200n, 'widget v2'],
      [4, 1200n, 'widget v2'],
      [5, 300n, 'gadget'],
      [6, null, null], // no such SKU
    ]);
    expect(Object.keys(out[0]!)).toEqual(['line', 'sku_id', 'sold_at', 'unit_price', 'name']);
  });

  it('gives null where no version exists yet, and for a null key or a null `at`', () => {
    const rows = new Table({ sku_id: int64Col([2n, null, 1n]), sold_at: tsCol([5n * DAY - 1n, 5n * DAY, null]) });
    expect(readRows(applyLookup(rows, skuVersions, byPrice)).map((r) => r.unit_price)).toEqual([null, null, null]);
  });

  it('before the history: null by default, or the earliest known version; each row marked and counted', () => {
    // SKU 1 is known from day 0, SKU 2 from day 5; SKU 3 twice at day 7 (the later row wins the tie); SKU 9 never.
    const versions = new Table({
      sku_id: int64Col([1n, 1n, 2n, 3n, 3n]),
      updated_at: tsCol([10n * DAY, 0n, 5n * DAY, 7n * DAY, 7n * DAY]),
      retail_price: decimalCol([1200n, 1000n, 300n, 1n, 2n]),
      item_name: str(['widget v2', 'widget', 'gadget', 'first', 'second']),
    });
    const rows = new Table({
      sku_id: int64Col([1n, 2n, 2n, 3n, 9n, null, 1n]),
      sold_at: tsCol([DAY, 4n * DAY, 5n * DAY, 6n * DAY, DAY, DAY, null]),
    });
    const lookup: LookupJoin = { ...byPrice, basisColumn: 'basis' };
    const asNull = lookupRows(rows, versions, lookup);
    expect(readRows(asNull.table).map((r) => [r.unit_price, r.basis])).toEqual([
      [1000n, 'matched'],
      [null, 'before_history'],
      [300n, 'matched'],
      [null, 'before_history'],
      [null, 'no_version'],
      [null, 'no_version'],
      [null, 'no_version'],
    ]);
    expect(asNull.counts).toEqual({ matched: 2, earliestKnown: 0, beforeHistory: 2, noVersion: 3 });
    const earliest = lookupRows(rows, versions, { ...lookup, beforeHistory: 'earliestKnown' });
    expect(readRows(earliest.table).map((r) => [r.unit_price, r.name, r.basis])).toEqual([
      [1000n, 'widget', 'matched'],
      [300n, 'gadget', 'earliest_known'],
      [300n, 'gadget', 'matched'],
      [2n, 'second', 'earliest_known'],
      [null, null, 'no_version'],
      [null, null, 'no_version'],
      [null, null, 'no_version'],
    ]);
    expect(earliest.counts).toEqual({ matched: 2, earliestKnown: 2, beforeHistory: 0, noVersion: 3 });
    expect(earliest.table.schema.fields.map((f) => [f.name, String(f.type)]).slice(-1)).toEqual([['basis', 'Utf8']]);
    // Without a basis column the policy still applies and the rows are still counted.
    const unmarked = lookupRows(rows, versions, { ...byPrice, beforeHistory: 'earliestKnown' });
    expect(unmarked.table.getChild('basis')).toBeNull();
    expect(unmarked.counts).toEqual(earliest.counts);
    expect(() => applyLookup(new Table({ sku_id: rows.getChild('sku_id')!, sold_at: rows.getChild('sold_at')!, basis: str(Array(7).fill('x')) }), versions, lookup)).toThrow(
      /lookup output column 'basis' is already a column of the rows/,
    );
  });

  it('takes the latest version when `at` is null; equal version times go to the later input row', () => {
    const rows = new Table({ sku_id: int64Col([1n, 2n, 3n]) });
    const out = readRows(applyLookup(rows, skuVersions, { ...byPrice, at: null }));
    expect(out.map((r) => r.name)).toEqual(['widget v2', 'gadget', null]);
    const tied = new Table({ sku_id: int64Col([3n, 3n]), updated_at: tsCol([DAY, DAY]), retail_price: decimalCol([1n, 2n]), item_name: str(['first', 'second']) });
    expect(readRows(applyLookup(rows, tied, { ...byPrice, at: null })).map((r) => r.name)).toEqual([null, null, 'second']);
  });

  it('matches composite primary keys through `on`, whatever the row columns are called', () => {
    const versions = new Table({
      invoice_id: int64Col([7n, 7n, 8n]),
      line_no: i32([1, 2, 1]),
      changed_at: tsCol([0n, 0n, 0n]),
      qty: i32([3, 4, 5]),
    });
    const rows = new Table({ inv: int64Col([7n, 8n, 7n, 8n]), ln: int64Col([2n, 1n, 1n, 2n]), t: tsCol([DAY, DAY, DAY, DAY]) });
    const lookup: LookupJoin = { on: { ln: 'line_no', inv: 'invoice_id' }, at: 't', columns: { quantity: 'qty' }, versionTime: 'changed_at' };
    expect(readRows(applyLookup(rows, versions, lookup)).map((r) => r.quantity)).toEqual([4, 5, 3, null]);
  });

  it("chains: the TRS view's second lookup reads the issue date its first one added", () => {
    const invoiceVersions = new Table({
      invoice_id: int64Col([100n, 101n, 100n]),
      account_id: int64Col([1n, 2n, 1n]),
      issued_at: tsCol([3n * DAY, 12n * DAY, 4n * DAY]), // invoice 100 re-issued on day 4
      updated_at: tsCol([3n * DAY, 12n * DAY, 20n * DAY]),
    });
    const lines = new Table({
      invoice_id: int64Col([100n, 101n, 102n]),
      line_no: i32([1, 1, 1]),
      sku_id: int64Col([1n, 1n, 1n]),
      created_at: tsCol([0n, 0n, 0n]),
    });
    const [byInvoice, bySku] = [productMix.lookups[0]!, productMix.lookups[1]!];
    const out = readRows(applyLookup(applyLookup(lines, invoiceVersions, byInvoice), skuVersions, bySku));
    expect(out.map((r) => [r.invoice_id, r.account_id, r.issued_at, r.unit_price, r.item_name])).toEqual([
      [100n, 1n, 4n * DAY, 1000n, 'widget'],
      [101n, 2n, 12n * DAY, 1200n, 'widget v2'],
      [102n, null, null, null, null], // unknown invoice: no issue date, so no price either
    ]);
  });

  it('keeps the rows’ record batches and handles empty inputs', () => {
    const rows = new Table({ sku_id: int64Col([1n, 2n]), sold_at: tsCol([DAY, 6n * DAY]) });
    const split = rows.slice(0, 1).concat(rows.slice(1));
    const out = applyLookup(split, skuVersions, byPrice);
    expect(out.batches.map((b) => b.numRows)).toEqual([1, 1]);
    expect(readRows(out).map((r) => r.name)).toEqual(['widget', 'gadget']);
    const none = applyLookup(rows.slice(0, 0), skuVersions, byPrice);
    expect([none.numRows, none.schema.fields.map((f) => f.name)]).toEqual([0, ['sku_id', 'sold_at', 'unit_price', 'name']]);
    expect(readRows(applyLookup(rows, skuVersions.slice(0, 0), byPrice)).map((r) => r.name)).toEqual([null, null]);
  });

  it('rejects missing columns, an output the rows already have, and versions without a time', () => {
    const rows = new Table({ sku_id: int64Col([1n]), sold_at: tsCol([DAY]), name: str(['x']) });
    const err = (f: () => unknown) => expect(f).toThrow(InvalidInputError);
    err(() => applyLookup(rows, skuVersions, byPrice));
    expect(() => applyLookup(rows, skuVersions, byPrice)).toThrow(/output column 'name' is already a column of the rows/);
    expect(() => applyLookup(rows, skuVersions, { ...byPrice, at: 'when' })).toThrow(/column 'when' not found in the rows/);
    expect(() => applyLookup(rows, skuVersions, { ...byPrice, columns: { p: 'price' } })).toThrow(/column 'price' not found in the lookup versions/);
    const undated = new Table({ sku_id: int64Col([1n]), updated_at: tsCol([null]), retail_price: decimalCol([1n]), item_name: str(['a']) });
    expect(() => applyLookup(rows, undated, { ...byPrice, columns: { p: 'retail_price' } })).toThrow(/version row 0 has a null 'updated_at'/);
  });
});
