/** Result rows follow the refs, views and services passed as features. */
import { expectTypeOf, it } from 'vitest';
import type { FeatureValues, HistoricalRow, SnapshotRow } from './types.js';
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
