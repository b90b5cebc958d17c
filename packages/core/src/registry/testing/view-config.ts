/** The feature view the registry tests vary one field at a time (test fixture; not built). */
import { count, defineEntity, float64, int64, mysqlTable, where, type AnyEntity, type FeatureSpecs, type FeatureViewConfig } from '@asof/core';

export const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
export const source = mysqlTable({ name: 'invoices', table: 'invoices', timestampField: 'issued_at' });

/** A view configuration of any shape. */
export type Config = FeatureViewConfig<string, readonly AnyEntity[], FeatureSpecs>;

/** The base configuration, with `over` replacing any of its fields. */
export const config = (over: Partial<Config> = {}): Config => ({
  name: 'account_invoices',
  entities: [account],
  source,
  ttl: '365d',
  features: {
    amount: float64(),
    late_90d: count({ window: '90d', where: [where('days_late', '>', 0), where('status', '=', 'open')] }),
  },
  ...over,
});
