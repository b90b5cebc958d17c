/**
 * A notebook's cells as one module, for the packaging test's declaration
 * check: a user who defines features with `@asof/core` and reads them with
 * `@asof/sdk`; refs, views and services type the results, and every
 * inferred type must be nameable from the user's own module.
 */
import { defineEntity, defineFeatureService, defineFeatureView, float64, int64, parquetSource, timestamp } from '@asof/core';
import { FeatureStore } from '@asof/sdk';

export const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
const payments = parquetSource({ name: 'payments', path: 'payments.parquet', timestampField: 'ts' });
export const spend = defineFeatureView({
  name: 'spend',
  entities: [account],
  source: payments,
  features: { total: float64(), invoices: int64(), last_paid_at: timestamp() },
});
export const scoring = defineFeatureService({ name: 'scoring', features: [spend.ref('total'), spend.ref('invoices')] });

/** The typed entry points, returned so each result's type is emitted. */
export async function cells(root: string) {
  const store = await FeatureStore.open({ root });
  const training = await store.getHistoricalFeatures({
    entities: [{ account_id: 1n, event_timestamp: new Date('2025-01-15T00:00:00Z'), label: true }],
    features: [spend.ref('invoices'), spend.ref('last_paid_at')],
  });
  const rows = training.toArray();
  const snapshot = await store.asOf('2025-01-15T00:00:00Z', { features: [spend] });
  const service = await store.asOf('2025-01-15T00:00:00Z', { features: [scoring] });
  const wide = await store.compare('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z', { features: [spend] });
  const long = await store.compare('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z', { features: [spend.ref('total'), spend.ref('invoices')], format: 'long' });
  const longRows = long.toArray();
  const online = await store.getOnlineFeatures({ features: [scoring], entities: [{ account_id: 1n }] });
  // The row types survive the published .d.ts (an `any` would fail these too).
  const typed: [
    Equal<(typeof rows)[number]['invoices'], bigint | null>,
    Equal<(typeof rows)[number]['label'], boolean>,
    Equal<(typeof rows)[number]['last_paid_at'], Date | null>,
    Equal<(typeof longRows)[number]['feature'], 'total' | 'invoices'>,
    Equal<Extract<(typeof longRows)[number], { feature: 'invoices' }>['change'], bigint | 'added' | 'removed' | 'changed'>,
    Equal<Extract<(typeof longRows)[number], { feature: 'total' }>['before'], number | null>,
  ] = [true, true, true, true, true, true];
  return { store, training, rows, snapshot, service, wide, long, longRows, online, typed, first: rows[0]?.invoices };
}

/** True when `A` and `B` are the same type (`any` equals only `any`). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
