/**
 * How online rows are stored, by every online store (docs/online-store.md):
 * an item of DynamoDB-style typed values, so the DynamoDB adapter sends it
 * as is and the embedded store keeps the very same encoding. Every dtype
 * round-trips exactly: integers, decimals (read back as `Decimal`s) and µs timestamps as decimal
 * strings (`N`), never through a double.
 */
import {
  checkKeyValue,
  civilFromDays,
  daysFromCivil,
  Decimal,
  formatDecimal,
  Instant,
  isDecimal,
  InvalidInputError,
  StoreReadError,
  toEpochMicros,
  type DecimalDType,
  type DType,
  type ListDType,
  type OnlineView,
  type TimeInput,
} from '@asof/core';

/** A stored value; structurally a DynamoDB `AttributeValue` (only the members asof uses). */
export type AttrValue = { S: string } | { N: string } | { B: Uint8Array } | { BOOL: boolean } | { NULL: true } | { L: AttrValue[] };

/** A stored value as read back (a DynamoDB `AttributeValue` fits). */
export interface StoredValue {
  readonly S?: string;
  readonly N?: string;
  readonly B?: Uint8Array;
  readonly BOOL?: boolean;
  readonly NULL?: boolean;
  readonly L?: readonly StoredValue[];
}

/** One stored row: attribute name -> value. */
export type Item = Record<string, AttrValue>;

/** Attribute names of an item; features are `f:<feature>`, so no feature name can collide with these. */
export const ATTR = Object.freeze({
  /** `<view>#<encoded entity key>`, the partition key (a part's: `<that>#part-<n>-<tag>`). */
  key: 'pk',
  /** `event_ts` of the current row, µs ({@link NULL_CREATED_TS}, the least int64, when a timeline has none): the first of the order key. */
  eventTs: 'ets',
  /** `created_ts` of the current row, µs ({@link NULL_CREATED_TS} for null or none). */
  createdTs: 'cts',
  /** Epoch seconds after which DynamoDB may delete the item (views with a TTL, and timeline parts). */
  expiresAt: 'ttl',
  /** `true` on tombstones, which carry no features (items from before timelines only). */
  deleted: 'del',
  /** The item format: 2 for timelines; absent on items from before timelines (one row each). */
  format: 'fmt',
  /** The offline snapshot version the timeline was built from (order key, after the current row). */
  version: 'ver',
  /** The publish instant, µs (order key, after the version). */
  publishedAt: 'pub',
  /** The last instant the timeline answers for, µs; the greatest int64 for rows written without a timeline. */
  horizonEnd: 'hor',
  /** Digest of the timeline's rows and values (hex). */
  digest: 'dig',
  /** Event times of the item's points: int64 little-endian, 8 bytes each, ascending. */
  times: 'te',
  /** Created times of the item's points, as `te` ({@link NULL_CREATED_TS} for null). */
  created: 'tc',
  /** Tombstone bitmap of the item's points (bit i of byte i >> 3); absent when none is a tombstone. */
  tombstones: 'td',
  /** How many parts hold the points after the head's (absent: none). */
  parts: 'prt',
  /** The tag in the parts' keys, unique to the write that stored them. */
  partsTag: 'tag',
  /** First event time of each part, as `te`. */
  partStarts: 'pti',
});

/** {@link ATTR}`.format` of timeline items. */
export const TIMELINE_FORMAT = 2;

/** The attribute of a feature. */
export function featureAttribute(feature: string): string {
  return `f:${feature}`;
}

/** A null `created_ts` is stored as the least int64, so it orders below every real one and conditions compare numbers only. */
export const NULL_CREATED_TS = -(2n ** 63n);

/** LMDB's key limit (UTF-8 bytes), below DynamoDB's 2,048. */
export const STORE_KEY_BYTES = 1978;
/** Room a timeline part's key takes after its entity's (`#part-<n>-<tag>`). */
export const PART_SUFFIX_BYTES = 32;
/** Longest entity key (UTF-8 bytes of `pk`): the store's key limit less room for a part's suffix. */
export const MAX_KEY_BYTES = STORE_KEY_BYTES - PART_SUFFIX_BYTES;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const utf8 = new TextEncoder();

/**
 * The partition key of an entity: `<view>#<part>#<part>…` in key order,
 * integers as canonical decimals (`-42`), strings as JSON string literals
 * (`"a#b"`), so composite keys never collide (`("1#2")` vs `(1, 2)`) and
 * int64 keys stay exact. Also returns the key values normalised to their
 * dtypes (int64 as `bigint`). Integer keys may be `bigint`, safe-integer
 * `number` or decimal strings (`'042'` is 42); anything else, a value
 * outside the key's range (never wrapped) or a null throws
 * `InvalidKeyError` (naming `row` when given), a key longer than
 * {@link MAX_KEY_BYTES} `InvalidInputError`.
 */
export function entityKey(view: OnlineView, key: Readonly<Record<string, unknown>>, row?: number): { pk: string; key: Record<string, bigint | number | string> } {
  let pk = view.name;
  const values: Record<string, bigint | number | string> = {};
  const context = { source: `keys of online view '${view.name}'` };
  for (const [name, dtype] of Object.entries(view.keys)) {
    const given = key[name];
    // Decimal strings are accepted for integer keys (OnlineStore.read's contract); they are then checked like any integer.
    const value = dtype.kind !== 'string' && typeof given === 'string' && /^-?\d+$/.test(given) ? BigInt(given) : given;
    const checked = checkKeyValue(value, dtype, name, row ?? null, context);
    values[name] = checked;
    pk += '#' + (typeof checked === 'string' ? JSON.stringify(checked) : checked.toString());
  }
  if (pk.length > MAX_KEY_BYTES / 3 && utf8.encode(pk).length > MAX_KEY_BYTES) {
    throw new InvalidInputError(`view '${view.name}': the entity key ${pk.slice(0, 80)}… is longer than ${MAX_KEY_BYTES} bytes`);
  }
  return { pk, key: values };
}

function toInteger(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : null;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return null;
}

/**
 * Encodes a JS value of `dtype` (as `tableToRows` gives them, or plain
 * user values: numbers for int64, any `TimeInput` for timestamps, decimal
 * strings or numbers for decimals).
 * `where` names the value in errors.
 */
export function encodeValue(value: unknown, dtype: DType, where: string): AttrValue {
  if (value === null || value === undefined) return { NULL: true };
  switch (dtype.kind) {
    case 'int32':
    case 'int64': {
      const n = toInteger(value);
      const [lo, hi] = dtype.kind === 'int32' ? [INT32_MIN, INT32_MAX] : [INT64_MIN, INT64_MAX];
      return n !== null && n >= lo && n <= hi ? { N: n.toString() } : notA(value, `an ${dtype.kind}`, where);
    }
    case 'float64':
      return typeof value === 'number' ? encodeDouble(value) : typeof value === 'bigint' ? encodeDouble(Number(value)) : notA(value, 'a number', where);
    case 'bool':
      return typeof value === 'boolean' ? { BOOL: value } : notA(value, 'a boolean', where);
    case 'string':
      return typeof value === 'string' ? { S: value } : notA(value, 'a string', where);
    case 'binary':
      return value instanceof Uint8Array ? { B: value } : notA(value, 'a Uint8Array', where);
    case 'timestamp':
      try {
        return { N: toEpochMicros(value as TimeInput).toString() };
      } catch (error) {
        return notA(value, `a timestamp (${(error as Error).message})`, where);
      }
    case 'date': {
      const m = typeof value === 'string' ? /^(-?\d{4,6})-(\d{2})-(\d{2})$/.exec(value) : null;
      return m ? { N: String(daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]))) } : notA(value, "a 'YYYY-MM-DD' date", where);
    }
    case 'decimal': {
      const { precision, scale } = dtype as DecimalDType;
      const scaled = parseDecimalText(value, scale);
      if (scaled === null) return notA(value, `a decimal with at most ${scale} digits after the point`, where);
      if ((scaled < 0n ? -scaled : scaled).toString().length > precision) return notA(value, `a decimal(${precision}, ${scale})`, where);
      return { N: formatDecimal(scaled, scale) };
    }
    case 'list': {
      if (!Array.isArray(value)) return notA(value, 'an array', where);
      const item = (dtype as ListDType<unknown>).item;
      return { L: value.map((v, i) => atIndex(where, i, () => encodeValue(v, item, where))) };
    }
  }
}

function notA(value: unknown, what: string, where: string): never {
  throw new InvalidInputError(`${where}: ${describe(value)} is not ${what}`);
}

/**
 * Doubles as `N` where DynamoDB can hold them exactly (the shortest
 * round-trip decimal has at most 17 digits; `N` keeps 38 and magnitudes
 * 1e-130..1e126); `NaN`, `±Infinity`, `-0` and doubles outside that range
 * as their JS text in `S`.
 */
function encodeDouble(x: number): AttrValue {
  const abs = Math.abs(x);
  if (Number.isFinite(x) && !Object.is(x, -0) && (abs === 0 || (abs >= 1e-130 && abs < 1e125))) return { N: String(x) };
  return { S: Object.is(x, -0) ? '-0' : String(x) };
}

/** Decodes a stored value of `dtype`; a value of the wrong kind is a `StoreReadError` naming `where`. */
export function decodeValue(stored: StoredValue, dtype: DType, where: string): unknown {
  if (stored.NULL) return null;
  switch (dtype.kind) {
    case 'int32':
      return stored.N !== undefined ? Number(stored.N) : mismatch(stored, dtype, where);
    case 'int64':
      return stored.N !== undefined ? BigInt(stored.N) : mismatch(stored, dtype, where);
    case 'float64':
      return stored.N !== undefined ? Number(stored.N) : stored.S !== undefined ? Number(stored.S) : mismatch(stored, dtype, where);
    case 'bool':
      return stored.BOOL ?? mismatch(stored, dtype, where);
    case 'string':
      return stored.S ?? mismatch(stored, dtype, where);
    case 'binary':
      return stored.B ? new Uint8Array(stored.B) : mismatch(stored, dtype, where);
    case 'timestamp':
      return stored.N !== undefined ? new Instant(BigInt(stored.N)) : mismatch(stored, dtype, where);
    case 'date': {
      if (stored.N === undefined) return mismatch(stored, dtype, where);
      const [y, m, d] = civilFromDays(Number(stored.N));
      return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    }
    case 'decimal': {
      // An exact Decimal at the dtype's scale, whatever form DynamoDB returns (`1.5E+3`, trimmed zeros).
      const scale = (dtype as DecimalDType).scale;
      if (stored.N === undefined) return mismatch(stored, dtype, where);
      const scaled = parseDecimalText(stored.N, scale);
      return scaled === null ? mismatch(stored, dtype, where) : new Decimal(scaled, scale);
    }
    case 'list': {
      if (!stored.L) return mismatch(stored, dtype, where);
      const item = (dtype as ListDType<unknown>).item;
      return stored.L.map((v, i) => atIndex(where, i, () => decodeValue(v, item, where)));
    }
  }
}

/** Runs `f`; an error it throws about `where` is rethrown about `where[i]` (context built only on failure). */
function atIndex<T>(where: string, i: number, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof InvalidInputError) throw new InvalidInputError(error.message.replace(where, `${where}[${i}]`));
    if (error instanceof StoreReadError) throw new StoreReadError(error.message.replace(where, `${where}[${i}]`));
    throw error;
  }
}

function mismatch(stored: StoredValue, dtype: DType, where: string): never {
  throw new StoreReadError(`${where}: stored value ${JSON.stringify(stored)} is not a ${dtype.kind}; was the feature's dtype changed without rewriting the online store?`);
}

/**
 * A decimal (Decimal, string, number or bigint; DynamoDB may return `1.5E+3` or
 * trim trailing zeros) as an integer scaled by `10^scale`, or `null` if it
 * has more fraction digits than `scale` or is not a number.
 */
function parseDecimalText(value: unknown, scale: number): bigint | null {
  if (typeof value === 'bigint') return value * 10n ** BigInt(scale);
  if (isDecimal(value)) {
    if (value.scale <= scale) return value.unscaled * 10n ** BigInt(scale - value.scale);
    const factor = 10n ** BigInt(value.scale - scale);
    return value.unscaled % factor === 0n ? value.unscaled / factor : null;
  }
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : typeof value === 'string' ? value.trim() : '';
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const shift = Number(m[4] ?? 0) - (m[3] ?? '').length + scale; // value = digits * 10^(shift - scale)
  let scaled: bigint;
  if (shift >= 0) scaled = BigInt(digits) * 10n ** BigInt(shift);
  else {
    const cut = digits.length + shift;
    if (/[1-9]/.test(digits.slice(Math.max(0, cut)))) return null;
    scaled = cut > 0 ? BigInt(digits.slice(0, cut)) : 0n;
  }
  return m[1] === '-' ? -scaled : scaled;
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value instanceof Date) return `Date(${value.toISOString()})`;
  if (isDecimal(value)) return `Decimal(${value.toString()})`;
  return typeof value === 'object' ? Object.prototype.toString.call(value) : String(value);
}
