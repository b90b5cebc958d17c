import { Field, Float64, Int64, List, makeData, makeVector, type DataType, type Vector } from 'apache-arrow';
import { packBits } from '../arrow/time-column.js';

/** Validity arguments for `makeData`: none when every value is present. */
export function nulls(valid: Uint8Array | null): { nullBitmap?: Uint8Array; nullCount: number } {
  if (!valid) return { nullCount: 0 };
  let missing = 0;
  for (let i = 0; i < valid.length; i++) if (!valid[i]) missing++;
  return missing === 0 ? { nullCount: 0 } : { nullBitmap: packBits(valid), nullCount: missing };
}

/** An Int64 vector of small non-negative counts, written through 32-bit halves (no `bigint` per row). */
export function countVector(counts: Int32Array): Vector<Int64> {
  const out = new BigInt64Array(counts.length);
  const halves = new Int32Array(out.buffer);
  for (let i = 0; i < counts.length; i++) halves[2 * i] = counts[i]!;
  return makeVector(makeData({ type: new Int64(), length: counts.length, data: out, nullCount: 0 }));
}

/** A Float64 vector; rows with `valid[i] === 0` are null. */
export function float64Vector(values: Float64Array, valid: Uint8Array | null): Vector<Float64> {
  return makeVector(makeData({ type: new Float64(), length: values.length, data: values, ...nulls(valid) }));
}

/** A fixed-width vector of `type` from its raw `data` buffer (e.g. four words per row for Decimal128). */
export function fixedVector(type: DataType, length: number, data: ArrayBufferView, valid: Uint8Array | null): Vector {
  return makeVector(makeData({ type, length, data, ...nulls(valid) } as never));
}

/** A List vector, never null, whose row `r` holds items `offsets[r] .. offsets[r + 1] - 1` of `items`. */
export function listVector(items: Vector, offsets: Int32Array): Vector {
  const type = new List(new Field('item', items.type, true));
  return makeVector(makeData({ type, length: offsets.length - 1, valueOffsets: offsets, child: items.data[0]!, nullCount: 0 }));
}
