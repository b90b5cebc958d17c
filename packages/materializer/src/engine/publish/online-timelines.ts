/**
 * What a publish writes per entity, from a bucket of a view's offline rows
 * (no I/O): each entity's timeline at the publish instant P up to the
 * horizon end E (core's `timelineRows`, the offline join's own choice), and
 * which entities' stored timelines still hold, so only the others are
 * written. An entity whose first row is after the horizon gets an empty
 * timeline, so reads after the horizon say `stale` for it too.
 */
import {
  keyGroups,
  takeTable,
  timelineRows,
  timelineRowsPerEntity,
  type AnyFeatureView,
  type OnlineRow,
} from '@asof/core';
import { emptyTimelineDigest, onlineEntityKey, timelineDigests } from '@asof/stores';
import type { Table } from 'apache-arrow';
import { EVENT_TS } from '../compute/compute-view.js';

/** What a publish of one bucket holds: every entity of the offline rows, and the timeline rows. */
export interface BucketTimelines {
  /** The entities (their key columns), first-appearance order. */
  readonly entities: Table;
  /** The timeline rows of every entity (the view's offline rows: keys, times, features, tombstone). */
  readonly points: Table;
  /** Per point, its entity (a row of `entities`). */
  readonly pointEntity: Int32Array;
  /** Per entity, whether its timeline has any row (an entity whose first row is after the horizon has none). */
  readonly hasPoints: Uint8Array;
}

/** Each entity's timeline at P up to E, from `rows` (the view's offline rows, tombstones included), by core's `timelineRows`. */
export function bucketTimelines(view: AnyFeatureView, rows: Table, publishedAt: bigint, horizonEnd: bigint): BucketTimelines {
  const chosen = timelineRows(rows, { keys: view.joinKeyNames, eventTime: EVENT_TS, createdTime: createdColumn(rows), publishedAt, horizonEnd });
  const { group, first } = keyGroups(rows, view.joinKeyNames);
  const hasPoints = new Uint8Array(first.length);
  const pointEntity = Int32Array.from(chosen, (j) => group[j]!);
  for (const g of pointEntity) hasPoints[g] = 1;
  return { entities: takeTable(rows.select(view.joinKeyNames as string[]), first), points: takeTable(rows, chosen), pointEntity, hasPoints };
}

/**
 * A stored timeline is kept when it still holds for every read until a
 * later publish is due: it is what the offline rows give today for its own
 * publish instant and horizon (same digest), it was published at or before
 * P, and at least half its horizon is left after P (so a run every
 * `horizon / 2` keeps every entity readable, and unchanged entities are
 * rewritten about that often, not every run).
 *
 * `entities` are the key columns, one row each; `stored` the online read
 * of them, in the same order. Returns a mask over `entities`.
 */
export function unchangedTimelines(view: AnyFeatureView, rows: Table, entities: Table, stored: readonly OnlineRow[], at: bigint, horizonMs: number): Uint8Array {
  const keep = new Uint8Array(entities.numRows);
  const refreshBefore = at + (BigInt(horizonMs) * 1000n) / 2n;
  const candidates: number[] = [];
  stored.forEach((row, i) => {
    const t = row.timeline;
    if (t?.digest && t.publishedAt !== null && t.horizonEnd !== null && t.publishedAt <= at && t.horizonEnd >= refreshBefore) candidates.push(i);
  });
  if (candidates.length === 0) return keep;
  const old = timelineRowsPerEntity(rows, {
    keys: view.joinKeyNames,
    eventTime: EVENT_TS,
    createdTime: createdColumn(rows),
    entities: takeTable(entities, Int32Array.from(candidates)),
    publishedAt: BigInt64Array.from(candidates, (i) => stored[i]!.timeline!.publishedAt!),
    horizonEnd: BigInt64Array.from(candidates, (i) => stored[i]!.timeline!.horizonEnd!),
  });
  const digests = timelineDigests(view, takeTable(rows, old));
  const empty = emptyTimelineDigest(view);
  for (const i of candidates) {
    if ((digests.get(onlineEntityKey(view, stored[i]!.key)) ?? empty) === stored[i]!.timeline!.digest) keep[i] = 1;
  }
  return keep;
}

/** The timeline rows of the entities not `unchanged`, and the keys of those with an empty timeline. */
export function changedTimelines(bucket: BucketTimelines, unchanged: Uint8Array): { points: Table; emptyKeys: Table | null } {
  const take: number[] = [];
  for (let j = 0; j < bucket.points.numRows; j++) if (!unchanged[bucket.pointEntity[j]!]) take.push(j);
  const empty: number[] = [];
  for (let e = 0; e < bucket.entities.numRows; e++) if (!bucket.hasPoints[e] && !unchanged[e]) empty.push(e);
  return {
    points: take.length === bucket.points.numRows ? bucket.points : takeTable(bucket.points, Int32Array.from(take)),
    emptyKeys: empty.length === 0 ? null : takeTable(bucket.entities, Int32Array.from(empty)),
  };
}

function createdColumn(rows: Table): string | undefined {
  return rows.getChild('created_ts') ? 'created_ts' : undefined;
}
