import { DataType, makeData, makeVector, TimeUnit, Timestamp, type Table, type Vector } from 'apache-arrow';
import { InvalidInputError, InvalidTimestampError } from '../errors.js';
import { parseIsoMicros } from '../time/timestamp.js';

/** The storage type of every asof timestamp: int64 microseconds, UTC. */
export const TIMESTAMP_US_UTC = new Timestamp(TimeUnit.MICROSECOND, 'UTC');

/** A time column read into flat microseconds; `valid[i] === 0` marks a null. */
export interface MicrosColumn {
  readonly micros: BigInt64Array;
  /** `null` when the column has no nulls. */
  readonly valid: Uint8Array | null;
}

const UNIT_TO_US: Record<TimeUnit, [mul: bigint, div: bigint]> = {
  [TimeUnit.SECOND]: [1_000_000n, 1n],
  [TimeUnit.MILLISECOND]: [1000n, 1n],
  [TimeUnit.MICROSECOND]: [1n, 1n],
  [TimeUnit.NANOSECOND]: [1n, 1000n],
};

/**
 * Reads a column of instants as epoch microseconds. Accepts Arrow
 * `Timestamp` with a time zone (any unit; the values are UTC by Arrow's
 * definition), `Date` (day or millisecond) and UTF-8 ISO-8601 strings with
 * an offset. A `Timestamp` without a time zone or a string without an offset
 * is rejected: its instant would be a guess.
 */
export function readMicrosColumn(table: Table, name: string): MicrosColumn {
  const column = table.getChild(name);
  if (!column) {
    throw new InvalidInputError(
      `column '${name}' not found; the table has ${table.schema.fields.map((f) => f.name).join(', ') || 'no columns'}`,
    );
  }
  return readMicrosVector(column, name);
}

/** {@link readMicrosColumn} for a vector already in hand. */
export function readMicrosVector(column: Vector, name: string): MicrosColumn {
  const n = column.length;
  const micros = new BigInt64Array(n);
  const valid = column.nullCount > 0 ? new Uint8Array(n) : null;
  const type = column.type as DataType;
  let pos = 0;
  for (const data of column.data) {
    const len = data.length;
    if (valid) {
      for (let i = 0; i < len; i++) valid[pos + i] = data.getValid(i) ? 1 : 0;
    }
    if (DataType.isTimestamp(type)) {
      if (!type.timezone) {
        throw new InvalidInputError(
          `column '${name}' is a Timestamp without a time zone, so its instants are ambiguous; ` +
            `store it as Timestamp(MICROSECOND, "UTC") (its values read as UTC)`,
        );
      }
      const [mul, div] = UNIT_TO_US[type.unit as TimeUnit];
      const values = data.values as BigInt64Array;
      if (mul === 1n && div === 1n) micros.set(values.subarray(0, len), pos);
      else for (let i = 0; i < len; i++) micros[pos + i] = floorDiv(values[i]! * mul, div);
    } else if (DataType.isDate(type)) {
      const values = data.values as Int32Array | BigInt64Array;
      const perUnit = values instanceof Int32Array ? 86_400_000_000n : 1000n;
      for (let i = 0; i < len; i++) micros[pos + i] = BigInt(values[i]!) * perUnit;
    } else if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) {
      const vector = makeVector(data);
      for (let i = 0; i < len; i++) {
        const text = vector.get(i) as string | null;
        if (text === null) continue;
        try {
          micros[pos + i] = parseIsoMicros(text);
        } catch (error) {
          if (error instanceof InvalidTimestampError) {
            throw new InvalidTimestampError(text, `in column '${name}', row ${pos + i}: ${error.message}`);
          }
          throw error;
        }
      }
    } else {
      throw new InvalidInputError(
        `column '${name}' has type ${String(type)}; a time column must be Timestamp with a time zone, Date, or ISO-8601 strings with an offset`,
      );
    }
    pos += len;
  }
  return { micros, valid };
}

/** Builds a `Timestamp(MICROSECOND, "UTC")` vector from epoch microseconds. */
export function microsVector(micros: BigInt64Array, valid?: Uint8Array | null): Vector<Timestamp> {
  return makeVector(
    makeData({
      type: TIMESTAMP_US_UTC,
      length: micros.length,
      data: micros,
      nullBitmap: valid ? packBits(valid) : undefined,
      nullCount: valid ? valid.length - countOnes(valid) : 0,
    }),
  ) as Vector<Timestamp>;
}

/** Packs a byte-per-row validity array into Arrow's LSB bitmap. */
export function packBits(valid: Uint8Array): Uint8Array {
  const bits = new Uint8Array(((valid.length + 63) & ~63) >> 3);
  for (let i = 0; i < valid.length; i++) if (valid[i]) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

function countOnes(valid: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < valid.length; i++) c += valid[i]! ? 1 : 0;
  return c;
}

function floorDiv(a: bigint, b: bigint): bigint {
  if (b === 1n) return a;
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}
