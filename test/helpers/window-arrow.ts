/**
 * Arrow builders and readers for the window-evaluation tests: exact int64,
 * timestamp and Decimal128 columns from plain values, and output columns
 * back to plain values (int64, timestamps and decimals as `bigint`, the
 * decimal scaled; lists as arrays), read from the buffers.
 */
import { Decimal, Float64, Int64, List, makeData, makeVector, TimeUnit, Timestamp, type DataType, type Table, type Vector } from 'apache-arrow';

function fixed(type: DataType, values: readonly (bigint | number | null)[]): Vector {
  const n = values.length;
  const data = type instanceof Decimal ? new Uint32Array(n * 4) : type instanceof Float64 ? new Float64Array(n) : new BigInt64Array(n);
  const bitmap = new Uint8Array(((n + 63) & ~63) >> 3);
  let nulls = 0;
  values.forEach((v, i) => {
    if (v === null) return void nulls++;
    bitmap[i >> 3]! |= 1 << (i & 7);
    if (data instanceof Uint32Array) {
      let u = BigInt.asUintN(128, v as bigint);
      for (let w = 0; w < 4; w++, u >>= 32n) data[i * 4 + w] = Number(u & 0xffffffffn);
    } else (data as unknown as (bigint | number)[])[i] = v;
  });
  return makeVector(makeData({ type, length: n, data, nullBitmap: nulls ? bitmap : undefined, nullCount: nulls } as never));
}

/** Timestamp(µs, UTC) from epoch µs. */
export const tsCol = (us: readonly (bigint | null)[]): Vector => fixed(new Timestamp(TimeUnit.MICROSECOND, 'UTC'), us);
/** Int64 from bigints. */
export const int64Col = (values: readonly (bigint | null)[]): Vector => fixed(new Int64(), values);
/** Float64 from numbers. */
export const float64Col = (values: readonly (number | null)[]): Vector => fixed(new Float64(), values);
/** Decimal128(38, scale) from scaled integers. */
export const decimalCol = (values: readonly (bigint | null)[], scale = 2): Vector => fixed(new Decimal(scale, 38, 128), values);

/** A column's values, read from the buffers. */
export function readCells(vector: Vector): unknown[] {
  const out: unknown[] = [];
  for (const data of vector.data) {
    const type = data.type;
    for (let i = 0; i < data.length; i++) {
      if (!data.getValid(i)) out.push(null);
      else if (type instanceof Int64 || type instanceof Timestamp) out.push((data.values as BigInt64Array)[i]);
      else if (type instanceof Decimal) {
        let v = 0n;
        for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt((data.values as Uint32Array)[i * 4 + w]!);
        out.push(BigInt.asIntN(128, v));
      } else if (type instanceof List) {
        out.push(readCells(makeVector(data.children[0]!)).slice(data.valueOffsets[i]!, data.valueOffsets[i + 1]!));
      } else out.push(makeVector(data).get(i));
    }
  }
  return out;
}

/** A table's rows as plain objects (see {@link readCells}). */
export function readRows(table: Table): Record<string, unknown>[] {
  const columns = table.schema.fields.map((f) => [f.name, readCells(table.getChild(f.name)!)] as const);
  return Array.from({ length: table.numRows }, (_, r) => Object.fromEntries(columns.map(([name, c]) => [name, c[r]])));
}
