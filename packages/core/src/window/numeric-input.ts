import type { Vector } from 'apache-arrow';

const TWO_32 = 2 ** 32;

/**
 * Integers of any width as two exact doubles per row, `hi * 2^32 + lo` with
 * `0 <= lo < 2^32`: int64 sums stay exact with no `bigint` per row. Values
 * of null rows are unspecified.
 */
export function readIntLimbs(vector: Vector): { hi: Float64Array; lo: Float64Array } {
  const n = vector.length;
  const hi = new Float64Array(n);
  const lo = new Float64Array(n);
  let pos = 0;
  for (const data of vector.data) {
    const len = data.length;
    const values = data.values as ArrayLike<number> & ArrayBufferView;
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      const halves = new Int32Array(values.buffer, values.byteOffset, len * 2);
      const unsigned = values instanceof BigUint64Array;
      for (let i = 0; i < len; i++) {
        lo[pos + i] = halves[2 * i]! >>> 0;
        hi[pos + i] = unsigned ? halves[2 * i + 1]! >>> 0 : halves[2 * i + 1]!;
      }
    } else {
      for (let i = 0; i < len; i++) {
        const v = values[i]!;
        const low = v >>> 0;
        lo[pos + i] = low;
        hi[pos + i] = (v - low) / TWO_32;
      }
    }
    pos += len;
  }
  return { hi, lo };
}

/** Float32/Float64 values as doubles, with `-0` read as `0` (they are equal, and must dedupe as one). */
export function readFloats(vector: Vector): Float64Array {
  const out = new Float64Array(vector.length);
  let pos = 0;
  for (const data of vector.data) {
    const values = data.values as Float32Array | Float64Array;
    for (let i = 0; i < data.length; i++) out[pos + i] = values[i]! + 0;
    pos += data.length;
  }
  return out;
}

/** Decimal128 words of every row, four per row, in one buffer (see `decimalAt`). */
export function readDecimalWords(vector: Vector): Uint32Array {
  const out = new Uint32Array(vector.length * 4);
  let pos = 0;
  for (const data of vector.data) {
    out.set((data.values as Uint32Array).subarray(0, data.length * 4), pos * 4);
    pos += data.length;
  }
  return out;
}
