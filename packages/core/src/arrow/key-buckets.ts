import { makeVector, type Data, type Table } from 'apache-arrow';
import { InvalidInputError } from '../errors.js';
import { hash, keyKind } from './keys.js';

/**
 * A stable bucket in `[0, buckets)` per row, from the values of its key
 * columns: equal keys land in the same bucket in every table and every
 * process (integers by value whatever their width, strings by content), so
 * work can be split by entity and the parts joined back without a shuffle
 * of the rest. Rows with a null key go to bucket 0.
 */
export function keyBuckets(table: Table, keys: readonly string[], buckets: number): Int32Array {
  const n = table.numRows;
  const out = new Int32Array(n);
  if (buckets <= 1) return out;
  const h = new Int32Array(n).fill(0x2545f491);
  for (const name of keys) {
    const vector = table.getChild(name);
    if (!vector) throw new InvalidInputError(`key column '${name}' not found; the table has ${table.schema.fields.map((f) => f.name).join(', ')}`);
    const kind = keyKind(vector.type, name, 'table');
    let pos = 0;
    for (const data of vector.data) {
      if (kind === 'int') hashInts(data, h, pos);
      else hashStrings(data, h, pos);
      pos += data.length;
    }
  }
  for (let i = 0; i < n; i++) out[i] = (h[i]! >>> 0) % buckets;
  return out;
}

function hashInts(data: Data, h: Int32Array, pos: number): void {
  const values = data.values as ArrayLike<number | bigint> & ArrayBufferView;
  const wide = values instanceof BigInt64Array || values instanceof BigUint64Array;
  const halves = wide ? new Int32Array(values.buffer, values.byteOffset, data.length * 2) : null;
  for (let i = 0; i < data.length; i++) {
    if (data.nullCount > 0 && !data.getValid(i)) continue;
    let lo: number;
    let hi: number;
    if (halves) {
      lo = halves[2 * i]!;
      hi = halves[2 * i + 1]!;
    } else {
      const v = (values as ArrayLike<number>)[i]!;
      lo = v | 0;
      hi = v < 0 && !(values instanceof Uint32Array) ? -1 : 0;
    }
    h[pos + i] = hash(h[pos + i]! ^ lo, hi);
  }
}

function hashStrings(data: Data, h: Int32Array, pos: number): void {
  const vector = makeVector(data);
  for (let i = 0; i < data.length; i++) {
    const s = vector.get(i) as string | null;
    if (s === null) continue;
    // FNV-1a over UTF-16 code units: stable, and equal strings hash equally.
    let x = 0x811c9dc5;
    for (let k = 0; k < s.length; k++) x = Math.imul(x ^ s.charCodeAt(k), 0x01000193);
    h[pos + i] = hash(h[pos + i]!, x);
  }
}

/** The row indices of each non-empty bucket, ascending within a bucket (a counting sort). */
export function groupByBucket(bucket: Int32Array, buckets: number): Map<number, Int32Array> {
  const counts = new Int32Array(buckets + 1);
  for (const b of bucket) counts[b + 1]!++;
  for (let b = 0; b < buckets; b++) counts[b + 1]! += counts[b]!;
  const order = new Int32Array(bucket.length);
  const next = counts.slice(0, buckets);
  for (let i = 0; i < bucket.length; i++) order[next[bucket[i]!]!++] = i;
  const out = new Map<number, Int32Array>();
  for (let b = 0; b < buckets; b++) if (counts[b + 1]! > counts[b]!) out.set(b, order.subarray(counts[b]!, counts[b + 1]!));
  return out;
}
