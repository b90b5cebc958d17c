/**
 * DynamoDB's 400 KB item limit, checked from the definitions and the
 * horizon (by `asof apply`) rather than discovered when a large value is
 * written. Sizes follow DynamoDB's documented accounting (online/item-bytes.ts).
 * One change point must fit in an item (else nothing can store it); a
 * timeline of more points than an item holds is split over several.
 */
import { formatDuration, toOnlineView, type AnyFeatureView, type DecimalDType, type DType, type ListDType, type OnlineViewInput } from '@asof/core';
import { ATTR, featureAttribute, MAX_KEY_BYTES } from '../../online/item-codec.js';
import { itemBytes, textBytes } from '../../online/item-bytes.js';
import { MAX_PARTS } from '../../online/timeline-items.js';

export { itemBytes };

/** DynamoDB's item size limit, 400 KB (KiB in fact). */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;

/** Declared bounds of one string, binary or list feature. */
export interface FeatureSizeBound {
  /** UTF-8 bytes of a string, bytes of a binary value. */
  readonly maxBytes?: number;
  /** Items of a list. */
  readonly maxItems?: number;
  /** Bytes of each item of a list of strings or binaries. */
  readonly maxItemBytes?: number;
}

/** Options of {@link checkItemSize}. */
export interface ItemSizeOptions {
  /** Feature name -> declared bound. */
  readonly bounds?: Readonly<Record<string, FeatureSizeBound>>;
  /** Assumed for a string or binary value with no declared bound (default 1,024 bytes). */
  readonly assumedBytes?: number;
  /** Assumed for a list with no declared bound (default 100 items). */
  readonly assumedItems?: number;
  /** The store's item limit (default DynamoDB's). */
  readonly limitBytes?: number;
}

/** The outcome of {@link checkItemSize}. */
export interface ItemSizeCheck {
  readonly view: string;
  /** The largest item of one row (one change point) the view can produce, in bytes (under the assumptions in `assumed`). */
  readonly maxBytes: number;
  readonly limitBytes: number;
  /** `maxBytes <= limitBytes`. */
  readonly ok: boolean;
  /**
   * Features that cannot be bounded from their dtype and have no declared
   * bound (strings, binaries, lists): the check assumed the default bound
   * for them, so it holds only if their values stay within it.
   */
  readonly assumed: readonly string[];
  /** One line for people: the verdict, the largest features, the assumptions. */
  readonly reason: string;
}

/** 38 digits at two a byte, one more, and one for a sign. */
const DECIMAL38_BYTES = 21;
/** An int64 (19 digits and a sign). */
const INT64_BYTES = 12;
/** `-1.7976931348623157e+308`, the longest double stored as text. */
const DOUBLE_TEXT_BYTES = 24;
const INT_KEY_CHARS = 20;
/** The int64 attributes of every head: the order key, the horizon, the format. */
const HEAD_NUMBERS = [ATTR.eventTs, ATTR.createdTs, ATTR.version, ATTR.publishedAt, ATTR.horizonEnd, ATTR.format];
const DIGEST_CHARS = 32;

/** Per-feature worst sizes of one view. */
interface Worst {
  readonly view: string;
  /** The head without any point. */
  readonly fixed: number;
  /** One point: its times, its tombstone bit (a byte, conservatively) and a list element per feature. */
  readonly point: number;
  readonly features: readonly [string, number][];
  readonly assumed: readonly string[];
  readonly assumedBytes: number;
  readonly assumedItems: number;
}

function worstSizes(viewInput: OnlineViewInput, options: ItemSizeOptions): Worst {
  const view = toOnlineView(viewInput);
  const assumedBytes = options.assumedBytes ?? 1024;
  const assumedItems = options.assumedItems ?? 100;
  const assumed = new Set<string>();
  const keyParts = Object.values(view.keys).map((d) => (d.kind === 'string' ? MAX_KEY_BYTES : INT_KEY_CHARS + 1));
  let fixed =
    ATTR.key.length + Math.min(MAX_KEY_BYTES, textBytes(view.name) + keyParts.reduce((a, b) => a + b, 0)) +
    HEAD_NUMBERS.reduce((sum, a) => sum + a.length + INT64_BYTES, 0) +
    ATTR.digest.length + DIGEST_CHARS +
    (view.ttlMs === null ? 0 : ATTR.expiresAt.length + INT64_BYTES) +
    ATTR.times.length + ATTR.created.length + ATTR.tombstones.length;
  let point = 8 + 8 + 1;
  const features: [string, number][] = [];
  for (const [name, dtype] of Object.entries(view.features)) {
    const value = worstValue(dtype, options.bounds?.[name] ?? {}, assumedBytes, assumedItems, () => assumed.add(name));
    fixed += textBytes(featureAttribute(name)) + 3;
    point += 1 + value;
    features.push([name, textBytes(featureAttribute(name)) + 3 + 1 + value]);
  }
  return { view: view.name, fixed, point, features, assumed: [...assumed], assumedBytes, assumedItems };
}

/** Checks a view's worst-case online item of one row against the item limit (default DynamoDB's 400 KB). */
export function checkItemSize(viewInput: OnlineViewInput, options: ItemSizeOptions = {}): ItemSizeCheck {
  const worst = worstSizes(viewInput, options);
  const limit = options.limitBytes ?? DYNAMODB_MAX_ITEM_BYTES;
  const total = worst.fixed + worst.point;
  const ok = total <= limit;
  const largest = [...worst.features].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([n, s]) => `${n} ${fmt(s)}`).join(', ');
  const assumptions = assumptionText(worst);
  const reason = ok
    ? `view '${worst.view}': the largest online item is ${fmt(total)} bytes, within DynamoDB's ${fmt(limit)}${assumptions}`
    : `view '${worst.view}': an online item can reach ${fmt(total)} bytes, over DynamoDB's ${fmt(limit)}-byte limit; largest features: ${largest}${assumptions}`;
  return Object.freeze({ view: worst.view, maxBytes: total, limitBytes: limit, ok, assumed: Object.freeze([...worst.assumed]), reason });
}

/** Options of {@link checkTimelineSize}. */
export interface TimelineSizeOptions extends ItemSizeOptions {
  /** The horizon (default the view's `onlineHorizonMs`, else 7 days). */
  readonly horizonMs?: number;
  /** Parts at most per timeline (default 64). */
  readonly maxParts?: number;
}

/** The outcome of {@link checkTimelineSize}: what a timeline of the view costs and when it is split. */
export interface TimelineSizeCheck extends ItemSizeCheck {
  readonly horizonMs: number;
  /** Bytes one change point adds at most. */
  readonly pointBytes: number;
  /** Change points one item holds at least. */
  readonly pointsPerItem: number;
  /** Change points one event makes at most: the event and its expiry from each distinct window (a transform may derive several events from a row). */
  readonly pointsPerEvent: number;
  /** Events a day (steady rate) above which an entity's timeline may need several items. */
  readonly splitAbovePerDay: number;
  /** Events a day above which even `maxParts` parts do not hold the horizon, so it is shortened. */
  readonly shortenAbovePerDay: number;
}

/**
 * Bounds a view's online timeline from its definition and horizon: one
 * change point must fit in an item (`ok`); the number of points an item
 * holds then says at which event rate an entity's timeline is split over
 * several items (reads of later points cost one more round trip), and past
 * `maxParts` parts at which rate its horizon is shortened (with a warning).
 * A steady rate of r events a day gives about `r × horizon days × pointsPerEvent`
 * points inside the horizon.
 */
export function checkTimelineSize(viewInput: OnlineViewInput, options: TimelineSizeOptions = {}): TimelineSizeCheck {
  const item = checkItemSize(viewInput, options);
  const worst = worstSizes(viewInput, options);
  const limit = item.limitBytes;
  const horizonMs = options.horizonMs ?? (viewInput as Partial<AnyFeatureView>).onlineHorizonMs ?? 7 * 86_400_000;
  const pointsPerItem = Math.max(0, Math.floor((limit - worst.fixed - 64) / worst.point));
  const pointsPerEvent = 1 + distinctWindows(viewInput);
  const perDay = (points: number) => Math.floor(points / (pointsPerEvent * Math.max(horizonMs / 86_400_000, 1 / 24)));
  const splitAbovePerDay = perDay(pointsPerItem);
  const shortenAbovePerDay = perDay(pointsPerItem * (1 + (options.maxParts ?? MAX_PARTS)));
  const reason = item.ok
    ? `view '${worst.view}': horizon ${formatDuration(horizonMs)}; a change point is at most ${fmt(worst.point)} bytes and an item holds ${fmt(pointsPerItem)}, ` +
      `so an entity with more than ${fmt(splitAbovePerDay)} events a day is split over several items` +
      (shortenAbovePerDay > splitAbovePerDay ? ` (over ${fmt(shortenAbovePerDay)} a day its horizon is shortened)` : '') + assumptionText(worst)
    : item.reason;
  return Object.freeze({ ...item, reason, horizonMs, pointBytes: worst.point, pointsPerItem, pointsPerEvent, splitAbovePerDay, shortenAbovePerDay });
}

/** Distinct finite windows of a feature view's aggregations (an `OnlineView` has none to tell). */
function distinctWindows(input: OnlineViewInput): number {
  const features = (input as Partial<AnyFeatureView>).kind === 'feature_view' ? Object.values((input as AnyFeatureView).features) : [];
  const windows = new Set<number>();
  for (const spec of features) {
    const ms = (spec as { windowMs?: number | null }).windowMs;
    if (typeof ms === 'number') windows.add(ms);
  }
  return windows.size;
}

/** At most eight names, then how many more: a message stays one readable line. */
function listSome(names: readonly string[]): string {
  return names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
}

function assumptionText(worst: Worst): string {
  return worst.assumed.length === 0
    ? ''
    : `; assumes at most ${fmt(worst.assumedBytes)} bytes per string/binary value and ${worst.assumedItems} items per list for ${listSome(worst.assumed)} (declare bounds to make the check exact)`;
}

function worstValue(dtype: DType, bound: FeatureSizeBound, assumedBytes: number, assumedItems: number, assume: () => void): number {
  switch (dtype.kind) {
    case 'bool':
      return 1;
    case 'float64':
      return DOUBLE_TEXT_BYTES;
    case 'int32':
      return 7;
    case 'int64':
    case 'timestamp':
    case 'date':
      return INT64_BYTES;
    case 'decimal':
      return Math.ceil((dtype as DecimalDType).precision / 2) + 2;
    case 'string':
    case 'binary':
      if (bound.maxBytes === undefined) assume();
      return bound.maxBytes ?? assumedBytes;
    case 'list': {
      if (bound.maxItems === undefined) assume();
      const item = (dtype as ListDType<unknown>).item;
      const itemBytes = worstValue(item, { maxBytes: bound.maxItemBytes }, assumedBytes, assumedItems, assume);
      return 3 + (bound.maxItems ?? assumedItems) * (1 + itemBytes);
    }
    default:
      return DECIMAL38_BYTES;
  }
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
