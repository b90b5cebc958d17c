/**
 * The store-independent half of every online read: stored heads (and the
 * parts a read needs) to result rows, with DESIGN §3's rule as core states
 * it (`latestAtOrBefore`, `timelineAnswerAt`): the latest point at or
 * before `at`, tombstones missing, the TTL from that point's event time,
 * `stale` after the horizon. No I/O: the store passes a fetcher.
 */
import { latestAtOrBefore, StoreReadError, timelineAnswerAt, type OnlineFeatureStatus, type OnlineRow, type OnlineStoredTimeline, type OnlineView } from '@asof/core';
import { ATTR, decodeValue, featureAttribute, NULL_CREATED_TS, type StoredValue } from './item-codec.js';
import { type ReadPlan, type StoredItem } from './online-rows.js';
import { partKey, unpackInt64 } from './timeline-items.js';
import { UNBOUNDED } from './write-plan.js';

/** Fetches items by partition key with a projection; absent keys are left out of the map. */
export type FetchItems = (pks: readonly string[], attributes: readonly string[]) => Promise<ReadonlyMap<string, StoredItem>>;

/** The attributes a read fetches of heads: the order key, the horizon, the columns, the requested features. */
export function headAttributes(features: readonly string[]): string[] {
  return [
    ATTR.key, ATTR.eventTs, ATTR.createdTs, ATTR.deleted, ATTR.format, ATTR.publishedAt, ATTR.horizonEnd, ATTR.digest,
    ATTR.times, ATTR.created, ATTR.tombstones, ATTR.parts, ATTR.partsTag, ATTR.partStarts,
    ...features.map(featureAttribute),
  ];
}

/** The attributes a read fetches of parts. */
export function partAttributes(features: readonly string[]): string[] {
  return [ATTR.key, ATTR.times, ATTR.created, ATTR.tombstones, ...features.map(featureAttribute)];
}

type Request = { readonly pk: string; readonly key: Record<string, bigint | number | string> };
type Answer = Omit<OnlineRow, 'key'>;
/** A head resolved: the answer, or the part that holds the point the answer needs. */
type Resolved = { readonly answer: Answer } | { readonly part: string; readonly finish: (part: StoredItem) => Answer };

/**
 * Reads `requests` through `fetch`: heads first, then in one more round the
 * parts the chosen points are in. A part a head names that is not there
 * (a concurrent writer just replaced the head) re-reads that head, up to
 * `attempts` times, then fails with `StoreReadError`: never a missing value.
 */
export async function readTimelines(
  view: OnlineView,
  plan: ReadPlan,
  requests: readonly Request[],
  fetch: FetchItems,
  retry: { readonly attempts: number; readonly pause?: (attempt: number) => Promise<void> } = { attempts: 3 },
): Promise<OnlineRow[]> {
  const attempts = retry.attempts;
  const columns = plan.features.map((name) => ({ name, attribute: featureAttribute(name), dtype: view.features[name]! }));
  const ttl = plan.ttlMs === null ? null : BigInt(plan.ttlMs) * 1000n;
  const answers = new Map<string, Answer>();
  let pending = [...new Set(requests.map((r) => r.pk))];
  for (let attempt = 1; pending.length > 0; attempt++) {
    const heads = await fetch(pending, headAttributes(plan.features));
    const waiting = new Map<string, { pk: string; finish: (part: StoredItem) => Answer }>();
    for (const pk of pending) {
      const resolved = resolve(view, pk, heads.get(pk), plan.at, ttl, columns);
      if ('answer' in resolved) answers.set(pk, resolved.answer);
      else waiting.set(resolved.part, { pk, finish: resolved.finish });
    }
    pending = [];
    if (waiting.size === 0) break;
    const parts = await fetch([...waiting.keys()], partAttributes(plan.features));
    for (const [key, { pk, finish }] of waiting) {
      const part = parts.get(key);
      if (part) answers.set(pk, finish(part));
      else pending.push(pk);
    }
    if (pending.length > 0 && attempt < attempts) await retry.pause?.(attempt);
    if (pending.length > 0 && attempt >= attempts) {
      throw new StoreReadError(
        `online view '${view.name}': the timeline of ${pending[0]} names a part that is not stored (${[...waiting.keys()].find((k) => k.startsWith(pending[0]!))}), ${attempts} reads in a row; ` +
          `a write may still be in flight (read again), or the parts of a horizon that ended over 30 days ago expired (publish again)`,
      );
    }
  }
  return requests.map(({ pk, key }) => {
    const a = answers.get(pk)!;
    return a.timeline === undefined
      ? { key, values: a.values, status: a.status, eventTs: a.eventTs, createdTs: a.createdTs }
      : { key, values: a.values, status: a.status, eventTs: a.eventTs, createdTs: a.createdTs, timeline: a.timeline };
  });
}

type Column = { readonly name: string; readonly attribute: string; readonly dtype: OnlineView['features'][string] };

// Hot path (a read of many keys): no closures, spreads or message strings per key unless something fails.

function resolve(view: OnlineView, pk: string, head: StoredItem | undefined, at: bigint, ttl: bigint | null, columns: readonly Column[]): Resolved {
  if (!head) return { answer: empty(columns, 'missing', null, null, undefined) };
  try {
    if (head[ATTR.format] === undefined) return { answer: legacy(head, at, ttl, columns, view, pk) };
    const horizonEnd = BigInt(head[ATTR.horizonEnd]!.N!);
    const unbounded = horizonEnd === UNBOUNDED;
    const timeline: OnlineStoredTimeline = {
      publishedAt: unbounded ? null : BigInt(head[ATTR.publishedAt]!.N!),
      horizonEnd: unbounded ? null : horizonEnd,
      digest: head[ATTR.digest]?.S ?? null,
    };
    if (!unbounded && at > horizonEnd) return { answer: empty(columns, 'stale', orNull(BigInt(head[ATTR.eventTs]!.N!)), orNull(BigInt(head[ATTR.createdTs]!.N!)), timeline) };
    const startBytes = head[ATTR.partStarts]?.B;
    const part = startBytes ? latestAtOrBefore(unpackInt64(startBytes), at) : -1;
    if (part >= 0) {
      const key = partKey(pk, part + 1, head[ATTR.partsTag]!.S!);
      return {
        part: key,
        finish: (item) => {
          try {
            return pointAnswer(item, head, at, ttl, columns, view, pk, timeline);
          } catch (error) {
            throw malformed(error, view, `${pk}, part ${part + 1}`);
          }
        },
      };
    }
    return { answer: pointAnswer(head, head, at, ttl, columns, view, pk, timeline) };
  } catch (error) {
    throw malformed(error, view, pk);
  }
}

/** A malformed item (a missing or ragged attribute) as a `StoreReadError` naming it. */
function malformed(error: unknown, view: OnlineView, what: string): StoreReadError {
  if (error instanceof StoreReadError) return error;
  return new StoreReadError(`online view '${view.name}', key ${what}: the stored item is malformed (${(error as Error).message}); publish the view again`, { cause: error });
}

/** The answer from `item` (the head or a part), which holds the latest point at or before `at`, if any. */
function pointAnswer(item: StoredItem, head: StoredItem, at: bigint, ttl: bigint | null, columns: readonly Column[], view: OnlineView, pk: string, timeline: OnlineStoredTimeline): Answer {
  const times = unpackInt64(item[ATTR.times]!.B!);
  const i = latestAtOrBefore(times, at);
  if (i < 0) return empty(columns, 'missing', orNull(BigInt(head[ATTR.eventTs]!.N!)), orNull(BigInt(head[ATTR.createdTs]!.N!)), timeline);
  const eventTs = times[i]!;
  const status = timelineAnswerAt({ eventTs, tombstone: isSet(item[ATTR.tombstones]?.B, i) }, at, ttl, null);
  const answer = values(item, columns, status, i, view, pk);
  answer.eventTs = eventTs;
  answer.createdTs = orNull(unpackInt64(item[ATTR.created]!.B!)[i]!);
  answer.timeline = timeline;
  return answer;
}

/** An item from before timelines: one row, known for its own instant only (its publish instant is not recorded). */
function legacy(item: StoredItem, at: bigint, ttl: bigint | null, columns: readonly Column[], view: OnlineView, pk: string): Answer {
  const eventTs = BigInt(item[ATTR.eventTs]!.N!);
  const point = eventTs <= at ? { eventTs, tombstone: item[ATTR.deleted]?.BOOL === true } : null;
  const answer = values(item, columns, timelineAnswerAt(point, at, ttl, eventTs), -1, view, pk);
  answer.eventTs = eventTs;
  answer.createdTs = orNull(BigInt(item[ATTR.createdTs]?.N ?? NULL_CREATED_TS));
  answer.timeline = { publishedAt: null, horizonEnd: eventTs, digest: null };
  return answer;
}

type MutableAnswer = { values: Record<string, unknown>; status: Record<string, OnlineFeatureStatus>; eventTs: bigint | null; createdTs: bigint | null; timeline?: OnlineStoredTimeline | undefined };
const WHERE = '\u0000where';

/** The values of point `i` of `item` (its `f:` lists; -1: the item's values themselves, from before timelines), if `status` is `present`. */
function values(item: StoredItem, columns: readonly Column[], status: OnlineFeatureStatus, i: number, view: OnlineView, pk: string): MutableAnswer {
  const out: Record<string, unknown> = {};
  const statuses: Record<string, OnlineFeatureStatus> = {};
  for (const { name, attribute, dtype } of columns) {
    const stored = status === 'present' ? item[attribute] : undefined;
    if (stored === undefined) {
      // A feature the stored row predates reads as missing.
      out[name] = null;
      statuses[name] = status === 'present' ? 'missing' : status;
      continue;
    }
    const value = i < 0 ? stored : stored.L?.[i];
    const where = () => `online view '${view.name}', key ${pk}, feature '${name}'`;
    if (value === undefined) throw new StoreReadError(`${where()}: the stored list has no value for the chosen row; publish the view again`);
    try {
      out[name] = decodeValue(value, dtype, WHERE);
    } catch (error) {
      throw error instanceof StoreReadError ? new StoreReadError(error.message.replace(WHERE, where())) : error;
    }
    statuses[name] = 'present';
  }
  return { values: out, status: statuses, eventTs: null, createdTs: null };
}

function empty(columns: readonly Column[], status: OnlineFeatureStatus, eventTs: bigint | null, createdTs: bigint | null, timeline: OnlineStoredTimeline | undefined): Answer {
  const values: Record<string, unknown> = {};
  const statuses: Record<string, OnlineFeatureStatus> = {};
  for (const { name } of columns) {
    values[name] = null;
    statuses[name] = status;
  }
  return timeline === undefined ? { values, status: statuses, eventTs, createdTs } : { values, status: statuses, eventTs, createdTs, timeline };
}

function isSet(bits: Uint8Array | undefined, i: number): boolean {
  return bits !== undefined && ((bits[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
}

function orNull(micros: bigint): bigint | null {
  return micros === NULL_CREATED_TS ? null : micros;
}
