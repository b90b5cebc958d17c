import { Int64, makeData, makeVector, Table, type DataType, type Vector } from 'apache-arrow';
import { KeyDictionary } from '../arrow/keys.js';
import { packBits, readMicrosVector } from '../arrow/time-column.js';
import { readValidity, type ValueFamily } from './columns.js';
import { decimalAt } from './decimal.js';
import { readFloats, readDecimalWords } from './numeric-input.js';

/**
 * A column with each non-null value replaced by its rank among the column's
 * distinct values (0 = smallest). Ranks are small integers whose order and
 * equality are the values' own, so min/max deques, distinct counts, sets and
 * filter comparisons all run on an `Int32Array`, whatever the column type.
 */
export type RankedValues = {
  readonly type: DataType;
  /** Per input row: the rank of its value, `-1` for null. */
  readonly ranks: Int32Array;
} & (
  | { readonly family: 'int' | 'time'; readonly values: readonly bigint[] }
  | { readonly family: 'decimal'; readonly values: readonly bigint[]; readonly scale: number }
  | { readonly family: 'float'; readonly values: Float64Array }
  | { readonly family: 'bool'; readonly values: readonly boolean[] }
  | { readonly family: 'string'; readonly values: readonly string[] }
);

/**
 * Ranks a column. Order: integers, decimals and instants by value; floats
 * numerically with NaN above +Infinity and equal to itself (as DuckDB and
 * Postgres order them); strings by Unicode code point (UTF-8 byte order, as
 * SQL engines and Parquet statistics compare); `false < true`.
 */
export function rankValues(table: Table, column: string, vector: Vector, family: ValueFamily): RankedValues {
  const type = vector.type as DataType;
  switch (family) {
    case 'int': {
      const { ranks, values } = rankByDictionary(table, column, (row) => BigInt(vector.get(row) as number | bigint), compareBigInt);
      return { family, type, ranks, values };
    }
    case 'time': {
      const { micros, valid } = readMicrosVector(vector, column);
      const asInts = new Table({
        t: makeVector(makeData({ type: new Int64(), length: micros.length, data: micros, nullBitmap: valid ? packBits(valid) : undefined })),
      });
      const { ranks, values } = rankByDictionary(asInts, 't', (row) => micros[row]!, compareBigInt);
      return { family, type, ranks, values };
    }
    case 'string': {
      const { ranks, values } = rankByDictionary(table, column, (row) => vector.get(row) as string, compareCodePoints);
      return { family, type, ranks, values };
    }
    case 'decimal':
      return { family, type, ...rankDecimals(vector), scale: (type as DataType & { scale: number }).scale };
    case 'float':
      return { family, type, ...rankFloats(vector) };
    case 'bool':
      return { family, type, ranks: rankBools(vector), values: [false, true] };
  }
}

/** Compares strings by Unicode code point, unlike `<`, which compares UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800-DFFF) encode code points above U+FFFF: they outrank U+E000-FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function compareBigInt(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Dense ids by hashing (int64 from its 32-bit halves, strings by content),
// then only the distinct values are sorted.
function rankByDictionary<T>(
  table: Table,
  column: string,
  read: (row: number) => T,
  compare: (a: T, b: T) => number,
): { ranks: Int32Array; values: T[] } {
  const dictionary = new KeyDictionary();
  const ids = dictionary.encode(table, [column], { insert: true }, 'events');
  const first = new Int32Array(dictionary.count).fill(-1);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id >= 0 && first[id]! < 0) first[id] = i;
  }
  return finishRanks(ids, Array.from(first, read), compare);
}

function finishRanks<T>(ids: Int32Array, byId: T[], compare: (a: T, b: T) => number): { ranks: Int32Array; values: T[] } {
  const order = byId.map((_, i) => i).sort((a, b) => compare(byId[a]!, byId[b]!));
  const rankOfId = new Int32Array(byId.length);
  order.forEach((id, rank) => (rankOfId[id] = rank));
  const ranks = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) ranks[i] = ids[i]! < 0 ? -1 : rankOfId[ids[i]!]!;
  return { ranks, values: order.map((id) => byId[id]!) };
}

function rankDecimals(vector: Vector): { ranks: Int32Array; values: bigint[] } {
  const words = readDecimalWords(vector);
  const valid = validBytes(vector);
  const ids = new Int32Array(vector.length);
  const idOf = new Map<bigint, number>();
  const byId: bigint[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (!valid[i]) {
      ids[i] = -1;
      continue;
    }
    const v = decimalAt(words, i);
    let id = idOf.get(v);
    if (id === undefined) {
      id = byId.length;
      idOf.set(v, id);
      byId.push(v);
    }
    ids[i] = id;
  }
  return finishRanks(ids, byId, compareBigInt);
}

// A native sort of the doubles (no comparator), then a binary search per row.
function rankFloats(vector: Vector): { ranks: Int32Array; values: Float64Array } {
  const x = readFloats(vector);
  const valid = validBytes(vector);
  const sorted = new Float64Array(x.length);
  let k = 0;
  for (let i = 0; i < x.length; i++) if (valid[i]) sorted[k++] = x[i]!;
  const all = sorted.subarray(0, k).sort();
  let d = 0;
  for (let i = 0; i < k; i++) {
    const v = all[i]!;
    if (d > 0 && (v === all[d - 1] || (v !== v && all[d - 1] !== all[d - 1]))) continue;
    all[d++] = v;
  }
  const values = all.slice(0, d);
  const ranks = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    if (!valid[i]) {
      ranks[i] = -1;
      continue;
    }
    const v = x[i]!;
    if (v !== v) {
      ranks[i] = d - 1;
      continue;
    }
    let lo = 0;
    let hi = d - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    ranks[i] = lo;
  }
  return { ranks, values };
}

function rankBools(vector: Vector): Int32Array {
  const ranks = new Int32Array(vector.length);
  const valid = validBytes(vector);
  let pos = 0;
  for (const data of vector.data) {
    const bits = data.values as Uint8Array;
    for (let i = 0; i < data.length; i++) {
      const bit = data.offset + i;
      ranks[pos + i] = valid[pos + i] ? (bits[bit >> 3]! >> (bit & 7)) & 1 : -1;
    }
    pos += data.length;
  }
  return ranks;
}

function validBytes(vector: Vector): Uint8Array {
  return readValidity(vector) ?? new Uint8Array(vector.length).fill(1);
}
