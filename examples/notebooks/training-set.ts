/**
 * Notebook: a training set without leakage. Each row asks "what did this
 * account look like at the end of month m", and its label is taken 90 days
 * later ("did it pay an invoice late in those 90 days?"). Features come
 * point in time, so nothing from after the row's instant leaks in.
 *
 * Run it in a TypeScript notebook (tslab: paste the body of `run`), or:
 *   pnpm demo && pnpm tsx --conditions=asof-source examples/notebooks/training-set.ts
 */
import { FeatureStore } from '@asof/sdk';
import { latePayments, productMix } from '../trs/features.js';

const DAY_MS = 86_400_000;

/** Builds and prints the training set; returns it for the caller (a notebook cell, a test). */
export async function run(store: FeatureStore, print: (text: string) => void = console.log) {
  // The spine: every account at every month end of the first half of 2025.
  const accounts = (await store.asOf('2025-06-30T00:00:00Z', { features: [latePayments.ref('invoices_90d')] })).toArray().map((r) => r.account_id);
  const monthEnds = ['2025-01-31', '2025-02-28', '2025-03-31', '2025-04-30', '2025-05-31', '2025-06-30'].map((d) => new Date(`${d}T23:59:59Z`));
  const spine = accounts.flatMap((account_id) => monthEnds.map((event_timestamp) => ({ account_id, event_timestamp })));

  const features = await store.getHistoricalFeatures({
    entities: spine,
    features: [latePayments.ref('overdue_invoices'), latePayments.ref('avg_days_to_pay_365d'), productMix.ref('spend_90d'), productMix.ref('distinct_skus_90d')],
  });
  // The label: late payments in the 90 days after each row's instant.
  const later = await store.getHistoricalFeatures({
    entities: spine.map((r) => ({ account_id: r.account_id, event_timestamp: new Date(r.event_timestamp.getTime() + 90 * DAY_MS) })),
    features: [latePayments.ref('late_paid_90d')],
  });
  const labels = later.toArray().map((r) => Number(r.late_paid_90d ?? 0n) > 0);
  const rows = features.toArray().map((r, i) => ({ ...r, label: labels[i]! }));

  print(features.format({ maxRows: 8 }));
  const positives = labels.filter(Boolean).length;
  print(`${rows.length} training rows, ${positives} positive (${((100 * positives) / Math.max(1, rows.length)).toFixed(1)}%)`);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const store = await FeatureStore.open({ root: process.env.ASOF_ROOT ?? '.asof-demo' });
  await run(store);
  await store.close();
}
