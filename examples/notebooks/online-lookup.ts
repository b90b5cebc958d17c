/**
 * Notebook: what a model in production reads. `getOnlineFeatures` looks
 * the values up by key in the online store (the embedded LMDB store of the
 * demo, or DynamoDB), with a status per feature: present, missing (no row,
 * or a deleted one), expired (older than the view's TTL) or stale (later
 * than the horizon the last publish stored). The demo's last run is on
 * 2025-09-30 and publishes 7 days ahead, so this reads as a model would
 * have on 1 October 2025 (exactly the offline answer then); read now and
 * every known account says stale, never a value a year old.
 *
 *   pnpm demo && pnpm tsx --conditions=asof-source examples/notebooks/online-lookup.ts
 */
import { FeatureStore } from '@asof/sdk';
import { latePayments, productMix } from '../trs/features.js';

/** The day after the demo's last run, inside the horizon it published. */
export const AT = '2025-10-01T00:00:00Z';

/** Prints online features for a few accounts (one of them unknown) at {@link AT}; returns them. */
export async function run(store: FeatureStore, print: (text: string) => void = console.log) {
  const online = await store.getOnlineFeatures({
    features: [latePayments.ref('overdue_invoices'), latePayments.ref('late_paid_90d'), productMix.ref('spend_90d')],
    entities: [{ account_id: 1n }, { account_id: 2n }, { account_id: 999_999n }],
    at: AT,
  });
  print(String(online));
  print(`statuses of account 999999: ${JSON.stringify(online.statuses[2])}`);
  return online;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const store = await FeatureStore.open({ root: process.env.ASOF_ROOT ?? '.asof-demo' });
  await run(store);
  await store.close();
}
