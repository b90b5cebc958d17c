import { describe, expect, it } from 'vitest';
import {
  collectSet,
  count,
  createRegistry,
  csvSource,
  decimal,
  DefinitionError,
  defineEntity,
  defineFeatureService,
  defineFeatureView,
  float64,
  int32,
  int64,
  last,
  list,
  mysqlQuery,
  mysqlTable,
  parquetSource,
  Registry,
  REGISTRY_FORMAT,
  string,
  sum,
  timestamp,
  where,
  type RegistryDocument,
} from '@asof/core';

function build() {
  const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() }, description: 'a customer account' });
  const line = defineEntity({ name: 'line', joinKeys: { invoice_id: int64(), line_no: int32() } });
  const invoices = mysqlTable({
    name: 'invoices',
    table: 'trs.invoices',
    timestampField: 'issued_at',
    createdTimestampField: 'created_at',
    updatedAtField: 'updated_at',
    columns: { account_id: int64(), issued_at: timestamp(), created_at: timestamp(), updated_at: timestamp(), amount: decimal(12, 2), days_late: int32(), status: string() },
  });
  const view = defineFeatureView({
    name: 'account_invoices',
    entities: [account],
    source: invoices,
    ttl: '400d',
    features: {
      amount: decimal(12, 2),
      late_90d: count({ window: '90d', where: [where('days_late', '>', 0n), where('status', 'in', ['open', 'overdue'])] }),
      big_late: count('amount', { window: '365d', where: { days_late: 9_007_199_254_740_993n, status: null } }),
      total: sum('amount', { window: '90d', type: decimal(18, 2) }),
      statuses: collectSet('status', { window: '30d', type: string() }),
      last_status: last('status', { window: '30d', type: string() }),
    },
    description: 'invoices by account',
    tags: { team: 'finance' },
  });
  const lines = defineFeatureView({
    name: 'lines',
    entities: [line],
    source: mysqlQuery({ name: 'line_items', sql: 'SELECT * FROM invoice_line_items', timestampField: 'issued_at' }),
    transform: (row) => (row.qty === 0 ? null : { ...row, skus: [row.sku] }),
    features: { skus: list(string()), qty: int32() },
    online: false,
  });
  const files = defineFeatureView({
    name: 'file_events',
    entities: [account],
    source: parquetSource({ name: 'events', path: 's3://bucket/events/*.parquet', timestampField: 'ts' }),
    features: { score: float64() },
  });
  const csv = defineFeatureView({
    name: 'csv_events',
    entities: [account],
    source: csvSource({ name: 'csv', path: 'events.csv', timestampField: 'ts', delimiter: ';' }),
    features: { score: float64() },
  });
  const service = defineFeatureService({ name: 'model', features: [view, lines.ref('qty')], description: 'a model' });
  return { account, view, lines, files, csv, service, registry: createRegistry(service, files, csv) };
}

describe('registry JSON', () => {
  it('writes a plain, versioned, sorted document that survives JSON text', () => {
    const { registry } = build();
    const doc = registry.toJSON();
    expect(doc).toMatchObject({ format: REGISTRY_FORMAT, version: 1 });
    expect(doc.featureViews.map((v) => v.name)).toEqual(['account_invoices', 'csv_events', 'file_events', 'lines']);
    const text = JSON.stringify(registry);
    expect(JSON.parse(text)).toEqual(doc);
    expect(text).toContain('{"$bigint":"9007199254740993"}');
    expect(doc.featureServices).toEqual([{ name: 'model', features: ['account_invoices:*', 'lines:qty'], description: 'a model' }]);
  });

  it('round-trips: rebuilt definitions serialise identically and keep their hashes', () => {
    const { registry, view } = build();
    const doc = JSON.parse(JSON.stringify(registry)) as RegistryDocument;
    const loaded = Registry.fromJSON(doc);
    expect(loaded.toJSON()).toEqual(doc);
    expect(Registry.fromJSON(JSON.stringify(doc)).toJSON()).toEqual(doc);
    for (const v of registry.listFeatureViews()) expect(loaded.hashOf(v.name)).toBe(registry.hashOf(v.name));
    const rebuilt = loaded.getFeatureView('account_invoices');
    expect(rebuilt.features.big_late).toEqual(view.features.big_late);
    expect(rebuilt.features.late_90d).toEqual(view.features.late_90d);
    expect(rebuilt.ttlMs).toBe(view.ttlMs);
    expect(rebuilt.joinKeys).toEqual(view.joinKeys);
    expect(Object.isFrozen(rebuilt.features.late_90d)).toBe(true);
    expect(loaded.getFeatureService('model').featureNames).toEqual(registry.getFeatureService('model').featureNames);
    expect(loaded.resolveFeatures([view.ref('amount')])[0]!.featureView).toBe(rebuilt);
  });

  it('keeps an online horizon other than the default, and leaves the default out of the document', () => {
    const { account } = build();
    const source = parquetSource({ name: 'events', path: 'e.parquet', timestampField: 'ts' });
    const short = defineFeatureView({ name: 'short', entities: [account], source, features: { n: count({ window: '1d' }) }, online: { horizon: '36h' } });
    const plain = defineFeatureView({ name: 'plain', entities: [account], source, features: { n: count({ window: '1d' }) } });
    const doc = createRegistry(short, plain).toJSON();
    expect(doc.featureViews.map((v) => [v.name, v.online, v.onlineHorizonMs])).toEqual([
      ['plain', true, undefined],
      ['short', true, 36 * 3_600_000],
    ]);
    const loaded = Registry.fromJSON(JSON.parse(JSON.stringify(doc)) as RegistryDocument);
    expect(loaded.getFeatureView('short').onlineHorizonMs).toBe(36 * 3_600_000);
    expect(loaded.getFeatureView('plain').onlineHorizonMs).toBe(7 * 86_400_000);
    expect(loaded.toJSON()).toEqual(doc);
  });

  it('keeps a transform as text, not executable, and prefers an identical definition from code', () => {
    const { registry, lines } = build();
    const loaded = Registry.fromJSON(registry.toJSON());
    const t = loaded.getFeatureView('lines').transform!;
    expect(t).toEqual({ fn: null, source: lines.transform!.source, executable: false });
    loaded.register(lines);
    expect(loaded.getFeatureView('lines')).toBe(lines);
  });

  it('rejects documents it cannot read', () => {
    const doc = build().registry.toJSON();
    expect(() => Registry.fromJSON({ ...doc, format: 'other' })).toThrow(/not a registry document/);
    expect(() => Registry.fromJSON({ ...doc, version: 2 })).toThrow(/version 2 is not supported.*upgrade @asof\/core/);
    expect(() => Registry.fromJSON('{')).toThrow(/not valid JSON/);
    expect(() => Registry.fromJSON(null)).toThrow(DefinitionError);
    expect(() => Registry.fromJSON({ ...doc, sources: undefined })).toThrow(/'sources' must be a list/);
    expect(() => Registry.fromJSON({ ...doc, sources: doc.sources.filter((s) => s.name !== 'events') })).toThrow(
      /feature view 'file_events' uses source 'events', which the document does not define/,
    );
  });

  it('detects a hand edit by hash, and accepts it once the hash is removed', () => {
    const doc = build().registry.toJSON();
    const edited = structuredClone(doc) as unknown as { featureViews: { name: string; ttlMs: number | null; hash?: string }[] };
    const view = edited.featureViews.find((v) => v.name === 'account_invoices')!;
    view.ttlMs = 500 * 86_400_000;
    expect(() => Registry.fromJSON(edited)).toThrow(/does not match its stored hash/);
    delete view.hash;
    expect(Registry.fromJSON(edited).getFeatureView('account_invoices').ttlMs).toBe(500 * 86_400_000);
  });

  it('re-validates rebuilt definitions', () => {
    const doc = structuredClone(build().registry.toJSON()) as unknown as { entities: { name: string }[] };
    doc.entities[0]!.name = 'Account';
    expect(() => Registry.fromJSON(doc)).toThrow(/entity name "Account"/);
    const bad = structuredClone(build().registry.toJSON()) as unknown as { featureViews: { features: { where?: { value?: unknown }[] }[]; hash?: string }[] };
    bad.featureViews[0]!.features[1]!.where![0]!.value = { $bigint: '1.5' };
    delete bad.featureViews[0]!.hash;
    expect(() => Registry.fromJSON(bad)).toThrow(/is not a filter value/);
  });
});
