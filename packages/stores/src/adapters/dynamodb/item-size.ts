/**
 * DynamoDB's 400 KB item limit, checked from the definitions (by
 * `asof apply`) rather than discovered when a large value is written. Sizes
 * follow DynamoDB's documented accounting: attribute name bytes plus value
 * bytes; a number about one byte per two significant digits plus one (at
 * most 21); a list 3 bytes plus 1 per element plus the elements.
 */
import { toOnlineView, type DType, type ListDType, type OnlineViewInput } from '@asof/core';
import { ATTR, featureAttribute, MAX_KEY_BYTES, type StoredValue } from '../../online/item-codec.js';

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
}

/** The outcome of {@link checkItemSize}. */
export interface ItemSizeCheck {
  readonly view: string;
  /** The largest item the view can produce, in bytes (under the assumptions in `assumed`). */
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

/** 38 digits at two a byte, one more, and one for a sign (conservative). */
const NUMBER_BYTES = 22;
/** `-1.7976931348623157e+308`, the longest double stored as text. */
const DOUBLE_TEXT_BYTES = 24;
const INT_KEY_CHARS = 20;

/** Checks a view's worst-case online item against DynamoDB's 400 KB limit. */
export function checkItemSize(viewInput: OnlineViewInput, options: ItemSizeOptions = {}): ItemSizeCheck {
  const view = toOnlineView(viewInput);
  const assumedBytes = options.assumedBytes ?? 1024;
  const assumedItems = options.assumedItems ?? 100;
  const assumed = new Set<string>();
  const keyParts = Object.values(view.keys).map((d) => (d.kind === 'string' ? MAX_KEY_BYTES : INT_KEY_CHARS + 1));
  let total =
    ATTR.key.length + Math.min(MAX_KEY_BYTES, bytes(view.name) + keyParts.reduce((a, b) => a + b, 0)) +
    ATTR.eventTs.length + NUMBER_BYTES +
    ATTR.createdTs.length + NUMBER_BYTES +
    (view.ttlMs === null ? 0 : ATTR.expiresAt.length + NUMBER_BYTES);
  const sizes: [string, number][] = [];
  for (const [name, dtype] of Object.entries(view.features)) {
    const bound = options.bounds?.[name] ?? {};
    const size = bytes(featureAttribute(name)) + worstValue(dtype, bound, assumedBytes, assumedItems, () => assumed.add(name));
    sizes.push([name, size]);
    total += size;
  }
  const ok = total <= DYNAMODB_MAX_ITEM_BYTES;
  const largest = sizes.sort((a, b) => b[1] - a[1]).slice(0, 3).map(([n, s]) => `${n} ${fmt(s)}`).join(', ');
  const assumptions = assumed.size === 0 ? '' : `; assumes at most ${fmt(assumedBytes)} bytes per string/binary value and ${assumedItems} items per list for ${[...assumed].join(', ')} (declare bounds to make the check exact)`;
  const reason = ok
    ? `view '${view.name}': the largest online item is ${fmt(total)} bytes, within DynamoDB's ${fmt(DYNAMODB_MAX_ITEM_BYTES)}${assumptions}`
    : `view '${view.name}': an online item can reach ${fmt(total)} bytes, over DynamoDB's ${fmt(DYNAMODB_MAX_ITEM_BYTES)}-byte limit; largest features: ${largest}${assumptions}`;
  return Object.freeze({ view: view.name, maxBytes: total, limitBytes: DYNAMODB_MAX_ITEM_BYTES, ok, assumed: Object.freeze([...assumed]), reason });
}

function worstValue(dtype: DType, bound: FeatureSizeBound, assumedBytes: number, assumedItems: number, assume: () => void): number {
  switch (dtype.kind) {
    case 'bool':
      return 1;
    case 'float64':
      return DOUBLE_TEXT_BYTES;
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
      return NUMBER_BYTES; // int32, int64, timestamp, date, decimal: numbers of at most 38 digits
  }
}

/** The size DynamoDB bills for an item. */
export function itemBytes(item: Readonly<Record<string, StoredValue>>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) total += bytes(name) + valueBytes(value);
  return total;
}

function valueBytes(v: StoredValue): number {
  if (v.S !== undefined) return bytes(v.S);
  if (v.N !== undefined) return numberBytes(v.N);
  if (v.B !== undefined) return v.B.length;
  if (v.L !== undefined) return v.L.reduce((sum, item) => sum + 1 + valueBytes(item), 3);
  return 1; // BOOL, NULL
}

function numberBytes(n: string): number {
  const mantissa = n.replace(/^-/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, mantissa.length) / 2) + 1 + (n.startsWith('-') ? 1 : 0);
}

const utf8 = new TextEncoder();
function bytes(s: string): number {
  return utf8.encode(s).length;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
