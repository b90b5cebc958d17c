import { keyBuckets, readMicrosColumn, tableToRows, takeTable, type AnyFeatureView, type OfflineStore, type OnlineStore } from '@asof/core';
import { Table } from 'apache-arrow';
import { SpillBuckets } from '@asof/stores';
import type { AffectedEntities } from '../affected/affected-entities.js';
import { rowCount, withTombstones } from '../view-rows.js';
import { latestAt } from './online-rows.js';

/** What {@link publishOnline} did for one view. */
export interface PublishResult {
  readonly view: string;
  readonly entities: number;
  /** Rows written to the online store (the others already held the same row). */
  readonly written: number;
}

/**
 * Publishes to the online store the row each entity shows at `at` (the
 * offline point-in-time answer: latest change point at or before `at`,
 * tombstones included). Values are never recomputed here: the offline rows
 * are the truth, and `at` only picks which precomputed change point is
 * current, so window expiries and due dates that have come to pass since the
 * data last changed reach the online store on the next publish. Rows the
 * online store already holds (same event and created time) are not written
 * again. Works a bucket of entities at a time. The publish stage of a run:
 * `affected` names the entities it recomputed (every one, today).
 */
export async function publishOnline(
  store: OfflineStore,
  online: OnlineStore,
  view: AnyFeatureView,
  at: bigint,
  options: { readonly memoryBudgetRows?: number; readonly signal?: AbortSignal; readonly affected?: AffectedEntities } = {},
): Promise<PublishResult> {
  const budget = options.memoryBudgetRows ?? 1_000_000;
  const buckets = Math.max(1, Math.ceil((await rowCount(store, view.name, options.signal)) / budget));
  const spill = new SpillBuckets(buckets, Math.max(1, Math.floor(budget / buckets)));
  let entities = 0;
  let written = 0;
  try {
    for await (const batch of store.scan(view.name, { signal: options.signal })) {
      await spill.add(batch, keyBuckets(batch as unknown as Table, view.joinKeyNames, buckets));
    }
    for (let b = 0; b < buckets; b++) {
      const rows = await spill.read(b);
      if (!rows) continue;
      const latest = latestAt(view, withTombstones(rows, view), at);
      entities += latest.numRows;
      const keys = tableToRows(latest.select(view.joinKeyNames as string[]));
      const stored = await online.read(view, keys, { at, consistent: true, features: [], signal: options.signal });
      const eventTs = readMicrosColumn(latest, 'event_ts').micros;
      const createdTs = readMicrosColumn(latest, 'created_ts').micros;
      const changed: number[] = [];
      stored.rows.forEach((row, i) => {
        if (row.eventTs !== eventTs[i] || row.createdTs !== createdTs[i]) changed.push(i);
      });
      if (changed.length === 0) continue;
      const result = await online.write(view, takeTable(latest, Int32Array.from(changed)), { signal: options.signal });
      written += result.written;
    }
    return { view: view.name, entities, written };
  } finally {
    await spill.close();
  }
}
