import { DataType, makeData, makeVector, Table, vectorFromArray, type Vector } from 'apache-arrow';
import { Decimal, isDecimal } from '../decimal.js';
import { bool, decimal, float64, int64, list, string, timestamp, toArrowType, type DecimalDType, type DType, type ListDType } from '../dtypes.js';
import { InvalidInputError } from '../errors.js';
import { daysFromCivil, civilFromDays } from '../time/civil.js';
import { Instant } from '../time/instant.js';
import { toEpochMicros, type TimeInput } from '../time/timestamp.js';
import { decimalAt, pow10, writeDecimal } from '../window/decimal.js';
import { packBits, readMicrosVector } from './time-column.js';

/** A row as plain JS values: bigint for int64, Instant for timestamps, {@link Decimal} for decimals. */
export type JsRow = Record<string, unknown>;

/**
 * Reads a table into plain objects without losing precision: Int64 as
 * `bigint`, timestamps as {@link Instant} (a `Date` that keeps µs),
 * Decimal128 as exact {@link Decimal}s, dates as `'YYYY-MM-DD'`, lists as
 * arrays. For row transforms and notebook output, not for hot paths.
 */
export function tableToRows(table: Table): JsRow[] {
  const rows: JsRow[] = Array.from({ length: table.numRows }, () => ({}));
  for (const field of table.schema.fields) {
    const values = columnValues(table.getChild(field.name)!, field.name);
    for (let i = 0; i < rows.length; i++) rows[i]![field.name] = values[i];
  }
  return rows;
}

/** The values of one column as exact JS values (see {@link tableToRows}). */
export function columnValues(vector: Vector, name: string): unknown[] {
  const type = vector.type as DataType;
  if (DataType.isTimestamp(type)) {
    const { micros, valid } = readMicrosVector(vector, name);
    return Array.from(micros, (us, i) => (valid && !valid[i] ? null : new Instant(us)));
  }
  if (DataType.isDecimal(type)) {
    const out: unknown[] = [];
    for (const data of vector.data) {
      for (let i = 0; i < data.length; i++) {
        out.push(data.getValid(i) ? new Decimal(decimalAt(data.values as Uint32Array, i), type.scale) : null);
      }
    }
    return out;
  }
  if (DataType.isDate(type)) {
    return Array.from({ length: vector.length }, (_, i) => {
      const ms = vector.get(i) as number | Date | null;
      if (ms === null) return null;
      const [y, m, d] = civilFromDays(Math.floor((ms instanceof Date ? ms.getTime() : ms) / 86_400_000));
      return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    });
  }
  if (DataType.isList(type)) {
    return Array.from({ length: vector.length }, (_, i) => {
      const item = vector.get(i) as Vector | null;
      return item === null ? null : columnValues(item, `${name}[]`);
    });
  }
  if (DataType.isUnion(type)) return unionValues(vector, name);
  return Array.from({ length: vector.length }, (_, i) => vector.get(i) ?? null);
}

/**
 * A union column's values, each converted as its member's column would be
 * (a µs timestamp member gives Instants, not the milliseconds `get` gives).
 */
function unionValues(vector: Vector, name: string): unknown[] {
  const out: unknown[] = [];
  for (const data of vector.data) {
    const type = data.type as DataType & { typeIdToChildIndex: Record<number, number>; children: { name: string }[] };
    // Dense members are indexed through valueOffsets and never sliced; sparse ones are sliced with the union.
    const members = data.children.map((child, k) => columnValues(makeVector(child), `${name}.${type.children[k]!.name}`));
    const offsets = data.valueOffsets as Int32Array | undefined;
    for (let i = 0; i < data.length; i++) {
      out.push(members[type.typeIdToChildIndex[data.typeIds[i]!]!]![offsets ? offsets[i]! : i] ?? null);
    }
  }
  return out;
}

/**
 * Builds a table from plain objects. `columns` gives each column's dtype;
 * a column not listed takes the dtype of its first non-null value (bigint →
 * int64, number → float64, string, boolean, Date → timestamp, array → list,
 * {@link Decimal} → `decimal(38, s)` with `s` the widest scale in the column).
 * Times may be any {@link TimeInput}; a value that does not fit its dtype is
 * an {@link InvalidInputError} naming the column and row.
 */
export function rowsToTable(rows: readonly JsRow[], columns: Readonly<Record<string, DType>>, order?: readonly string[]): Table {
  const names = order ?? columnNames(rows, columns);
  const vectors: Record<string, Vector> = {};
  for (const name of names) {
    const values = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) values[i] = rows[i]![name] ?? null;
    const dtype = columns[name] ?? inferDType(values, name);
    vectors[name] = buildVector(values, dtype, name);
  }
  return new Table(vectors);
}

function columnNames(rows: readonly JsRow[], columns: Readonly<Record<string, DType>>): string[] {
  const names = new Set(Object.keys(columns));
  for (const row of rows) for (const name in row) names.add(name);
  return [...names];
}

/** The dtype of the first non-null value. */
export function inferDType(values: readonly unknown[], name: string): DType {
  const sample = values.find((v) => v !== null && v !== undefined);
  if (sample === undefined || typeof sample === 'number') return float64();
  if (typeof sample === 'bigint') return int64();
  if (typeof sample === 'string') return string();
  if (typeof sample === 'boolean') return bool();
  if (sample instanceof Date) return timestamp();
  if (isDecimal(sample)) return decimal(38, widestScale(values, name));
  if (Array.isArray(sample)) return list(inferDType(values.flatMap((v) => (Array.isArray(v) ? v : [])), `${name}[]`));
  throw new InvalidInputError(`column '${name}' holds ${typeof sample} values; use numbers, bigints, Decimals, strings, booleans, Dates or arrays`);
}

// The scale every Decimal of the column fits without rounding; Decimal128 holds at most 38 digits.
function widestScale(values: readonly unknown[], name: string): number {
  let scale = 0;
  for (const v of values) if (isDecimal(v) && v.scale > scale) scale = v.scale;
  if (scale > 38) throw new InvalidInputError(`column '${name}' holds a Decimal with ${scale} digits after the point; Decimal128 holds at most 38 (round it first)`);
  return scale;
}

function buildVector(values: readonly unknown[], dtype: DType, name: string): Vector {
  const n = values.length;
  const valid = Uint8Array.from(values, (v) => (v === null || v === undefined ? 0 : 1));
  const nulls = n - valid.reduce((a, b) => a + b, 0);
  const bitmap = nulls > 0 ? packBits(valid) : undefined;
  const fixed = (data: ArrayBufferView) =>
    makeVector(makeData({ type: toArrowType(dtype), length: n, nullCount: nulls, nullBitmap: bitmap, data } as never));
  const bad = (i: number, what: string): never => {
    throw new InvalidInputError(`column '${name}', row ${i}: ${describeValue(values[i])} is not ${what}`);
  };
  switch (dtype.kind) {
    // Typed-array constructors wrap out-of-range values (2^64 + 80 becomes 80): check every value first.
    case 'int64':
      return fixed(BigInt64Array.from(values, (v, i) => (v === null || v === undefined ? 0n : inRange(toBigInt(v), INT64, () => bad(i, INT64.what)))));
    case 'int32':
      return fixed(Int32Array.from(values, (v, i) => (v === null || v === undefined ? 0 : Number(inRange(toBigInt(v), INT32, () => bad(i, INT32.what))))));
    case 'float64':
      return fixed(Float64Array.from(values, (v, i) => (v === null || v === undefined ? 0 : typeof v === 'number' || typeof v === 'bigint' || isDecimal(v) ? Number(v) : bad(i, 'a number'))));
    case 'timestamp':
      return fixed(BigInt64Array.from(values, (v, i) => (v === null || v === undefined ? 0n : inRange(toEpochMicros(v as TimeInput), INT64, () => bad(i, 'an instant within int64 microseconds')))));
    case 'date':
      return fixed(Int32Array.from(values, (v, i) => (v === null || v === undefined ? 0 : dayNumber(v, () => bad(i, "a 'YYYY-MM-DD' date")))));
    case 'bool': {
      const bits = new Uint8Array(((n + 63) & ~63) >> 3);
      values.forEach((v, i) => v === true && (bits[i >> 3]! |= 1 << (i & 7)));
      return fixed(bits);
    }
    case 'decimal': {
      const { precision, scale } = dtype as DecimalDType;
      const limit = pow10(precision);
      const words = new Uint32Array(n * 4);
      values.forEach((v, i) => {
        if (v === null || v === undefined) return;
        const scaled = parseDecimal(v, scale, () => bad(i, `a decimal with at most ${scale} digits after the point`));
        if (scaled >= limit || -scaled >= limit) bad(i, `a decimal(${precision}, ${scale}): it has more than ${precision} digits`);
        writeDecimal(words, i, scaled);
      });
      return fixed(words);
    }
    case 'list': {
      const item = (dtype as ListDType<unknown>).item;
      return vectorFromArray(values as unknown[], toArrowType(list(item)));
    }
    case 'string':
      return vectorFromArray(values.map((v) => (v === null || v === undefined ? null : String(v))), toArrowType(dtype));
    default:
      throw new InvalidInputError(`column '${name}': building ${dtype.kind} columns from rows is not supported`);
  }
}

/** The range of an integer dtype, and how a message names it. */
interface IntRange {
  readonly min: bigint;
  readonly max: bigint;
  readonly what: string;
}

/** int64: -2^63..2^63-1. */
export const INT64: IntRange = Object.freeze({ min: -(2n ** 63n), max: 2n ** 63n - 1n, what: 'an int64 (a whole number in -2^63..2^63-1)' });
/** int32: -2^31..2^31-1. */
export const INT32: IntRange = Object.freeze({ min: -(2n ** 31n), max: 2n ** 31n - 1n, what: 'an int32 (a whole number in -2^31..2^31-1)' });

/** A bigint, safe-integer number or decimal string as a bigint; `null` for anything else (fractions, booleans, unsafe doubles). */
export function toBigInt(v: unknown): bigint | null {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : null;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  return null;
}

function inRange(n: bigint | null, range: IntRange, fail: () => never): bigint {
  return n !== null && n >= range.min && n <= range.max ? n : fail();
}

/** A value as a message shows it: bigints with `n`, strings and Decimals quoted, other objects by their tag. */
export function describeValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Date(Invalid)' : `Date(${value.toISOString()})`;
  if (isDecimal(value)) return JSON.stringify(value.toString());
  if (typeof value === 'object' && value !== null) return Object.prototype.toString.call(value);
  return String(value);
}

function dayNumber(v: unknown, fail: () => never): number {
  const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
  return m ? daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3])) : fail();
}

/** Exact decimal text of a scaled integer: `formatDecimal(1230n, 2)` is `"12.30"`. */
export function formatDecimal(value: bigint, scale: number): string {
  if (scale === 0) return value.toString();
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** A {@link Decimal}, decimal string, integer or bigint as an integer scaled by `10^scale`; more (non-zero) fraction digits than `scale` fail. */
export function parseDecimal(v: unknown, scale: number, fail: () => never): bigint {
  if (typeof v === 'bigint') return v * pow10(scale);
  if (isDecimal(v)) {
    if (v.scale <= scale) return v.unscaled * pow10(scale - v.scale);
    const factor = pow10(v.scale - scale);
    return v.unscaled % factor === 0n ? v.unscaled / factor : fail();
  }
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return fail();
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > scale) return fail();
  const digits = BigInt(m[2]! + frac.padEnd(scale, '0'));
  return m[1] ? -digits : digits;
}
