import { describe, expect, it } from 'vitest';
import {
  count,
  createRegistry,
  defineFeatureView,
  diffRegistries,
  hashFeatureView,
  mysqlTable,
  Registry,
  type AnyEntity,
  type AnyFeatureView,
  type FeatureSpecs,
  type FeatureViewConfig,
  type Lookup,
  type RegistryDocument,
} from '@asof/core';
import { account, latePayments, lineItems, productMix, productMixLookups, skus } from '../../../../test/helpers/trs-definitions.js';

const [byInvoice, bySku] = productMixLookups as readonly [Lookup, Lookup];
type Config = FeatureViewConfig<string, readonly AnyEntity[], FeatureSpecs>;
type TableOptions = Parameters<typeof mysqlTable>[0];
const skuTable = (over: Partial<TableOptions>) =>
  mysqlTable({ name: 'skus', table: 'trs.skus', timestampField: 'created_at', updatedAtField: 'updated_at', primaryKey: ['sku_id'], columns: skus.columns!, ...over });
const lineTable = (over: Partial<TableOptions>) =>
  mysqlTable({ name: 'invoice_line_items', table: 'trs.invoice_line_items', timestampField: 'created_at', columns: lineItems.columns!, ...over });
const mix = (over: Partial<Config> = {}): AnyFeatureView =>
  defineFeatureView({
    name: productMix.name,
    entities: productMix.entities,
    source: lineItems,
    lookups: productMixLookups,
    eventTime: 'issued_at',
    features: productMix.features,
    ...over,
  });

describe('registry: primary keys, lookups, lifetime windows', () => {
  it("registers a view's lookup sources and writes lookups by source name", () => {
    const registry = createRegistry(productMix, latePayments);
    expect(registry.listSources().map((s) => s.name)).toEqual(['invoice_line_items', 'invoices', 'skus']);
    const doc = registry.toJSON();
    expect(doc.sources.find((s) => s.name === 'invoice_line_items')!.primaryKey).toEqual(['invoice_id', 'line_no']);
    const view = doc.featureViews.find((v) => v.name === 'account_product_mix')!;
    expect(view.lookups).toEqual([
      { source: 'invoices', on: { invoice_id: 'invoice_id' }, at: null, columns: { account_id: 'account_id', issued_at: 'issued_at' } },
      { source: 'skus', on: { sku_id: 'sku_id' }, at: 'issued_at', columns: { unit_price: 'retail_price', item_name: 'item_name' } },
    ]);
    expect(view.features.find((f) => f.name === 'spend_lifetime')).toMatchObject({ kind: 'aggregation', windowMs: null });
    expect(doc.featureViews.find((v) => v.name === 'account_late_payments')!.lookups).toEqual([]);
  });

  it('round-trips through JSON text with the same hashes and lookups resolved to the registered sources', () => {
    const registry = createRegistry(productMix, latePayments);
    const doc = JSON.parse(JSON.stringify(registry)) as RegistryDocument;
    const loaded = Registry.fromJSON(doc);
    expect(loaded.toJSON()).toEqual(doc);
    for (const name of ['account_product_mix', 'account_late_payments']) expect(loaded.hashOf(name)).toBe(registry.hashOf(name));
    const rebuilt = loaded.getFeatureView('account_product_mix');
    expect(rebuilt.lookups).toEqual(productMix.lookups);
    expect(rebuilt.lookups[1]!.source).toBe(loaded.getSource('skus'));
    expect(loaded.getSource('skus').primaryKey).toEqual(['sku_id']);
    expect(rebuilt.features.skus_lifetime).toEqual(productMix.features.skus_lifetime);
  });

  it('reads documents written before primary keys and lookups existed', () => {
    const source = mysqlTable({ name: 'events', table: 'events', timestampField: 'ts' });
    const plain = defineFeatureView({ name: 'plain', entities: [account], source, features: { n: count({ window: '1d' }) } });
    const doc = structuredClone(createRegistry(plain).toJSON()) as unknown as {
      sources: { primaryKey?: unknown }[];
      featureViews: { lookups?: unknown; hash?: string }[];
    };
    delete doc.sources[0]!.primaryKey;
    delete doc.featureViews[0]!.lookups;
    const loaded = Registry.fromJSON(doc);
    expect(loaded.getSource('events').primaryKey).toBeNull();
    expect(loaded.getFeatureView('plain').lookups).toEqual([]);
  });

  it('rejects a lookup source the document does not define, and a lookup source that clashes', () => {
    const doc = structuredClone(createRegistry(productMix).toJSON()) as unknown as { sources: { name: string }[] };
    doc.sources = doc.sources.filter((s) => s.name !== 'skus');
    expect(() => Registry.fromJSON(doc)).toThrow(/feature view 'account_product_mix' uses lookup source 'skus', which the document does not define/);
    const otherSkus = mysqlTable({ name: 'skus', table: 'other.skus', timestampField: 'created_at' });
    expect(() => createRegistry(otherSkus, productMix)).toThrow(/source 'skus' is already registered with a different definition/);
  });

  const { at: _, ...latestSku } = bySku;
  const extra: Lookup = { ...bySku, columns: { list_price: 'retail_price' } };
  it.each<[string, () => AnyFeatureView, () => AnyFeatureView]>([
    ['lookups', () => mix({ transform: (row) => row }), () => mix({ lookups: [], transform: (row) => row })],
    ['the lookup order', () => mix({ lookups: [byInvoice, bySku, extra] }), () => mix({ lookups: [byInvoice, extra, bySku] })],
    ["a lookup's at", () => mix(), () => mix({ lookups: [byInvoice, latestSku] })],
    ["a lookup's columns", () => mix(), () => mix({ lookups: [byInvoice, { ...bySku, columns: { unit_price: 'retail_price', item_name: 'sku_id' } }] })],
    ["a lookup source's table", () => mix(), () => mix({ lookups: [byInvoice, { ...bySku, source: skuTable({ table: 'trs.skus_v2' }) }] })],
    ["a lookup source's version time", () => mix(), () => mix({ lookups: [byInvoice, { ...bySku, source: skuTable({ updatedAtField: undefined }) }] })],
    ["the view source's primary key", () => mix(), () => mix({ source: lineTable({ primaryKey: ['invoice_id'] }) })],
    ['a lifetime window made finite', () => mix(), () => mix({ features: { ...productMix.features, skus_lifetime: count({ window: '3650d' }) } })],
    ["a lookup's before-history policy", () => mix(), () => mix({ lookups: [byInvoice, { ...bySku, beforeHistory: 'earliestKnown' }] })],
    ["a lookup's basis column", () => mix(), () => mix({ lookups: [byInvoice, { ...bySku, basisColumn: 'price_basis' }] })],
  ])('changes the view hash with %s', (_, a, b) => {
    expect(hashFeatureView(a())).not.toBe(hashFeatureView(b()));
  });

  it('writes the before-history policy and the basis column, reads them back, and reads documents without them as null / none', () => {
    const policy: Lookup = { ...bySku, beforeHistory: 'earliestKnown', basisColumn: 'price_basis' };
    const registry = createRegistry(mix({ lookups: [byInvoice, policy] }));
    const doc = JSON.parse(JSON.stringify(registry)) as RegistryDocument;
    expect(doc.featureViews[0]!.lookups![1]).toEqual({
      source: 'skus',
      on: { sku_id: 'sku_id' },
      at: 'issued_at',
      columns: { unit_price: 'retail_price', item_name: 'item_name' },
      beforeHistory: 'earliestKnown',
      basisColumn: 'price_basis',
    });
    const loaded = Registry.fromJSON(doc);
    expect(loaded.getFeatureView('account_product_mix').lookups[1]).toMatchObject({ beforeHistory: 'earliestKnown', basisColumn: 'price_basis' });
    expect(loaded.hashOf('account_product_mix')).toBe(registry.hashOf('account_product_mix'));
    // The defaults are not written, so a document and hash from before the options are those of 'null' and no basis column.
    const plain = createRegistry(productMix).toJSON();
    expect(plain.featureViews[0]!.lookups!.every((l) => !('beforeHistory' in l) && !('basisColumn' in l))).toBe(true);
    const old = Registry.fromJSON(plain).getFeatureView('account_product_mix');
    expect(old.lookups.map((l) => [l.beforeHistory, l.basisColumn])).toEqual([['null', null], ['null', null]]);
    expect(hashFeatureView(old)).toBe(hashFeatureView(productMix));
    expect(hashFeatureView(mix({ lookups: [byInvoice, { ...bySku, beforeHistory: 'null' }] }))).toBe(hashFeatureView(productMix));
  });

  it('reports a view whose lookup source changed as changed in diffRegistries', () => {
    const skus2 = skuTable({ table: 'trs.skus_v2' });
    const before = createRegistry(mix(), latePayments);
    const after = createRegistry(mix({ lookups: [byInvoice, { ...bySku, source: skus2 }] }), latePayments);
    expect(diffRegistries(before, after)).toEqual({
      added: [],
      removed: [],
      changed: [{ name: 'account_product_mix', before: before.hashOf('account_product_mix'), after: after.hashOf('account_product_mix') }],
      unchanged: ['account_late_payments'],
    });
    expect(hashFeatureView(mix())).toBe(hashFeatureView(productMix));
  });
});
