import { describe, expect, it } from 'vitest';
import {
  count,
  createRegistry,
  decimal,
  DefinitionError,
  Registry,
  defineEntity,
  defineFeatureView,
  FeatureNotFoundError,
  float64,
  int32,
  int64,
  isFeatureView,
  max,
  mysqlTable,
  parquetSource,
  string,
  sum,
  timestamp,
  where,
  type DType,
} from '@asof/core';

const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
const company = defineEntity({ name: 'company', joinKeys: { company_id: int64() } });
const invoices = mysqlTable({ name: 'invoices', table: 'invoices', timestampField: 'issued_at', createdTimestampField: 'created_at' });
const typed = parquetSource({
  name: 'typed_invoices',
  path: 'invoices.parquet',
  timestampField: 'issued_at',
  columns: { account_id: int64(), issued_at: timestamp(), amount: float64(), status: string(), days_late: int32() },
});

const base = { name: 'account_invoices', entities: [account], source: invoices, features: { amount: float64() } } as const;

describe('defineFeatureView', () => {
  it('applies defaults from the source', () => {
    const v = defineFeatureView(base);
    expect(v).toMatchObject({
      kind: 'feature_view',
      name: 'account_invoices',
      eventTime: 'issued_at',
      createdTime: 'created_at',
      ttlMs: null,
      transform: null,
      description: undefined,
      tags: {},
      online: true,
      joinKeyNames: ['account_id'],
      featureNames: ['amount'],
    });
    expect(isFeatureView(v)).toBe(true);
  });

  it('publishes online with a 7-day horizon unless told otherwise', () => {
    expect(defineFeatureView(base)).toMatchObject({ online: true, onlineHorizonMs: 7 * 86_400_000 });
    expect(defineFeatureView({ ...base, online: { horizon: '2d' } })).toMatchObject({ online: true, onlineHorizonMs: 2 * 86_400_000 });
    expect(defineFeatureView({ ...base, online: {} })).toMatchObject({ online: true, onlineHorizonMs: 7 * 86_400_000 });
    expect(defineFeatureView({ ...base, online: false })).toMatchObject({ online: false, onlineHorizonMs: 7 * 86_400_000 });
  });

  it('merges join keys of several entities in order and accepts a shared key with one dtype', () => {
    const accountInCompany = defineEntity({ name: 'account_in_company', joinKeys: { company_id: int64(), account_id: int64() } });
    const v = defineFeatureView({ ...base, entities: [account, company, accountInCompany] });
    expect(v.joinKeyNames).toEqual(['account_id', 'company_id']);
    expect(v.joinKeys).toEqual({ account_id: int64(), company_id: int64() });
  });

  it('mixes aggregations and plain features, and converts the ttl', () => {
    const v = defineFeatureView({
      ...base,
      ttl: '365d',
      eventTime: 'paid_at',
      createdTime: null,
      features: {
        amount: float64(),
        late_90d: count({ window: '90d', where: where('days_late', '>', 0) }),
        total_90d: sum('amount', { window: { days: 90 } }),
      },
      description: 'invoices per account',
      tags: { team: 'finance' },
      online: false,
    });
    expect(v.ttlMs).toBe(365 * 86_400_000);
    expect(v.createdTime).toBeNull();
    expect(v.eventTime).toBe('paid_at');
    expect(v.features.late_90d).toMatchObject({ fn: 'count', column: null, windowMs: 90 * 86_400_000 });
    expect(v).toMatchObject({ description: 'invoices per account', tags: { team: 'finance' }, online: false });
  });

  it('is deeply frozen; mutation throws in strict mode', () => {
    const v = defineFeatureView({ ...base, features: { n: count({ window: '1d', where: { status: 'paid' } }) }, tags: { a: 'b' } });
    for (const part of [v, v.entities, v.joinKeys, v.features, v.features.n, v.features.n.where, v.features.n.where[0], v.tags, v.source, v.featureNames]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => {
      (v as { ttlMs: number | null }).ttlMs = 5;
    }).toThrow(TypeError);
    expect(() => {
      (v.features as Record<string, unknown>).extra = int64();
    }).toThrow(TypeError);
    expect(() => {
      (v.tags as Record<string, string>).a = 'c';
    }).toThrow(TypeError);
    expect(() => (v.entities as unknown as unknown[]).push(company)).toThrow(TypeError);
  });

  it('does not freeze or alias the config the caller passed', () => {
    const features: Record<string, DType> = { amount: float64() };
    const tags = { team: 'x' };
    const v = defineFeatureView({ ...base, features, tags });
    expect(Object.isFrozen(features)).toBe(false);
    expect(Object.isFrozen(tags)).toBe(false);
    features.other = int64();
    expect(v.featureNames).toEqual(['amount']);
  });

  it('keeps an executable transform with its source text', () => {
    const transform = (row: Record<string, unknown>) => (row.status === 'void' ? null : row);
    const v = defineFeatureView({ ...base, transform });
    expect(v.transform).toEqual({ fn: transform, source: transform.toString(), executable: true });
    expect(v.transform!.fn!({ status: 'void' })).toBeNull();
  });

  it('keeps a transform that returns several rows (derived events) or none', () => {
    const DAY = 86_400_000;
    const transform = (row: Record<string, unknown>) => {
      if (row.status === 'void') return null;
      const issued = row.issued_at as Date;
      const overdueAt = new Date(issued.getTime() + 30 * DAY);
      const paid = row.paid_at as Date | null;
      return [
        { ...row, event: 'issued', event_ts: issued },
        ...(paid === null || paid > overdueAt ? [{ ...row, event: 'overdue', event_ts: overdueAt }] : []),
        ...(paid === null ? [] : [{ ...row, event: 'paid', event_ts: paid }]),
      ];
    };
    const v = defineFeatureView({
      ...base,
      eventTime: 'event_ts',
      transform,
      features: { late_payments: count({ window: 'lifetime', where: { event: 'overdue' } }) },
    });
    const issued = new Date('2024-01-01T00:00:00Z');
    const out = v.transform!.fn!({ status: 'open', issued_at: issued, paid_at: new Date('2024-03-01T00:00:00Z') });
    expect((out as Record<string, unknown>[]).map((r) => r.event)).toEqual(['issued', 'overdue', 'paid']);
    expect(v.transform!.fn!({ status: 'open', issued_at: issued, paid_at: issued })).toHaveLength(2);
    expect(v.transform!.fn!({ status: 'void' })).toBeNull();
  });

  it('refuses a float64 sum of a declared decimal column, naming the decimal type to declare; a registry with one still loads', () => {
    const money = parquetSource({ name: 'money', path: 'm.parquet', timestampField: 'at', columns: { account_id: int64(), at: timestamp(), amount: decimal(12, 2) } });
    const spend = (type?: DType) => () =>
      defineFeatureView({ name: 'spend', entities: [account], source: money, features: { s: type ? sum('amount', { window: '1d', type }) : sum('amount', { window: '1d' }) } });
    expect(spend()).toThrow(DefinitionError);
    expect(spend()).toThrow(/feature 's' sums 'amount', a decimal\(12, 2\) column, as float64, which is not exact; declare type: decimal\(38, 2\)/);
    expect(spend(float64())).toThrow(/declare type: decimal\(38, 2\)/);
    expect(spend(decimal(38, 2))().features.s).toMatchObject({ dtype: { kind: 'decimal', precision: 38, scale: 2 } });
    // With a transform the columns are the transform's, unknown here: the run checks instead.
    expect(() => defineFeatureView({ name: 'spend', entities: [account], source: money, transform: (r) => r, features: { s: sum('amount', { window: '1d' }) } })).not.toThrow();
    // Documents written before this check load (their runs refuse the sum with the same advice).
    const doc = createRegistry(spend(decimal(38, 2))()).toJSON();
    const json = JSON.parse(JSON.stringify(doc).replace('{"kind":"decimal","precision":38,"scale":2}', '{"kind":"float64"}')) as typeof doc;
    delete (json.featureViews[0] as { hash?: string }).hash;
    expect(Registry.fromJSON(json).getFeatureView('spend').features.s).toMatchObject({ dtype: { kind: 'float64' } });
  });

  it('takes lifetime windows, stored as windowMs: null', () => {
    const v = defineFeatureView({ ...base, features: { n: count({ window: 'lifetime' }), top: max('amount', { window: 'lifetime', type: float64() }) } });
    expect(v.features.n).toMatchObject({ fn: 'count', windowMs: null });
    expect(v.features.top.windowMs).toBeNull();
    expect(() => defineFeatureView({ ...base, ttl: '1d', features: { n: count({ window: '1d' }), m: count({ window: '1d' }) } })).not.toThrow();
  });

  describe('ref', () => {
    const v = defineFeatureView({ ...base, features: { amount: float64(), late_90d: count({ window: '90d' }) } });

    it('returns a frozen typed reference', () => {
      const ref = v.ref('late_90d');
      expect(ref).toMatchObject({ kind: 'feature_ref', view: 'account_invoices', feature: 'late_90d', qualifiedName: 'account_invoices:late_90d' });
      expect(ref.dtype).toEqual(int64());
      expect(ref.featureView).toBe(v);
      expect(Object.isFrozen(ref)).toBe(true);
    });

    it('throws FeatureNotFoundError with the nearest name', () => {
      const call = () => v.ref('late_9d' as never);
      expect(call).toThrow(FeatureNotFoundError);
      expect(call).toThrow("unknown feature 'account_invoices:late_9d'; did you mean 'account_invoices:late_90d'?");
      expect(() => v.ref('toString' as never)).toThrow(FeatureNotFoundError);
    });
  });

  describe('validation', () => {
    const other = defineEntity({ name: 'other', joinKeys: { account_id: string() } });
    it.each([
      ['a bad name', { name: 'Account Invoices' }, /feature view name "Account Invoices".*'account_invoices'/],
      ['no entities', { entities: [] }, /needs entities/],
      ['a non-entity', { entities: [{ name: 'account' }] }, /must come from defineEntity/],
      ['a duplicate entity', { entities: [account, account] }, /lists entity 'account' twice/],
      ['conflicting join key dtypes', { entities: [account, other] }, /join key 'account_id' is int64 in one entity and string in 'other'/],
      ['no source', { source: { name: 'x' } }, /needs source/],
      ['no features', { features: {} }, /needs features/],
      ['a feature named like a join key', { features: { account_id: int64() } }, /feature 'account_id' has the name of a join key/],
      ['a feature named like the event time', { features: { issued_at: timestamp() } }, /has the name of a time column/],
      ['a feature named like the created time', { features: { created_at: timestamp() } }, /has the name of a time column/],
      ['a reserved feature name', { features: { event_ts: timestamp() } }, /has the name of a time column/],
      ['an invalid feature name', { features: { 'late-90d': int64() } }, /feature name "late-90d".*'late_90d'/],
      ['a forgotten dtype call', { features: { amount: float64 } }, /did you write int64 instead of int64\(\)/],
      ['a bogus spec', { features: { amount: { kind: 'money' } } }, /unknown dtype/],
      ['a bogus aggregation', { features: { n: { kind: 'aggregation', fn: 'median', column: 'x', windowMs: 1, where: [], dtype: int64() } } }, /unknown aggregation 'median'/],
      ['a bad ttl', { ttl: '3 days' }, /ttl "3 days" is not a duration/],
      ['a zero ttl', { ttl: 0 }, /ttl must be a positive/],
      ['a ttl shorter than a window', { ttl: '30d', features: { n: count({ window: '90d' }) } }, /ttl .* is shorter than the window of 'n'/],
      ['a lifetime window with a ttl', { ttl: '3650d', features: { n: count({ window: 'lifetime' }) } }, /'n' has a lifetime window, but ttl .* remove ttl/],
      ['a hand-built spec without a window', { features: { n: { kind: 'aggregation', fn: 'count', column: null, where: [], dtype: int64() } } }, /window must be a positive whole number of milliseconds or null/],
      ['equal time columns', { eventTime: 'created_at' }, /createdTime must differ from eventTime/],
      ['a time column that is a join key', { eventTime: 'account_id' }, /time column 'account_id' is also a join key/],
      ['a blank eventTime', { eventTime: '' }, /eventTime must be a column name/],
      ['a non-function transform', { transform: 'row => row' }, /transform must be a function/],
      ['bad tags', { tags: { team: 1 } }, /tags must be a record of string to string/],
      ['a bad online flag', { online: 'yes' }, /online must be true or false/],
      ['an unknown online option', { online: { horizn: '7d' } }, /online must be true or false, or \{ horizon: '7d' \}/],
      ['a zero online horizon', { online: { horizon: 0 } }, /online horizon must be a positive/],
      ['a malformed online horizon', { online: { horizon: 'a week' } }, /online horizon "a week" is not a duration/],
      ['a bad description', { description: 42 }, /description must be a string/],
    ])('rejects %s', (_, override, message) => {
      const build = () => defineFeatureView({ ...base, ...override } as never);
      expect(build).toThrow(DefinitionError);
      expect(build).toThrow(message);
    });

    it('rejects a missing config', () => {
      expect(() => defineFeatureView(undefined as never)).toThrow(/defineFeatureView takes one config object/);
    });

    it('checks columns against a source that declares them', () => {
      const ok = defineFeatureView({
        name: 'v',
        entities: [account],
        source: typed,
        features: { amount: float64(), worst: max('days_late', { window: '90d', type: int32(), where: { status: 'open' } }) },
      });
      expect(ok.featureNames).toEqual(['amount', 'worst']);
      const typo = () => defineFeatureView({ name: 'v', entities: [account], source: typed, features: { amout: float64() } });
      expect(typo).toThrow("reads column 'amout', which source 'typed_invoices' does not declare; did you mean 'amount'?");
      const filter = () =>
        defineFeatureView({ name: 'v', entities: [account], source: typed, features: { n: count({ window: '1d', where: { state: 'x' } }) } });
      expect(filter).toThrow(/reads column 'state'/);
      const key = () => defineFeatureView({ name: 'v', entities: [company], source: typed, features: { amount: float64() } });
      expect(key).toThrow(/reads column 'company_id'/);
    });

    it('skips the column check when a transform reshapes rows', () => {
      const v = defineFeatureView({
        name: 'v',
        entities: [account],
        source: typed,
        transform: (row) => ({ ...row, amount_eur: row.amount }),
        features: { amount_eur: float64() },
      });
      expect(v.featureNames).toEqual(['amount_eur']);
    });
  });
});
