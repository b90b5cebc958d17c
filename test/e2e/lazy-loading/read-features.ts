/**
 * A notebook's first cell as a script: opens the store at argv[2] with the
 * SDK (its default online store, the CLI's `<root>/_online` LMDB), reads a
 * training row and an online row of account `argv[3]`, and prints them as
 * JSON (bigints as strings).
 */
import { FeatureStore } from '@asof/sdk';

const [root, account, at] = process.argv.slice(2);
const store = await FeatureStore.open({ root: root!, env: {} });
const training = await store.getHistoricalFeatures({
  entities: [{ account_id: BigInt(account!), event_timestamp: at! }],
  features: ['late_payments:invoices_90d', 'receivables:*'],
  acceptPastKnowledgeTime: true,
});
const online = await store.getOnlineFeatures({ features: ['late_payments:invoices_90d'], entities: [{ account_id: BigInt(account!) }], at: at! });
console.log(JSON.stringify({ online: store.online?.describe() ?? null, training: training.toArray(), lookup: online.rows }, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
await store.close();
