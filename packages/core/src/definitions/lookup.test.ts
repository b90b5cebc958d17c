import { describe, expect, it } from 'vitest';
import { collectSet, decimal, DefinitionError, defineFeatureView, float64, int64, parquetSource, string, sum, timestamp, type Lookup } from '@asof/core';
import { account, invoices, lineItems, productMix, productMixLookups, skus } from '../../../../test/helpers/trs-definitions.js';

const base = {
  name: 'account_product_mix',
  entities: [account],
  source: lineItems,
  eventTime: 'issued_at',
  // A decimal sum: a float64 sum of the decimal price is refused at definition time.
  features: { spend: sum('unit_price', { window: '90d', type: decimal(38, 2) }) },
} as const;
const build = (lookups: readonly unknown[], over: object = {}) => () => defineFeatureView({ ...base, lookups: lookups as Lookup[], ...over });
const [byInvoice, bySku] = productMixLookups as readonly [Lookup, Lookup];

describe('defineFeatureView lookups', () => {
  it('stores the lookups resolved, in order, with their version time, deeply frozen', () => {
    expect(productMix.lookups).toEqual([
      { source: invoices, on: { invoice_id: 'invoice_id' }, at: null, columns: { account_id: 'account_id', issued_at: 'issued_at' }, beforeHistory: 'null', basisColumn: null, versionTime: 'updated_at' },
      { source: skus, on: { sku_id: 'sku_id' }, at: 'issued_at', columns: { unit_price: 'retail_price', item_name: 'item_name' }, beforeHistory: 'null', basisColumn: null, versionTime: 'updated_at' },
    ]);
    for (const part of [productMix.lookups, productMix.lookups[0], productMix.lookups[1]!.on, productMix.lookups[1]!.columns]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(defineFeatureView({ ...base, transform: (row) => row }).lookups).toEqual([]);
  });

  it('does not alias the caller’s records', () => {
    const on: Record<string, string> = { sku_id: 'sku_id' };
    const v = defineFeatureView({ ...base, lookups: [byInvoice, { ...bySku, on }] });
    on.other = 'x';
    expect(v.lookups[1]!.on).toEqual({ sku_id: 'sku_id' });
    expect(Object.isFrozen(on)).toBe(false);
  });

  it('takes the version time from updatedAtField, else createdTimestampField, else timestampField', () => {
    const pk = { primaryKey: ['sku_id'], path: 'skus.parquet' } as const;
    const created = parquetSource({ ...pk, name: 'a', timestampField: 'valid_from', createdTimestampField: 'loaded_at' });
    const plain = parquetSource({ ...pk, name: 'b', timestampField: 'valid_from' });
    const lookups = [created, plain].map((source, i) => ({ source, on: { sku_id: 'sku_id' }, at: 'issued_at', columns: { [`p${i}`]: 'price' } }));
    const v = defineFeatureView({ ...base, lookups: [byInvoice, ...lookups], features: { spend: sum('p0', { window: '1d' }) } });
    expect(v.lookups.map((l) => l.versionTime)).toEqual(['updated_at', 'loaded_at', 'valid_from']);
  });

  it('keeps the before-history policy and the basis column, whose string column features and later lookups may read', () => {
    const v = defineFeatureView({
      ...base,
      lookups: [byInvoice, { ...bySku, beforeHistory: 'earliestKnown', basisColumn: 'price_basis' }],
      features: { spend: sum('unit_price', { window: '90d', type: decimal(38, 2) }), bases: collectSet('price_basis', { window: '90d', type: string() }) },
    });
    expect(v.lookups[1]).toMatchObject({ beforeHistory: 'earliestKnown', basisColumn: 'price_basis' });
    expect(v.lookups[0]).toMatchObject({ beforeHistory: 'null', basisColumn: null });
  });

  it('lets features and later lookups read the columns earlier lookups add', () => {
    expect(productMix.featureNames).toEqual(['items_90d', 'skus_lifetime', 'spend_lifetime']);
    expect(build([bySku, byInvoice])).toThrow(
      /lookup 0 \(source 'skus'\) reads row column 'issued_at', which source 'invoice_line_items' does not declare and no earlier lookup adds/,
    );
    expect(build([byInvoice])).toThrow(/reads column 'unit_price', which source 'invoice_line_items' does not declare/);
  });

  it('checks row columns only when the source declares them', () => {
    const loose = parquetSource({ name: 'loose', path: 'x.parquet', timestampField: 'ts' });
    const v = defineFeatureView({ ...base, source: loose, lookups: [{ ...bySku, on: { anything: 'sku_id' }, at: 'whenever' }] });
    expect(v.lookups[0]).toMatchObject({ on: { anything: 'sku_id' }, at: 'whenever' });
  });

  const keyless = parquetSource({ name: 'keyless', path: 'k.parquet', timestampField: 'ts' });
  const pair = parquetSource({ name: 'pair', path: 'p.parquet', timestampField: 'ts', primaryKey: ['a', 'b'], columns: { a: int64(), b: string(), ts: timestamp(), v: float64() } });
  it.each<[string, readonly unknown[], RegExp]>([
    ['a non-list', { source: skus } as never, /lookups must be a list/],
    ['a lookup without a source', [{ on: { sku_id: 'sku_id' }, columns: { p: 'retail_price' } }], /lookup 0 needs source, built with mysqlTable/],
    ['a source without a primary key', [{ source: keyless, on: { id: 'id' }, columns: { x: 'x' } }], /source 'keyless' has no primaryKey; declare it on the source, e.g. primaryKey: \['keyless_id'\]/],
    ['no on', [{ ...bySku, on: undefined }], /on must be a non-empty record of column name to column name, e.g. \{ sku_id: 'sku_id' \}/],
    ['on missing a key column', [byInvoice, { source: pair, on: { sku_id: 'a' }, columns: { v: 'v' } }], /on must map a row column to every primary key column of 'pair'; add b/],
    ['on naming a non-key column', [byInvoice, { ...bySku, on: { sku_id: 'item_name' } }], /on maps to 'item_name', which is not a primary key column of 'skus' \(sku_id\)/],
    ['on naming a key twice', [byInvoice, { source: pair, on: { sku_id: 'a', qty: 'a' }, columns: { v: 'v' } }], /on maps two row columns to 'a'/],
    ['a blank at', [byInvoice, { ...bySku, at: ' ' }], /at must be a column name/],
    ['no columns', [byInvoice, { ...bySku, columns: {} }], /columns must be a non-empty record/],
    ['an undeclared lookup column', [byInvoice, { ...bySku, columns: { unit_price: 'retail_prise' } }], /columns reads 'retail_prise', which source 'skus' does not declare; did you mean 'retail_price'\?/],
    ['an output named like a source column', [byInvoice, { ...bySku, columns: { qty: 'retail_price' } }], /output column 'qty' is a column of source 'invoice_line_items'; rename the output/],
    ['an output added twice', [byInvoice, { ...bySku, columns: { issued_at: 'updated_at' } }], /output column 'issued_at' is already added by an earlier lookup/],
    ['an unknown at', [byInvoice, { ...bySku, at: 'issued_ta' }], /reads row column 'issued_ta'.*did you mean 'issued_at'\?/],
    ['an unknown on column', [byInvoice, { ...bySku, on: { sku_di: 'sku_id' } }], /reads row column 'sku_di'.*did you mean 'sku_id'\?/],
    ['keys of different types', [byInvoice, { source: pair, on: { sku_id: 'a', account_id: 'b' }, columns: { v: 'v' } }], /row column 'account_id' is integer but primary key column 'b' is string; give them one type/],
    ['an at that is not a time', [byInvoice, { ...bySku, at: 'qty' }], /at column 'qty' is int32; it must be a timestamp\(\) or date\(\) column/],
    ['an unknown beforeHistory', [byInvoice, { ...bySku, beforeHistory: 'earliest' }], /beforeHistory must be 'null' or 'earliestKnown', got "earliest"/],
    ['earliestKnown without at', [{ ...byInvoice, beforeHistory: 'earliestKnown' }], /beforeHistory: 'earliestKnown' needs at/],
    ['a blank basisColumn', [byInvoice, { ...bySku, basisColumn: '' }], /basisColumn must be a column name/],
    ['a basisColumn that is also an output', [byInvoice, { ...bySku, basisColumn: 'unit_price' }], /basisColumn 'unit_price' is also one of its columns/],
    ['a basisColumn an earlier lookup adds', [byInvoice, { ...bySku, basisColumn: 'account_id' }], /output column 'account_id' is already added by an earlier lookup/],
    ['a basisColumn named like a source column', [byInvoice, { ...bySku, basisColumn: 'qty' }], /output column 'qty' is a column of source 'invoice_line_items'/],
  ])('rejects %s', (_, lookups, message) => {
    expect(build(lookups)).toThrow(DefinitionError);
    expect(build(lookups)).toThrow(message);
  });
});
