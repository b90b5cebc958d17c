import { Bool, DataType, makeData, makeVector, Utf8, type Vector } from 'apache-arrow';
import { microsVector, packBits } from '../arrow/time-column.js';
import { toArrowType, type DecimalDType, type DType } from '../dtypes.js';
import { InvalidInputError } from '../errors.js';
import { decimalToNumber, pow10, writeDecimal } from './decimal.js';
import { fixedVector } from './arrow-out.js';
import type { RankedValues } from './ranked-values.js';

const INT32 = [-(2n ** 31n), 2n ** 31n - 1n] as const;
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const US_PER_DAY = 86_400_000_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/**
 * A column's distinct values, in rank order, as a vector of the output
 * dtype: row `k` holds the value of rank `k`. Gathering it by rank turns
 * the rank results of min/max/last/collect_set into output columns, with
 * each value converted once rather than once per output row. Integers widen
 * exactly (to int64, float64 or a decimal scale); narrowing that loses a
 * value, and conversions between unrelated types, are an
 * {@link InvalidInputError}.
 */
export function distinctVector(column: RankedValues, dtype: DType, context: string): Vector {
  const cannot = (): never => {
    throw new InvalidInputError(`${context}: a ${String(column.type)} column cannot be returned as ${dtype.kind}`);
  };
  const d = column.values.length;
  switch (dtype.kind) {
    case 'int32':
    case 'int64': {
      if (column.family !== 'int' && !(column.family === 'decimal' && column.scale === 0)) return cannot();
      const [min, max] = dtype.kind === 'int32' ? INT32 : INT64;
      for (const v of column.values) {
        if (v < min || v > max) throw new InvalidInputError(`${context}: value ${v} does not fit ${dtype.kind}`);
      }
      const data = dtype.kind === 'int32' ? Int32Array.from(column.values, Number) : BigInt64Array.from(column.values);
      return fixedVector(toArrowType(dtype), d, data, null);
    }
    case 'float64': {
      let data: Float64Array;
      if (column.family === 'float') data = column.values;
      else if (column.family === 'int') data = Float64Array.from(column.values, Number);
      else if (column.family === 'decimal') data = Float64Array.from(column.values, (v) => decimalToNumber(v, column.scale));
      else return cannot();
      return fixedVector(toArrowType(dtype), d, data, null);
    }
    case 'decimal': {
      const { precision, scale } = dtype as DecimalDType;
      const from = column.family === 'int' ? 0 : column.family === 'decimal' ? column.scale : -1;
      if (from < 0) return cannot();
      if (from > scale) {
        throw new InvalidInputError(`${context}: a decimal of scale ${from} cannot be returned as scale ${scale} without rounding`);
      }
      const words = new Uint32Array(d * 4);
      const factor = pow10(scale - from);
      const limit = pow10(precision);
      (column.values as readonly bigint[]).forEach((v, k) => {
        const scaled = v * factor;
        if (scaled >= limit || -scaled >= limit) {
          throw new InvalidInputError(`${context}: value does not fit decimal(${precision}, ${scale})`);
        }
        writeDecimal(words, k, scaled);
      });
      return fixedVector(toArrowType(dtype), d, words, null);
    }
    case 'bool': {
      if (column.family !== 'bool') return cannot();
      const bits = packBits(Uint8Array.from(column.values, (v) => (v ? 1 : 0)));
      return makeVector(makeData({ type: new Bool(), length: d, data: bits, nullCount: 0 }));
    }
    case 'string':
      if (column.family !== 'string') return cannot();
      return utf8Vector(column.values);
    case 'timestamp':
      if (column.family !== 'time') return cannot();
      return microsVector(BigInt64Array.from(column.values));
    case 'date': {
      // Only a Date column is a calendar date; a timestamp's date would depend on a time zone.
      if (column.family !== 'time' || !DataType.isDate(column.type)) return cannot();
      const days = new Int32Array(d);
      column.values.forEach((us, k) => (days[k] = Number(floorDiv(us, US_PER_DAY))));
      return fixedVector(toArrowType(dtype), d, days, null);
    }
    case 'binary':
    case 'list':
      return cannot();
  }
}

function utf8Vector(values: readonly string[]): Vector {
  const encoder = new TextEncoder();
  const encoded = values.map((v) => encoder.encode(v));
  const offsets = new Int32Array(values.length + 1);
  encoded.forEach((bytes, k) => (offsets[k + 1] = offsets[k]! + bytes.length));
  const data = new Uint8Array(offsets[values.length]!);
  encoded.forEach((bytes, k) => data.set(bytes, offsets[k]!));
  return makeVector(makeData({ type: new Utf8(), length: values.length, valueOffsets: offsets, data, nullCount: 0 }));
}
