/** Result rows follow the refs, views and services passed as features. */
import { expectTypeOf, it } from 'vitest';
import type { ChangeOf, CompareLongRow, FeatureValues, HistoricalRow, SnapshotRow } from './types.js';
import type { payments, risk, scoring } from './testing/fixture.js';

type R = typeof risk;

it('types features from refs, naming collisions view__feature', () => {
  type Refs = [ReturnType<typeof payments.ref<'amount'>>, ReturnType<typeof risk.ref<'amount'>>, ReturnType<typeof risk.ref<'score'>>];
  expectTypeOf<FeatureValues<Refs>>().toEqualTypeOf<{ payments__amount: number | null; risk__amount: bigint | null; score: number | null }>();
  expectTypeOf<SnapshotRow<[ReturnType<typeof risk.ref<'score'>>]>>().toEqualTypeOf<{ account_id: bigint; score: number | null }>();
  expectTypeOf<HistoricalRow<{ account_id: number; event_timestamp: string }, [ReturnType<typeof payments.ref<'status'>>]>>().toEqualTypeOf<{
    account_id: bigint;
    event_timestamp: Date;
    status: string | null;
  }>();
  expectTypeOf<FeatureValues<[R]>>().toEqualTypeOf<{ score: number | null; amount: bigint | null }>();
  expectTypeOf<FeatureValues<[typeof scoring]>>().toMatchTypeOf<{ status: string | null; score: number | null }>();
  expectTypeOf<FeatureValues<['payments:amount']>>().toEqualTypeOf<{ [x: string]: unknown }>();
});

it('types the long comparison as a union over the features, narrowed by `feature`', () => {
  type Long = CompareLongRow<[ReturnType<typeof risk.ref<'amount'>>, ReturnType<typeof payments.ref<'status'>>]>;
  expectTypeOf<Long['feature']>().toEqualTypeOf<'amount' | 'status'>();
  expectTypeOf<Extract<Long, { feature: 'amount' }>>().toEqualTypeOf<{
    account_id: bigint;
    feature: 'amount';
    before: bigint | null;
    after: bigint | null;
    change: bigint | 'added' | 'removed' | 'changed';
  }>();
  expectTypeOf<Extract<Long, { feature: 'status' }>['change']>().toEqualTypeOf<string>();
  expectTypeOf<ChangeOf<number | null>>().toEqualTypeOf<number | 'added' | 'removed'>();
  expectTypeOf<ChangeOf<Date | null>>().toEqualTypeOf<'added' | 'removed' | 'changed'>();
  expectTypeOf<CompareLongRow<['payments:amount']>>().toEqualTypeOf<{ feature: string; before: unknown; after: unknown; change: unknown }>();
});
