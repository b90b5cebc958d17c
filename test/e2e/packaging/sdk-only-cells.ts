/**
 * A notebook's cells as one module, for the packaging test's declaration
 * check: a user who installed only `@asof/sdk` and names features by string.
 * Nothing is annotated, so `tsc --declaration` (what tslab runs on every
 * cell) must name every inferred type through `@asof/sdk` alone.
 */
import { FeatureStore } from '@asof/sdk';

/** Every public entry point a notebook uses, returned so each result's type is emitted. */
export async function cells(root: string) {
  const store = await FeatureStore.open({ root });
  const training = await store.getHistoricalFeatures({
    entities: [{ account_id: 1n, event_timestamp: new Date('2025-01-15T00:00:00Z') }],
    features: ['spend:invoices', 'spend:total'],
  });
  const rows = training.toArray();
  const snapshot = await store.asOf('2025-01-15T00:00:00Z', { features: ['spend:*'] });
  const wide = await store.compare('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z', { features: ['spend:total'] });
  const long = await store.compare('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z', { features: ['spend:total'], format: 'long' });
  const longRows = long.toArray();
  const online = await store.getOnlineFeatures({ features: ['spend:invoices'], entities: [{ account_id: 1n }] });
  const onlineTable = online.toTable();
  const html = training.toHTML({ maxRows: 5 });
  const view = store.registry.getFeatureView('spend');
  const resolved = store.registry.resolveFeatures(['spend:total']);
  const offlineSnapshot = await store.offline.snapshot('spend');
  return { store, training, rows, snapshot, wide, long, longRows, online, onlineTable, html, view, resolved, offlineSnapshot, onlineStore: store.online };
}
