import { describe, expect, it } from 'vitest';
import {
  count,
  createRegistry,
  DefinitionError,
  defineEntity,
  defineFeatureService,
  defineFeatureView,
  FeatureNotFoundError,
  float64,
  int64,
  InvalidInputError,
  mysqlTable,
  Registry,
  string,
} from '@asof/core';

const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
const sku = defineEntity({ name: 'sku', joinKeys: { sku_id: string() } });
const invoicesSource = mysqlTable({ name: 'invoices', table: 'invoices', timestampField: 'issued_at' });
const linesSource = mysqlTable({ name: 'lines', table: 'invoice_line_items', timestampField: 'issued_at' });
const invoices = defineFeatureView({
  name: 'account_invoices',
  entities: [account],
  source: invoicesSource,
  features: { amount: float64(), late_90d: count({ window: '90d' }), total_90d: float64() },
});
const skuSales = defineFeatureView({ name: 'sku_sales', entities: [sku], source: linesSource, features: { units_30d: count({ window: '30d' }) } });
const churn = defineFeatureService({ name: 'churn', features: [invoices.ref('late_90d'), skuSales] });

describe('Registry', () => {
  it('registers views with their entities and sources, and services with their views', () => {
    const r = createRegistry(churn);
    expect(r.listFeatureViews()).toEqual([invoices, skuSales]);
    expect(r.listEntities().map((e) => e.name)).toEqual(['account', 'sku']);
    expect(r.listSources().map((s) => s.name)).toEqual(['invoices', 'lines']);
    expect(r.getFeatureService('churn')).toBe(churn);
    expect(r.getEntity('sku')).toBe(sku);
    expect(r.getSource('lines')).toBe(linesSource);
    expect(r.getFeatureView('sku_sales')).toBe(skuSales);
  });

  it('lists in name order whatever the registration order', () => {
    const r = new Registry().register(skuSales).register(invoices);
    expect(r.listFeatureViews().map((v) => v.name)).toEqual(['account_invoices', 'sku_sales']);
  });

  it('ignores re-registration of the same or an identical definition', () => {
    const again = defineFeatureView({
      name: 'account_invoices',
      entities: [defineEntity({ name: 'account', joinKeys: { account_id: int64() } })],
      source: invoicesSource,
      features: { amount: float64(), late_90d: count({ window: '90d' }), total_90d: float64() },
    });
    const r = createRegistry(invoices, invoices, again, account);
    expect(r.getFeatureView('account_invoices')).toBe(invoices);
  });

  it('rejects a different definition under a taken name', () => {
    const changed = defineFeatureView({ name: 'account_invoices', entities: [account], source: invoicesSource, features: { amount: float64() } });
    expect(() => createRegistry(invoices, changed)).toThrow(/feature view 'account_invoices' is already registered with a different definition/);
    const otherAccount = defineEntity({ name: 'account', joinKeys: { account_id: string() } });
    expect(() => createRegistry(invoices, otherAccount)).toThrow(/entity 'account' is already registered/);
    const otherSource = mysqlTable({ name: 'invoices', table: 'invoices_v2', timestampField: 'issued_at' });
    expect(() => createRegistry(invoices, otherSource)).toThrow(DefinitionError);
    expect(() => createRegistry({ kind: 'table' } as never)).toThrow(/register\(\) takes entities/);
  });

  it('throws FeatureNotFoundError with a suggestion on unknown names', () => {
    const r = createRegistry(churn);
    expect(() => r.getFeatureView('acount_invoices')).toThrow("unknown feature view 'acount_invoices'; did you mean 'account_invoices'?");
    expect(() => r.getEntity('skus')).toThrow(FeatureNotFoundError);
    expect(() => r.getSource('line')).toThrow(/did you mean 'lines'/);
    expect(() => r.getFeatureService('chrn')).toThrow(/did you mean 'churn'/);
    let caught: unknown;
    try {
      r.getFeatureView('sku_sale');
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'FEATURE_NOT_FOUND', reference: 'sku_sale', suggestion: 'sku_sales' });
  });
});

describe('resolveFeatures', () => {
  const r = createRegistry(churn, invoices);
  const names = (refs: Parameters<Registry['resolveFeatures']>[0]) => r.resolveFeatures(refs).map((f) => f.qualifiedName);

  it('resolves strings, refs, views and services in order, once each', () => {
    expect(names(['account_invoices:amount', invoices.ref('late_90d'), 'sku_sales:*', churn, invoices])).toEqual([
      'account_invoices:amount',
      'account_invoices:late_90d',
      'sku_sales:units_30d',
      'account_invoices:total_90d',
    ]);
    expect(names(['churn'])).toEqual(['account_invoices:late_90d', 'sku_sales:units_30d']);
  });

  it('returns the output dtype, the spec and the registered view', () => {
    const [late] = r.resolveFeatures(['account_invoices:late_90d']);
    expect(late).toMatchObject({ view: 'account_invoices', feature: 'late_90d', dtype: int64(), featureView: invoices });
    expect(late!.spec).toBe(invoices.features.late_90d);
    expect(Object.isFrozen(late)).toBe(true);
  });

  it('suggests the nearest feature, in the same view or another', () => {
    expect(() => r.resolveFeatures(['account_invoices:late_9d'])).toThrow(
      "unknown feature 'account_invoices:late_9d'; did you mean 'account_invoices:late_90d'?",
    );
    expect(() => r.resolveFeatures(['account_invoices:units_30d'])).toThrow(FeatureNotFoundError);
    expect(() => r.resolveFeatures(['sku_sale:units_30d'])).toThrow("unknown feature view 'sku_sale'; did you mean 'sku_sales'?");
  });

  it('explains malformed strings', () => {
    expect(() => r.resolveFeatures(['account_invoices'])).toThrow("write 'account_invoices:*' for all its features");
    expect(() => r.resolveFeatures(['a:b:c'])).toThrow(InvalidInputError);
    expect(() => r.resolveFeatures([''])).toThrow(/is not a feature reference/);
    expect(() => r.resolveFeatures(['chrun'])).toThrow("unknown feature service 'chrun'; did you mean 'churn'?");
    expect(() => r.resolveFeatures([42 as never])).toThrow(InvalidInputError);
    expect(() => r.resolveFeatures('account_invoices:amount' as never)).toThrow(/must be a list/);
  });

  it('rejects refs and views that are not registered or differ from the registered definition', () => {
    const stranger = defineFeatureView({ name: 'stranger', entities: [account], source: invoicesSource, features: { x: float64() } });
    expect(() => r.resolveFeatures([stranger.ref('x')])).toThrow(FeatureNotFoundError);
    const edited = defineFeatureView({
      name: 'account_invoices',
      entities: [account],
      source: invoicesSource,
      features: { amount: float64(), late_90d: count({ window: '60d' }), total_90d: float64() },
    });
    expect(() => r.resolveFeatures([edited.ref('amount')])).toThrow(/differs from its registered definition/);
    expect(() => r.resolveFeatures([edited])).toThrow(DefinitionError);
    const described = defineFeatureView({
      name: 'account_invoices',
      entities: [account],
      source: invoicesSource,
      features: { amount: float64(), late_90d: count({ window: '90d' }), total_90d: float64() },
      description: 'only the description changed',
    });
    expect(r.resolveFeatures([described.ref('amount')])[0]!.featureView).toBe(invoices);
  });

  it('resolves an unregistered service over registered views', () => {
    const adHoc = defineFeatureService({ name: 'ad_hoc', features: [skuSales.ref('units_30d')] });
    expect(names([adHoc])).toEqual(['sku_sales:units_30d']);
  });
});
