import { describe, expect, it } from 'vitest';
import { count, DefinitionError, defineEntity, defineFeatureService, defineFeatureView, float64, int64, isFeatureService, mysqlTable } from '@asof/core';

const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
const source = mysqlTable({ name: 'invoices', table: 'invoices', timestampField: 'issued_at' });
const invoices = defineFeatureView({
  name: 'invoices',
  entities: [account],
  source,
  features: { amount: float64(), n_90d: count({ window: '90d' }) },
});
const payments = defineFeatureView({ name: 'payments', entities: [account], source, features: { paid: float64() } });

describe('defineFeatureService', () => {
  it('resolves views and refs to qualified names, once each, in order', () => {
    const s = defineFeatureService({
      name: 'churn_model',
      features: [payments.ref('paid'), invoices, invoices.ref('amount')],
      description: 'what the churn model reads',
    });
    expect(isFeatureService(s)).toBe(true);
    expect(s.featureNames).toEqual(['payments:paid', 'invoices:amount', 'invoices:n_90d']);
    expect(s.views).toEqual([payments, invoices]);
    expect(s.description).toBe('what the churn model reads');
    expect(Object.isFrozen(s) && Object.isFrozen(s.features) && Object.isFrozen(s.featureNames)).toBe(true);
    expect(() => (s.featureNames as string[]).push('x')).toThrow(TypeError);
  });

  it.each([
    ['a bad name', { name: 'Churn' }, /feature service name "Churn".*'churn'/],
    ['no features', { features: [] }, /needs features/],
    ['a string item', { features: ['invoices:amount'] }, /must be a feature view or a ref/],
    ['a bad description', { description: 1 }, /description must be a string/],
  ])('rejects %s', (_, override, message) => {
    const build = () => defineFeatureService({ name: 'churn', features: [invoices], ...override } as never);
    expect(build).toThrow(DefinitionError);
    expect(build).toThrow(message);
  });

  it('rejects two different objects for the same view name', () => {
    const copy = defineFeatureView({ name: 'invoices', entities: [account], source, features: { amount: float64() } });
    expect(() => defineFeatureService({ name: 's', features: [invoices, copy.ref('amount')] })).toThrow(/two different definitions of feature view 'invoices'/);
  });
});
