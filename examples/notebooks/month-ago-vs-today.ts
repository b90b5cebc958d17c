/**
 * Notebook: what did our accounts' features look like a month ago, and
 * what changed since? `compare` lists, per account, each feature then and
 * now, keeping only the accounts where something changed.
 *
 *   pnpm demo && pnpm tsx --conditions=asof-source examples/notebooks/month-ago-vs-today.ts
 */
import { FeatureStore } from '@asof/sdk';
import { latePayments, productMix } from '../trs/features.js';

/** "Today" in the demo's world: its last extract. */
export const TODAY = '2025-09-30T23:59:59Z';
const MONTH_AGO = '2025-08-31T23:59:59Z';

/** Prints which accounts changed between a month ago and today; returns the comparison. */
export async function run(store: FeatureStore, print: (text: string) => void = console.log) {
  const changes = await store.compare(MONTH_AGO, TODAY, {
    features: [latePayments.ref('overdue_invoices'), latePayments.ref('late_paid_90d'), productMix.ref('distinct_skus_90d')],
  });
  print(changes.format({ maxRows: 10 }));
  // And one account in full, as the store knew it a month ago versus now.
  const then = await store.asOf(MONTH_AGO, { features: [latePayments], entities: [{ account_id: 1n }] });
  const now = await store.asOf(TODAY, { features: [latePayments], entities: [{ account_id: 1n }] });
  print(`account 1 a month ago:\n${then.format()}\naccount 1 today:\n${now.format()}`);
  return changes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const store = await FeatureStore.open({ root: process.env.ASOF_ROOT ?? '.asof-demo' });
  await run(store);
  await store.close();
}
