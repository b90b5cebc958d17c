/**
 * What a write stores per key and the order that decides between writers
 * (docs/online-store.md, "The write rule"). No I/O.
 */
import { formatMicros, InvalidInputError, toEpochMicros, type OnlineTimelineOptions } from '@asof/core';
import { ATTR, NULL_CREATED_TS } from './item-codec.js';
import { isNewer, type EncodedRow, type StoredItem } from './online-rows.js';

const INT64_MIN = -(2n ** 63n);
/** The horizon end of rows written without a timeline: they hold until replaced. */
export const UNBOUNDED = 2n ** 63n - 1n;

/**
 * The order of stored items, compared lexicographically: the current row's
 * `(event_ts, created_ts)` (the least int64 for none or a null), the
 * offline snapshot version, the publish instant, the horizon end. `null`
 * (items from before timelines) orders below every number.
 */
export interface OrderKey {
  readonly eventTs: bigint;
  readonly createdTs: bigint;
  readonly version: bigint | null;
  readonly publishedAt: bigint | null;
  readonly horizonEnd: bigint | null;
}

/** One key's write: its rows, as points in time order, and its order key. */
export interface KeyTimeline {
  readonly pk: string;
  /** Input positions written with this key (they share its status); none for an empty timeline. */
  readonly rows: readonly number[];
  /** Ascending event times, distinct; none for an empty timeline (`emptyKeys`). */
  readonly points: readonly EncodedRow[];
  readonly order: OrderKey;
  /** `null` for rows written without a timeline. */
  readonly publishedAt: bigint | null;
  /** {@link UNBOUNDED} for rows written without a timeline. */
  readonly horizonEnd: bigint;
}

/**
 * Groups encoded rows into one write per key. Without `timeline`, the
 * greatest row per key (the first of equals) is the key's one point and
 * the others are `superseded` (stale without a request). With it, a key's
 * rows are its timeline, checked against {@link OnlineTimelineOptions}.
 */
export function planTimelines(
  view: string,
  rows: readonly EncodedRow[],
  timeline?: OnlineTimelineOptions,
  emptyKeys: readonly string[] = [],
): { keys: KeyTimeline[]; superseded: number[] } {
  if (!timeline) {
    const best = new Map<string, EncodedRow>();
    const superseded: number[] = [];
    for (const row of rows) {
      const held = best.get(row.pk);
      if (held === undefined) best.set(row.pk, row);
      else if (isNewer(row, held)) {
        superseded.push(held.index);
        best.set(row.pk, row);
      } else superseded.push(row.index);
    }
    const keys = [...best.values()].map((row) => ({
      pk: row.pk,
      rows: [row.index],
      points: [row],
      order: { eventTs: row.eventTs, createdTs: row.createdTs ?? NULL_CREATED_TS, version: 0n, publishedAt: row.eventTs, horizonEnd: UNBOUNDED },
      publishedAt: null,
      horizonEnd: UNBOUNDED,
    }));
    return { keys, superseded };
  }
  const p = toEpochMicros(timeline.publishedAt);
  const e = toEpochMicros(timeline.horizonEnd);
  const version = timeline.version ?? 0;
  if (e < p) throw new InvalidInputError(`online view '${view}': the timeline's horizon end ${formatMicros(e)} is before its publish instant ${formatMicros(p)}`);
  if (!Number.isSafeInteger(version) || version < 0) throw new InvalidInputError(`online view '${view}': the timeline's version must be a whole number >= 0, got ${version}`);
  const byKey = new Map<string, EncodedRow[]>();
  for (const row of rows) {
    const list = byKey.get(row.pk);
    if (list) list.push(row);
    else byKey.set(row.pk, [row]);
  }
  const keys: KeyTimeline[] = [];
  const order = (current: EncodedRow | null): OrderKey => ({
    eventTs: current?.eventTs ?? INT64_MIN,
    createdTs: current?.createdTs ?? NULL_CREATED_TS,
    version: BigInt(version),
    publishedAt: p,
    horizonEnd: e,
  });
  for (const pk of emptyKeys) {
    if (byKey.has(pk)) throw new InvalidInputError(`online view '${view}', key ${pk}: listed in emptyKeys but has rows in the timeline write`);
    if (!keys.some((k) => k.pk === pk)) keys.push({ pk, rows: [], points: [], order: order(null), publishedAt: p, horizonEnd: e });
  }
  for (const [pk, list] of byKey) {
    const points = list.length > 1 ? [...list].sort((a, b) => (a.eventTs < b.eventTs ? -1 : a.eventTs > b.eventTs ? 1 : 0)) : list;
    const where = `online view '${view}', key ${pk}`;
    for (let i = 1; i < points.length; i++) {
      if (points[i]!.eventTs === points[i - 1]!.eventTs) {
        throw new InvalidInputError(`${where}: rows ${points[i - 1]!.index} and ${points[i]!.index} of the timeline have the same event_ts ${formatMicros(points[i]!.eventTs)}; a timeline holds the one row chosen at each instant`);
      }
    }
    if (points.length > 1 && points[1]!.eventTs <= p) {
      throw new InvalidInputError(`${where}: rows ${points[0]!.index} and ${points[1]!.index} are both at or before the publish instant ${formatMicros(p)}; a timeline has at most one current row`);
    }
    const last = points[points.length - 1]!;
    if (last.eventTs > e) throw new InvalidInputError(`${where}: row ${last.index} at ${formatMicros(last.eventTs)} is after the timeline's horizon end ${formatMicros(e)}`);
    const current = points[0]!.eventTs <= p ? points[0]! : null;
    keys.push({ pk, rows: list.map((r) => r.index), points, order: order(current), publishedAt: p, horizonEnd: e });
  }
  return { keys, superseded: [] };
}

/** `a` vs `b` in the {@link OrderKey} order: negative, zero or positive. */
export function compareOrder(a: OrderKey, b: OrderKey): number {
  for (const field of ['eventTs', 'createdTs', 'version', 'publishedAt', 'horizonEnd'] as const) {
    const x = a[field];
    const y = b[field];
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** The order key of a stored item (either format). */
export function storedOrder(item: StoredItem): OrderKey {
  const n = (attribute: string): bigint | null => (item[attribute]?.N === undefined ? null : BigInt(item[attribute]!.N!));
  return {
    eventTs: n(ATTR.eventTs) ?? INT64_MIN,
    createdTs: n(ATTR.createdTs) ?? NULL_CREATED_TS,
    version: n(ATTR.version),
    publishedAt: n(ATTR.publishedAt),
    horizonEnd: n(ATTR.horizonEnd),
  };
}

/**
 * DynamoDB's condition for a put that may replace the stored item: the
 * {@link OrderKey} comparison, with items from before timelines (no
 * `ver`) below any timeline of the same current row.
 */
export const NEWER_ORDER_CONDITION =
  'attribute_not_exists(#pk) OR #ets < :ets OR (#ets = :ets AND #cts < :cts) OR (#ets = :ets AND #cts = :cts AND ' +
  '(attribute_not_exists(#ver) OR #ver < :ver OR (#ver = :ver AND (#pub < :pub OR (#pub = :pub AND #hor < :hor)))))';

/** The names {@link NEWER_ORDER_CONDITION} uses. */
export const ORDER_CONDITION_NAMES = Object.freeze({
  '#pk': ATTR.key,
  '#ets': ATTR.eventTs,
  '#cts': ATTR.createdTs,
  '#ver': ATTR.version,
  '#pub': ATTR.publishedAt,
  '#hor': ATTR.horizonEnd,
});

/** The values {@link NEWER_ORDER_CONDITION} compares against. */
export function orderConditionValues(order: OrderKey): Record<string, { N: string }> {
  return {
    ':ets': { N: order.eventTs.toString() },
    ':cts': { N: order.createdTs.toString() },
    ':ver': { N: (order.version ?? 0n).toString() },
    ':pub': { N: (order.publishedAt ?? 0n).toString() },
    ':hor': { N: (order.horizonEnd ?? 0n).toString() },
  };
}
