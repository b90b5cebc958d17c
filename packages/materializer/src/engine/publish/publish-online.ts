import { formatMicros, keyBuckets, tableToRows, type AnyFeatureView, type OfflineStore, type OnlineStore } from '@asof/core';
import { SpillBuckets } from '@asof/stores';
import type { Table } from 'apache-arrow';
import { bucketTimelines, changedTimelines, unchangedTimelines } from './online-timelines.js';
import type { AffectedEntities } from '../affected/affected-entities.js';
import { withTombstones } from '../view-rows.js';

/** What {@link publishOnline} did for one view. */
export interface PublishResult {
  readonly view: string;
  /** Entities of the view's offline rows (each gets a timeline, empty when its first row is after the horizon end). */
  readonly entities: number;
  /** Entities whose timeline was written (the others still held: same rows, enough horizon left, or a newer one stored). */
  readonly written: number;
  /** Written entities whose timeline needed several items. */
  readonly split: number;
  /** Written entities whose timeline did not fit even split, stored up to an earlier horizon end (reads later are `stale`). */
  readonly shortened: readonly { readonly key: string; readonly horizonEnd: string }[];
  /** The publish instant and the horizon end, ISO-8601. */
  readonly publishedAt: string;
  readonly horizonEnd: string;
}

/**
 * Publishes to the online store each entity's timeline at `at`: the row a
 * point-in-time lookup chooses at `at` (tombstones included), then every
 * later change point up to the view's horizon (window expiries, due dates,
 * anything already computed), so a read at any instant up to the horizon
 * is exactly the offline answer, and a later one says `stale` until the
 * next publish moves the horizon. Values are never recomputed here: the
 * offline rows are the truth, and the instants only pick which
 * precomputed change points are in. An entity whose stored timeline still
 * holds is not written again (see `unchangedTimelines`). Works a bucket of
 * entities at a time, from one snapshot of the view (its version orders
 * racing publishes).
 */
export async function publishOnline(
  store: OfflineStore,
  online: OnlineStore,
  view: AnyFeatureView,
  at: bigint,
  options: {
    readonly memoryBudgetRows?: number;
    readonly signal?: AbortSignal;
    readonly horizonMs?: number;
    /** The entities the run recomputed (every one, today: the incremental issue narrows it). */
    readonly affected?: AffectedEntities;
  } = {},
): Promise<PublishResult> {
  const signal = options.signal;
  const horizonMs = options.horizonMs ?? view.onlineHorizonMs;
  const horizonEnd = at + BigInt(horizonMs) * 1000n;
  const budget = options.memoryBudgetRows ?? 1_000_000;
  const snapshot = await store.snapshot(view.name, { signal });
  const buckets = Math.max(1, Math.ceil(snapshot.files.reduce((n, f) => n + f.rows, 0) / budget));
  const spill = new SpillBuckets(buckets, Math.max(1, Math.floor(budget / buckets)));
  let entities = 0;
  let written = 0;
  let split = 0;
  const shortened: { key: string; horizonEnd: string }[] = [];
  try {
    for await (const batch of store.scan(view.name, { snapshot, signal })) {
      await spill.add(batch, keyBuckets(batch as unknown as Table, view.joinKeyNames, buckets));
    }
    for (let b = 0; b < buckets; b++) {
      const bucket = await spill.read(b);
      if (!bucket) continue;
      const rows = withTombstones(bucket, view);
      const timelines = bucketTimelines(view, rows, at, horizonEnd);
      if (timelines.entities.numRows === 0) continue;
      entities += timelines.entities.numRows;
      const stored = await online.read(view, tableToRows(timelines.entities), { at, consistent: true, features: [], signal });
      const unchanged = unchangedTimelines(view, rows, timelines.entities, stored.rows, at, horizonMs);
      if (unchanged.every((u) => u === 1)) continue;
      const { points, emptyKeys } = changedTimelines(timelines, unchanged);
      const timeline = { publishedAt: at, horizonEnd, version: snapshot.version, ...(emptyKeys && { emptyKeys }) };
      const result = await online.write(view, points, { timeline, signal });
      written += result.timeline?.written ?? 0;
      split += result.timeline?.split ?? 0;
      for (const s of result.timeline?.shortened ?? []) shortened.push({ key: s.key, horizonEnd: formatMicros(s.horizonEnd) });
    }
    return { view: view.name, entities, written, split, shortened, publishedAt: formatMicros(at), horizonEnd: formatMicros(horizonEnd) };
  } finally {
    await spill.close();
  }
}
