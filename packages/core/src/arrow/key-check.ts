import { DataType, type Data, type Vector } from 'apache-arrow';
import type { KeyDType } from '../definitions/entity.js';
import { InvalidKeyError } from '../errors.js';
import { describeValue, INT32, INT64, toBigInt } from './rows.js';

/** Where checked keys come from, for messages. */
export interface KeyCheckContext {
  /** What holds the keys, e.g. `entities`. */
  readonly source: string;
  /** The entity the key identifies, e.g. `account`. */
  readonly entity?: string | undefined;
}

/** How a message names a key type: `an int64 key (a bigint or a whole number in -2^63..2^63-1)`. */
export function keyTypeText(dtype: KeyDType): string {
  if (dtype.kind === 'int64') return 'an int64 key (a bigint or a whole number in -2^63..2^63-1)';
  if (dtype.kind === 'int32') return 'an int32 key (a whole number in -2^31..2^31-1)';
  return 'a string key';
}

/**
 * Checks one key value given as a JS value (int64: `bigint` or a safe
 * integer `number`; int32: the same within 32 bits; string: a `string`)
 * and returns it normalised (`bigint` for int64). A null, a fraction, a
 * value past the type's range or of another type throws
 * {@link InvalidKeyError} naming the column, row, value and key type; a
 * decimal string is refused for an integer key (it is not the declared type).
 */
export function checkKeyValue(value: unknown, dtype: KeyDType, column: string, row: number | null, context: KeyCheckContext): bigint | number | string {
  if (dtype.kind === 'string') {
    if (typeof value === 'string') return value;
  } else if (typeof value === 'bigint' || typeof value === 'number') {
    const n = toBigInt(value);
    const range = dtype.kind === 'int64' ? INT64 : INT32;
    if (n !== null && n >= range.min && n <= range.max) return dtype.kind === 'int64' ? n : Number(n);
  }
  throw new InvalidKeyError(`${context.source} column '${column}'${row === null ? '' : `, row ${row}`}: ${shown(value)} is not ${keyTypeText(dtype)}${of(context)}${hint(value, dtype)}`, {
    column,
    row,
    value,
    keyType: dtype.kind,
  });
}

/**
 * Checks an Arrow key column against its dtype: integers of any width for
 * int32/int64 keys (each value within the key's range), UTF-8 (plain or
 * dictionary-encoded) for string keys, and no nulls. 64-bit values are read
 * as 32-bit halves, never as one `bigint` per value. Throws
 * {@link InvalidKeyError} for the first bad value.
 */
export function checkKeyVector(vector: Vector, dtype: KeyDType, column: string, context: KeyCheckContext): void {
  const type = vector.type as DataType;
  const integer = dtype.kind !== 'string';
  const fits = integer
    ? DataType.isInt(type)
    : DataType.isUtf8(type) || DataType.isLargeUtf8(type) || (DataType.isDictionary(type) && (DataType.isUtf8(type.dictionary) || DataType.isLargeUtf8(type.dictionary)));
  if (!fits) {
    throw new InvalidKeyError(`${context.source} column '${column}' is ${String(type)}; expected ${integer ? 'integers' : 'strings'} (${keyTypeText(dtype)}${of(context)})`, {
      column,
      row: null,
      keyType: dtype.kind,
    });
  }
  let offset = 0;
  for (const data of vector.data) {
    const bad = firstBad(data, dtype);
    if (bad >= 0) {
      const value = data.getValid(bad) ? (vector.get(offset + bad) as unknown) : null;
      const detail = value === null ? '' : ` (${String(type)})`;
      throw new InvalidKeyError(`${context.source} column '${column}', row ${offset + bad}: ${describeValue(value)}${detail} is not ${keyTypeText(dtype)}${of(context)}${hint(value, dtype)}`, {
        column,
        row: offset + bad,
        value,
        keyType: dtype.kind,
      });
    }
    offset += data.length;
  }
}

/** The first row of `data` that is null or outside the key's range; -1 if none. */
function firstBad(data: Data, dtype: KeyDType): number {
  const len = data.length;
  if (data.nullCount > 0) {
    for (let i = 0; i < len; i++) if (!data.getValid(i)) return i;
  }
  if (dtype.kind === 'string') return -1;
  const values = data.values as ArrayBufferView;
  const int32 = dtype.kind === 'int32';
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const halves = new Int32Array(values.buffer, values.byteOffset, len * 2);
    const unsigned = values instanceof BigUint64Array;
    for (let i = 0; i < len; i++) {
      const lo = halves[2 * i]!;
      const hi = halves[2 * i + 1]!;
      // int32: the high half is the sign extension of the low one; int64 from Uint64: below 2^63.
      const ok = int32 ? (unsigned ? hi === 0 && lo >= 0 : hi === lo >> 31) : !unsigned || hi >= 0;
      if (!ok) return i;
    }
    return -1;
  }
  if (int32 && values instanceof Uint32Array) {
    for (let i = 0; i < len; i++) if (values[i]! > 0x7fffffff) return i;
  }
  return -1;
}

function of(context: KeyCheckContext): string {
  return context.entity ? ` of entity '${context.entity}'` : '';
}

function shown(value: unknown): string {
  return value === null || value === undefined ? String(value) : `${describeValue(value)} (${typeof value})`;
}

function hint(value: unknown, dtype: KeyDType): string {
  if (value === null || value === undefined) return '; every row needs its key (drop the rows without one)';
  if (dtype.kind === 'int64' && typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return '; a number past 2^53 has lost digits already: pass a bigint';
  }
  return '';
}
