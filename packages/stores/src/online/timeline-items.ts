/**
 * A key's timeline as stored items (docs/online-store.md, "Item layout"):
 * a head item holding the order key, the horizon, a digest and the first
 * points, columnar (event and created times as packed int64s, a tombstone
 * bitmap, one list per feature with a value per point), and, when the
 * timeline does not fit in one item, parts holding the later points,
 * keyed `<pk>#part-<n>-<tag>`. No I/O.
 */
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { formatMicros, InvalidInputError, toOnlineView, type OnlineView, type OnlineViewInput } from '@asof/core';
import type { RecordBatch, Table } from 'apache-arrow';
import { itemBytes, textBytes, valueBytes } from './item-bytes.js';
import { ATTR, entityKey, featureAttribute, NULL_CREATED_TS, TIMELINE_FORMAT, type AttrValue, type Item } from './item-codec.js';
import { encodeRows, secondsAfter, type EncodedRow } from './online-rows.js';
import { UNBOUNDED, type KeyTimeline, type OrderKey } from './write-plan.js';

/** Limits a store splits timelines by. */
export interface ItemLimits {
  /** Largest item, in DynamoDB's size accounting. */
  readonly maxItemBytes: number;
  /** How the limit is named in errors, e.g. `DynamoDB's 409600`. */
  readonly label: string;
  /** Parts at most per key; past it the horizon is shortened. */
  readonly maxParts: number;
  /** Wall clock (µs), for the expiry of parts. */
  readonly now: bigint;
}

/** Default {@link ItemLimits.maxParts}: 64 parts of 400 KB, 25 MB a key. */
export const MAX_PARTS = 64;

/** Parts expire (DynamoDB TTL) this long after their horizon end, or after now if that is later: a backstop for parts no head names any more. */
const PART_GRACE_US = 30n * 86_400_000_000n;
/** A number attribute at its largest (38 digits). */
const NUMBER_BYTES = 22;
const DIGEST_CHARS = 32;
const TAG_CHARS = 12;
const LITTLE_ENDIAN = endianness() === 'LE';

/** A key's items, ready to store. */
export interface TimelineItems {
  readonly head: Item;
  readonly parts: readonly Item[];
  readonly digest: string;
  /** The horizon end stored (earlier than asked when `shortened`). */
  readonly horizonEnd: bigint;
  readonly shortened: boolean;
  /** The order key stored (its horizon end shortened with the timeline). */
  readonly order: OrderKey;
}

/** The key of part `n` (1-based) of a timeline whose head is `pk`. */
export function partKey(pk: string, n: number, tag: string): string {
  return `${pk}#part-${n}-${tag}`;
}

/** Splits `timeline` into items within `limits`; throws `InvalidInputError` if one point alone does not fit. */
export function timelineItems(view: OnlineView, timeline: KeyTimeline, limits: ItemLimits): TimelineItems {
  const features = Object.keys(view.features);
  const attributes = features.map(featureAttribute);
  const points = timeline.points;
  const costs = points.map((p) => pointBytes(p));
  const listBytes = attributes.reduce((sum, a) => sum + textBytes(a) + 3, 0);
  const columnsBase = textBytes(ATTR.times) + textBytes(ATTR.created) + textBytes(ATTR.tombstones) + listBytes;
  const ttlBytes = textBytes(ATTR.expiresAt) + NUMBER_BYTES;
  const headBase =
    textBytes(ATTR.key) + textBytes(timeline.pk) +
    [ATTR.eventTs, ATTR.createdTs, ATTR.version, ATTR.publishedAt, ATTR.horizonEnd, ATTR.format].reduce((sum, a) => sum + textBytes(a) + NUMBER_BYTES, 0) +
    textBytes(ATTR.digest) + DIGEST_CHARS + ttlBytes + columnsBase;
  const splitBase = (parts: number) => headBase + textBytes(ATTR.parts) + NUMBER_BYTES + textBytes(ATTR.partsTag) + TAG_CHARS + textBytes(ATTR.partStarts) + 8 * parts;
  const partBase = textBytes(ATTR.key) + textBytes(partKey(timeline.pk, limits.maxParts + 1, 'x'.repeat(TAG_CHARS))) + ttlBytes + columnsBase;
  const fits = (base: number, from: number, to: number, sum: number) => base + sum + Math.ceil((to - from) / 8) <= limits.maxItemBytes;

  const total = costs.reduce((a, b) => a + b, 0);
  let cuts: number[] = []; // start index of each part
  let kept = points.length;
  if (!fits(headBase, 0, points.length, total)) {
    for (let i = 0; i < points.length; i++) {
      if (!fits(partBase, 0, 1, costs[i]!)) {
        const p = points[i]!;
        throw new InvalidInputError(
          `the row of ${timeline.pk} at ${formatMicros(p.eventTs)} is ${costs[i]! + partBase} bytes, over ${limits.label}; bound the view's large features (checkItemSize, run by asof apply)`,
        );
      }
    }
    // The head's index grows with the parts: pack until the part count is stable.
    for (let guess = 1; ; ) {
      const packed = pack(costs, (end, sum) => fits(splitBase(guess), 0, end, sum), (start, end, sum) => fits(partBase, start, end, sum));
      if (packed.length <= guess) {
        cuts = packed;
        break;
      }
      guess = packed.length;
    }
    if (cuts.length > limits.maxParts) {
      kept = cuts[limits.maxParts]!;
      cuts = cuts.slice(0, limits.maxParts);
    }
  }
  const shortened = kept < points.length;
  // Shortened: the timeline answers up to just before its first dropped point.
  const horizonEnd = shortened ? points[kept]!.eventTs - 1n : timeline.horizonEnd;
  const stored = shortened ? points.slice(0, kept) : points;
  const digest = timelineDigest(features, stored);
  const order: OrderKey = shortened ? { ...timeline.order, horizonEnd } : timeline.order;
  const headEnd = cuts[0] ?? stored.length;
  const head: Item = {
    [ATTR.key]: { S: timeline.pk },
    [ATTR.eventTs]: { N: order.eventTs.toString() },
    [ATTR.createdTs]: { N: order.createdTs.toString() },
    [ATTR.format]: { N: String(TIMELINE_FORMAT) },
    [ATTR.version]: { N: (order.version ?? 0n).toString() },
    [ATTR.publishedAt]: { N: (order.publishedAt ?? 0n).toString() },
    [ATTR.horizonEnd]: { N: horizonEnd.toString() },
    [ATTR.digest]: { S: digest },
  };
  const headTtl = headExpiry(view, stored, horizonEnd);
  if (headTtl !== null) head[ATTR.expiresAt] = { N: headTtl.toString() };
  Object.assign(head, columns(stored.slice(0, headEnd), attributes));
  const parts: Item[] = [];
  if (cuts.length > 0) {
    const tag = createHash('sha256').update(`${digest}|${order.eventTs}|${order.createdTs}|${order.version}|${order.publishedAt}|${horizonEnd}`).digest('hex').slice(0, TAG_CHARS);
    head[ATTR.parts] = { N: String(cuts.length) };
    head[ATTR.partsTag] = { S: tag };
    head[ATTR.partStarts] = { B: packInt64(cuts.map((c) => stored[c]!.eventTs)) };
    const lastNeeded = horizonEnd === UNBOUNDED ? limits.now : horizonEnd > limits.now ? horizonEnd : limits.now;
    let partTtl = secondsAfter(lastNeeded + PART_GRACE_US);
    if (headTtl !== null && headTtl > partTtl) partTtl = headTtl;
    cuts.forEach((start, n) => {
      const end = cuts[n + 1] ?? stored.length;
      parts.push({ [ATTR.key]: { S: partKey(timeline.pk, n + 1, tag) }, [ATTR.expiresAt]: { N: partTtl.toString() }, ...columns(stored.slice(start, end), attributes) });
    });
  }
  for (const item of [head, ...parts]) {
    const size = itemBytes(item);
    if (size > limits.maxItemBytes) throw new Error(`internal: an item of ${timeline.pk} is ${size} bytes, over ${limits.label}, after splitting`);
  }
  return { head, parts, digest, horizonEnd, shortened, order };
}

/**
 * Greedy packing: as many points as fit in the head (possibly none), then
 * parts of as many as fit (at least one each; the caller checked one fits).
 * Returns the index each part starts at.
 */
function pack(
  costs: readonly number[],
  headFits: (end: number, bytes: number) => boolean,
  partFits: (start: number, end: number, bytes: number) => boolean,
): number[] {
  let i = 0;
  let sum = 0;
  while (i < costs.length && headFits(i + 1, sum + costs[i]!)) sum += costs[i++]!;
  const starts: number[] = [];
  while (i < costs.length) {
    const start = i;
    sum = costs[i++]!;
    while (i < costs.length && partFits(start, i + 1, sum + costs[i]!)) sum += costs[i++]!;
    starts.push(start);
  }
  return starts;
}

/** Bytes one point adds to an item: its two times and one list element per feature. */
function pointBytes(point: EncodedRow): number {
  let sum = 16;
  for (const v of point.values) sum += 1 + valueBytes(v);
  return sum;
}

/** The columnar attributes of some points. */
function columns(points: readonly EncodedRow[], attributes: readonly string[]): Item {
  const item: Item = {
    [ATTR.times]: { B: packInt64(points.map((p) => p.eventTs)) },
    [ATTR.created]: { B: packInt64(points.map((p) => p.createdTs ?? NULL_CREATED_TS)) },
  };
  if (points.some((p) => p.tombstone)) {
    const bits = new Uint8Array(Math.ceil(points.length / 8));
    points.forEach((p, i) => p.tombstone && (bits[i >> 3]! |= 1 << (i & 7)));
    item[ATTR.tombstones] = { B: bits };
  }
  attributes.forEach((attribute, f) => (item[attribute] = { L: points.map((p) => p.values[f]!) }));
  return item;
}

/**
 * When DynamoDB may delete a head of a view with a TTL: after both the last
 * instant its last point can be present and its horizon end (until then a
 * read says `stale` rather than `missing`); `null` for views without a TTL.
 */
function headExpiry(view: OnlineView, points: readonly EncodedRow[], horizonEnd: bigint): bigint | null {
  if (view.ttlMs === null) return null;
  const lastPresent = (points.length === 0 ? -(2n ** 62n) : points[points.length - 1]!.eventTs) + BigInt(view.ttlMs) * 1000n;
  return secondsAfter(horizonEnd !== UNBOUNDED && horizonEnd > lastPresent ? horizonEnd : lastPresent);
}

/** Int64s as little-endian bytes. */
export function packInt64(values: readonly bigint[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return bytes;
}

/** Little-endian int64 bytes as a `BigInt64Array` (a view when aligned, else a copy); throws `RangeError` on a ragged length. */
export function unpackInt64(bytes: Uint8Array): BigInt64Array {
  if (bytes.length % 8 !== 0) throw new RangeError(`${bytes.length} bytes are not whole int64s`);
  if (LITTLE_ENDIAN) {
    if (bytes.byteOffset % 8 === 0) return new BigInt64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
    return new BigInt64Array(bytes.slice().buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return BigInt64Array.from({ length: bytes.length / 8 }, (_, i) => view.getBigInt64(i * 8, true));
}

/**
 * The digest of a timeline's content: its points' times, tombstones and
 * values per feature (names sorted, so declaration order does not count),
 * not its publish instant, version or horizon, so a publisher can tell an
 * unchanged timeline from the offline rows alone.
 */
export function timelineDigest(features: readonly string[], points: readonly EncodedRow[]): string {
  const order = features.map((name, i) => [name, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const hash = createHash('sha256');
  hash.update(order.map(([name]) => JSON.stringify(name)).join(',') + '\n');
  for (const p of points) {
    let line = `${p.eventTs}|${p.createdTs ?? 'null'}|${p.tombstone ? 1 : 0}`;
    for (const [, i] of order) line += '|' + canonical(p.values[i]!);
    hash.update(line + '\n');
  }
  return hash.digest('hex').slice(0, DIGEST_CHARS);
}

function canonical(v: AttrValue): string {
  if ('N' in v) return `N${v.N}`;
  if ('S' in v) return `S${JSON.stringify(v.S)}`;
  if ('B' in v) return `B${Buffer.from(v.B.buffer, v.B.byteOffset, v.B.length).toString('base64')}`;
  if ('BOOL' in v) return v.BOOL ? 'T' : 'F';
  if ('NULL' in v) return '0';
  return `[${v.L.map(canonical).join(',')}]`;
}

/**
 * Per partition key, the digest a timeline write of `rows` (one or more
 * entities' timeline rows, in any order) stores, so a publisher can tell
 * whether a stored timeline still holds (`OnlineStoredTimeline.digest`).
 */
export function timelineDigests(viewInput: OnlineViewInput, rows: Table | RecordBatch): Map<string, string> {
  const view = toOnlineView(viewInput);
  const byKey = new Map<string, EncodedRow[]>();
  for (const row of encodeRows(view, rows)) {
    const list = byKey.get(row.pk);
    if (list) list.push(row);
    else byKey.set(row.pk, [row]);
  }
  const features = Object.keys(view.features);
  const out = new Map<string, string>();
  for (const [pk, points] of byKey) out.set(pk, timelineDigest(features, points.sort((a, b) => (a.eventTs < b.eventTs ? -1 : a.eventTs > b.eventTs ? 1 : 0))));
  return out;
}

/** The partition key of an entity in a view (`<view>#<key part>…`); throws `InvalidKeyError` for a key outside its type. */
export function onlineEntityKey(viewInput: OnlineViewInput, key: Readonly<Record<string, unknown>>): string {
  return entityKey(toOnlineView(viewInput), key).pk;
}

/** The digest of an empty timeline of a view (a key with no row until its horizon end). */
export function emptyTimelineDigest(viewInput: OnlineViewInput): string {
  return timelineDigest(Object.keys(toOnlineView(viewInput).features), []);
}
