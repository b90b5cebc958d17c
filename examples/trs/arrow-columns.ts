/**
 * Builds exact Arrow columns straight from typed arrays: Int64 and
 * Timestamp(µs) from integer-valued doubles (no `BigInt` per value on the
 * fast path), Decimal128 from integer cents, Utf8 from strings. Nothing goes
 * through `Date` or `vectorFromArray`, which would lose microseconds.
 */
import { microsVector } from '@asof/core';
import {
  Decimal,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  type Data,
  type Timestamp,
} from 'apache-arrow';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;

/** Int64 values of integer-valued doubles (exact for |x| < 2^53). */
export function toBigInt64(values: Float64Array): BigInt64Array {
  const out = new BigInt64Array(values.length);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (LITTLE_ENDIAN && x >= 0 && x <= Number.MAX_SAFE_INTEGER) {
      const lo = x % TWO_32;
      words[2 * i] = lo;
      words[2 * i + 1] = (x - lo) / TWO_32;
    } else {
      if (!Number.isSafeInteger(x)) throw new RangeError(`${x} is not a safe integer`);
      out[i] = BigInt(x);
    }
  }
  return out;
}

/** A non-null Int64 column. */
export function int64Data(values: Float64Array): Data<Int64> {
  return makeData({ type: new Int64(), length: values.length, nullCount: 0, data: toBigInt64(values) });
}

/** A non-null Int32 column. */
export function int32Data(values: Int32Array): Data<Int32> {
  return makeData({ type: new Int32(), length: values.length, nullCount: 0, data: values });
}

/** A Timestamp(MICROSECOND, "UTC") column of epoch µs; rows with `valid[i] === 0` are null. */
export function timestampData(micros: Float64Array, valid?: Uint8Array): Data<Timestamp> {
  return microsVector(toBigInt64(micros), valid ?? null).data[0]!;
}

/** A non-null Decimal128(precision, scale) column of scaled integers (e.g. cents for scale 2). */
export function decimalData(scaled: Int32Array, precision: number, scale: number): Data<Decimal> {
  const words = new Uint32Array(scaled.length * 4);
  for (let i = 0; i < scaled.length; i++) {
    const v = scaled[i]!;
    const fill = v < 0 ? 0xffffffff : 0; // two's complement sign extension
    words[4 * i] = v >>> 0;
    words[4 * i + 1] = fill;
    words[4 * i + 2] = fill;
    words[4 * i + 3] = fill;
  }
  return makeData({ type: new Decimal(scale, precision, 128), length: scaled.length, nullCount: 0, data: words });
}

/** A Utf8 column of `length` values from `valueAt`; `null` values are nulls. */
export function utf8Data(length: number, valueAt: (i: number) => string | null): Data<Utf8> {
  const encoder = new TextEncoder();
  const offsets = new Int32Array(length + 1);
  const validity = new Uint8Array(((length + 63) & ~63) >> 3);
  let bytes = new Uint8Array(Math.max(64, length * 8));
  let used = 0;
  let nullCount = 0;
  // Encoding repeats (status, names) once each keeps million-row columns fast.
  const cache = new Map<string, Uint8Array>();
  for (let i = 0; i < length; i++) {
    const text = valueAt(i);
    if (text === null) {
      nullCount++;
    } else {
      validity[i >> 3]! |= 1 << (i & 7);
      let encoded = cache.get(text);
      if (!encoded) {
        encoded = encoder.encode(text);
        if (cache.size < 100_000) cache.set(text, encoded);
      }
      if (used + encoded.length > bytes.length) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, used + encoded.length));
        grown.set(bytes.subarray(0, used));
        bytes = grown;
      }
      bytes.set(encoded, used);
      used += encoded.length;
    }
    offsets[i + 1] = used;
  }
  return makeData({
    type: new Utf8(),
    length,
    nullCount,
    nullBitmap: nullCount > 0 ? validity : undefined,
    valueOffsets: offsets,
    data: bytes.subarray(0, used),
  });
}

/** A one-batch table of `schema` whose columns are `children`, in schema order. */
export function makeTable(schema: Schema, children: Data[]): Table {
  const length = children[0]?.length ?? 0;
  for (const [k, child] of children.entries()) {
    if (child.length !== length) throw new Error(`column ${schema.fields[k]?.name} has ${child.length} rows, expected ${length}`);
  }
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new Table([new RecordBatch(schema, data)]);
}
