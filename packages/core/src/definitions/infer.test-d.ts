import { describe, expectTypeOf, it } from 'vitest';
import {
  avg,
  collectSet,
  count,
  decimal,
  defineEntity,
  defineFeatureService,
  defineFeatureView,
  float64,
  int32,
  int64,
  last,
  mysqlTable,
  string,
  sum,
  timestamp,
  bool,
  type AnyFeatureRef,
  type Decimal,
  type KeyDType,
  type AnyFeatureView,
  type FeatureRef,
  type InferEntityKey,
  type InferFeatureRow,
  type InferFeatureValue,
  type InferRefValue,
  type Lookup,
  type ResolvedLookup,
  type RowTransform,
} from '@asof/core';

type Expect<T extends true> = T;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
const companySku = defineEntity({ name: 'company_sku', joinKeys: { company_id: int32(), sku: string() } });
const invoices = mysqlTable({ name: 'invoices', table: 'invoices', timestampField: 'issued_at' });

const view = defineFeatureView({
  name: 'account_invoices',
  entities: [account, companySku],
  source: invoices,
  ttl: '365d',
  features: {
    amount: decimal(12, 2),
    status: string(),
    paid_at: timestamp(),
    invoices_90d: count({ window: '90d' }),
    total_90d: sum('amount', { window: '90d' }),
    total_cents_90d: sum('amount_cents', { window: '90d', type: int64() }),
    avg_days_late: avg('days_late', { window: '90d' }),
    last_status: last('status', { window: '90d', type: string() }),
    skus_90d: collectSet('sku', { window: '90d', type: string() }),
  },
});

type Row = InferFeatureRow<typeof view>;

const skus = mysqlTable({ name: 'skus', table: 'skus', timestampField: 'updated_at', primaryKey: ['sku_id'] });
const withLookups = defineFeatureView({
  name: 'product_mix',
  entities: [account],
  source: invoices,
  lookups: [{ source: skus, on: { sku_id: 'sku_id' }, at: 'issued_at', columns: { unit_price: 'retail_price' } }],
  transform: (row) => [row, { ...row, event: 'overdue' }],
  features: {
    spend: sum('unit_price', { window: 'lifetime', type: decimal(18, 2) }),
    lines: count({ window: 'lifetime' }),
    first_sku: last('sku', { window: 'lifetime', type: string() }),
  },
});

export type Tests = [
  Expect<Equal<InferEntityKey<typeof account>, { account_id: bigint }>>,
  Expect<Equal<InferEntityKey<typeof companySku>, { company_id: number; sku: string }>>,
  Expect<
    Equal<
      Row,
      {
        account_id: bigint;
        company_id: number;
        sku: string;
        amount: Decimal | null;
        status: string | null;
        paid_at: Date | null;
        invoices_90d: bigint | null;
        total_90d: number | null;
        total_cents_90d: bigint | null;
        avg_days_late: number | null;
        last_status: string | null;
        skus_90d: string[] | null;
      }
    >
  >,
  Expect<Equal<typeof view.name, 'account_invoices'>>,
  Expect<Equal<InferFeatureValue<typeof view, 'invoices_90d'>, bigint | null>>,
  Expect<Equal<InferRefValue<ReturnType<typeof view.ref<'skus_90d'>>>, string[] | null>>,
  Expect<Equal<InferFeatureRow<typeof withLookups>, { account_id: bigint; spend: Decimal | null; lines: bigint | null; first_sku: string | null }>>,
  Expect<Equal<(typeof withLookups)['lookups'], readonly ResolvedLookup[]>>,
  Expect<Equal<ReturnType<RowTransform>, Record<string, unknown> | readonly Record<string, unknown>[] | null>>,
];

describe('type inference', () => {
  it('types refs by view and feature', () => {
    const ref = view.ref('paid_at');
    expectTypeOf(ref.qualifiedName).toEqualTypeOf<'account_invoices:paid_at'>();
    expectTypeOf(ref.view).toEqualTypeOf<'account_invoices'>();
    expectTypeOf(ref.feature).toEqualTypeOf<'paid_at'>();
    expectTypeOf<InferRefValue<typeof ref>>().toEqualTypeOf<Date | null>();
    expectTypeOf(ref).toExtend<FeatureRef<typeof view, 'paid_at'>>();
    expectTypeOf(ref).toExtend<AnyFeatureRef>();
  });

  it('rejects unknown feature names at compile time', () => {
    // @ts-expect-error 'paid' is not a feature of the view
    view.ref('paid');
    // @ts-expect-error join keys are not features
    view.ref('account_id');
  });

  it('keeps concrete views assignable to the wide types', () => {
    expectTypeOf(view).toExtend<AnyFeatureView>();
    expectTypeOf(view.joinKeys).toEqualTypeOf<{
      readonly account_id: ReturnType<typeof int64>;
      readonly company_id: ReturnType<typeof int32>;
      readonly sku: ReturnType<typeof string>;
    }>();
    const service = defineFeatureService({ name: 'churn', features: [view, view.ref('amount')] });
    expectTypeOf(service.name).toEqualTypeOf<'churn'>();
  });

  it('types lookups, multi-row transforms and lifetime windows', () => {
    // @ts-expect-error `at` names a column
    const badAt: Lookup = { source: skus, on: { sku_id: 'sku_id' }, at: 5, columns: { p: 'price' } };
    // @ts-expect-error a transform returns rows, not values
    const badTransform: RowTransform = (row) => [row, 1];
    // @ts-expect-error 'forever' is neither a duration nor 'lifetime'
    count({ window: 'forever' });
    expectTypeOf(withLookups.features.lines.windowMs).toEqualTypeOf<number | null>();
    void [badAt, badTransform];
  });

  it('accepts only key-like dtypes for join keys', () => {
    // @ts-expect-error booleans cannot be join keys
    defineEntity({ name: 'flag', joinKeys: { flag: bool() } });
    // float64 shares int32's JS type, so only the runtime check rejects it.
    expectTypeOf(float64()).toExtend<KeyDType>();
  });
});
