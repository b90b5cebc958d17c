import { count, csvSource, defineEntity, defineFeatureView, float64, int64, last, max, sum, timestamp, where } from '@asof/core';

/** The entity every demo feature describes. */
export const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });

/** Payment events: one row per invoice paid, with how late it was. */
export const payments = csvSource({
  name: 'payments',
  path: 'payments.csv',
  timestampField: 'paid_at',
  createdTimestampField: 'recorded_at',
  columns: {
    account_id: int64(),
    paid_at: timestamp(),
    recorded_at: timestamp(),
    amount: float64(),
    days_late: int64(),
  },
});

/** Late-payment behaviour per account, exact at every instant. */
export const latePayments = defineFeatureView({
  name: 'late_payments',
  entities: [account],
  source: payments,
  ttl: '365d',
  features: {
    payments_90d: count({ window: '90d' }),
    late_payments_90d: count({ window: '90d', where: where('days_late', '>', 0n) }),
    paid_90d: sum('amount', { window: '90d' }),
    max_days_late_365d: max('days_late', { window: '365d', type: int64() }),
    last_days_late: last('days_late', { window: '365d', type: int64() }),
  },
});
