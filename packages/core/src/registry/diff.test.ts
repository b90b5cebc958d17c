import { describe, expect, it } from 'vitest';
import {
  count,
  createRegistry,
  defineEntity,
  defineFeatureView,
  diffRegistries,
  float64,
  int64,
  mysqlTable,
  where,
  type AnyEntity,
  type FeatureSpecs,
  type FeatureViewConfig,
} from '@asof/core';

const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
const source = mysqlTable({ name: 'invoices', table: 'invoices', timestampField: 'issued_at' });

type Config = FeatureViewConfig<string, readonly AnyEntity[], FeatureSpecs>;
const config = (over: Partial<Config> = {}): Config => ({
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

describe('diffRegistries', () => {
  it('reports added, removed, changed and unchanged views by hash', () => {
    const keep = defineFeatureView(config({ name: 'keep' }));
    const change = defineFeatureView(config({ name: 'change' }));
    const gone = defineFeatureView(config({ name: 'gone' }));
    const before = createRegistry(keep, change, gone);
    const after = createRegistry(
      defineFeatureView(config({ name: 'keep', description: 'docs only' })),
      defineFeatureView(config({ name: 'change', ttl: '400d' })),
      defineFeatureView(config({ name: 'added' })),
    );
    const diff = diffRegistries(before, after);
    expect(diff).toEqual({
      added: ['added'],
      removed: ['gone'],
      changed: [{ name: 'change', before: before.hashOf('change'), after: after.hashOf('change') }],
      unchanged: ['keep'],
    });
    expect(diffRegistries(before, before)).toEqual({ added: [], removed: [], changed: [], unchanged: ['change', 'gone', 'keep'] });
  });
});

