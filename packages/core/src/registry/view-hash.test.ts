import { describe, expect, it } from 'vitest';
import {
  count,
  defineEntity,
  defineFeatureView,
  float64,
  hashFeatureView,
  int32,
  int64,
  mysqlTable,
  string,
  where,
  type RowTransform,
} from '@asof/core';
import { account, config, source, type Config } from './testing/view-config.js';

const hash = (over: Partial<Config> = {}) => hashFeatureView(defineFeatureView(config(over)));

describe('hashFeatureView', () => {
  it('is a stable sha256 of the definition', () => {
    expect(hash()).toMatch(/^[0-9a-f]{64}$/);
    expect(hash()).toBe(hash());
  });

  it('has not changed for views without primary keys, lookups or lifetime windows', () => {
    // Pinned before those existed: adding them must not make every applied view look changed.
    expect(hash()).toBe('80f69af7f66c1a03ef7415d159f5e7899de6555d01af66c013647a35ea4d8f55');
  });

  it('ignores key order, feature order and predicate order', () => {
    const reordered = hash({
      features: {
        late_90d: count({ where: [where('status', '=', 'open'), where('days_late', '>', 0)], window: { days: 90 } }),
        amount: float64(),
      },
    });
    expect(reordered).toBe(hash());
    expect(hash({ ttl: { days: 365 } })).toBe(hash({ ttl: 365 * 86_400_000 }));
  });

  it('ignores descriptions, tags and the online flag', () => {
    expect(hash({ description: 'x', tags: { team: 'a' }, online: false })).toBe(hash());
  });

  it('ignores the online horizon: publishing further ahead needs no re-materializing', () => {
    expect(hash({ online: { horizon: '2d' } })).toBe(hash());
  });

  it.each<[string, Partial<Config>]>([
    ['the window', { features: { amount: float64(), late_90d: count({ window: '91d', where: [where('days_late', '>', 0), where('status', '=', 'open')] }) } }],
    ['a filter value', { features: { amount: float64(), late_90d: count({ window: '90d', where: [where('days_late', '>', 1), where('status', '=', 'open')] }) } }],
    ['a filter literal type (bigint vs number)', { features: { amount: float64(), late_90d: count({ window: '90d', where: [where('days_late', '>', 0n), where('status', '=', 'open')] }) } }],
    ['the ttl', { ttl: '366d' }],
    ['no ttl', { ttl: null }],
    ['a dtype', { features: { amount: int32(), late_90d: count({ window: '90d', where: [where('days_late', '>', 0), where('status', '=', 'open')] }) } }],
    ['a feature name', { features: { amount_eur: float64(), late_90d: count({ window: '90d', where: [where('days_late', '>', 0), where('status', '=', 'open')] }) } }],
    ['the event time', { eventTime: 'paid_at' }],
    ['the created time', { createdTime: 'created_at' }],
    ['the transform', { transform: (row) => row }],
    ['the entity keys', { entities: [defineEntity({ name: 'account', joinKeys: { account_id: string() } })] }],
    ['the source', { source: mysqlTable({ name: 'invoices', table: 'invoices_v2', timestampField: 'issued_at' }) }],
    ["the source's primary key", { source: mysqlTable({ name: 'invoices', table: 'invoices', timestampField: 'issued_at', primaryKey: ['invoice_id'] }) }],
  ])('changes with %s', (_, over) => {
    expect(hash(over)).not.toBe(hash());
  });

  it('changes with the transform text, not with the function object', () => {
    const a: RowTransform = (row) => ({ ...row, x: 1 });
    const b: RowTransform = (row) => ({ ...row, x: 1 });
    const c: RowTransform = (row) => ({ ...row, x: 2 });
    expect(hash({ transform: a })).toBe(hash({ transform: b }));
    expect(hash({ transform: a })).not.toBe(hash({ transform: c }));
  });

  it('keeps join key order significant: it is the layout of a composite key', () => {
    const ab = defineEntity({ name: 'pair', joinKeys: { a: int64(), b: int64() } });
    const ba = defineEntity({ name: 'pair', joinKeys: { b: int64(), a: int64() } });
    expect(hash({ entities: [ab] })).not.toBe(hash({ entities: [ba] }));
  });
});
