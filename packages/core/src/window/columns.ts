import { DataType, Precision, type Table, type Vector } from 'apache-arrow';
import { InvalidInputError } from '../errors.js';

/**
 * How a column's values behave under aggregation: integers of any width
 * compare and sum exactly, floats as IEEE doubles, decimals as scaled
 * integers, strings by code point, instants by microsecond.
 */
export type ValueFamily = 'int' | 'float' | 'decimal' | 'bool' | 'string' | 'time';

/** The named column of the events, or an {@link InvalidInputError} that lists the columns there are. */
export function requireColumn(table: Table, name: string, context: string): Vector {
  const vector = table.getChild(name);
  if (!vector) {
    const names = table.schema.fields.map((f) => f.name);
    throw new InvalidInputError(
      `${context}: column '${name}' not found in the events; they have ${names.length ? names.join(', ') : 'no columns'}`,
    );
  }
  return vector;
}

/** The {@link ValueFamily} of an Arrow type, or `null` if windows cannot aggregate it. */
export function familyOf(type: DataType): ValueFamily | null {
  if (DataType.isInt(type)) return 'int';
  if (DataType.isFloat(type)) return type.precision === Precision.HALF ? null : 'float';
  if (DataType.isDecimal(type)) return type.bitWidth === 128 ? 'decimal' : null;
  if (DataType.isBool(type)) return 'bool';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'string';
  if (DataType.isDictionary(type)) {
    return DataType.isUtf8(type.dictionary) || DataType.isLargeUtf8(type.dictionary) ? 'string' : null;
  }
  if (DataType.isTimestamp(type) || DataType.isDate(type)) return 'time';
  return null;
}

/** {@link familyOf}, throwing an {@link InvalidInputError} for unsupported types. */
export function requireFamily(vector: Vector, name: string, context: string): ValueFamily {
  const family = familyOf(vector.type as DataType);
  if (family === null) {
    throw new InvalidInputError(
      `${context}: column '${name}' has type ${String(vector.type)}, which window aggregations do not support ` +
        `(integers, Float32/64, Decimal128, Bool, Utf8, Timestamp and Date are)`,
    );
  }
  return family;
}

/**
 * One byte per row, 1 where the value is present, read straight from the
 * validity bitmaps; `null` when the column has no nulls. A dictionary
 * column's row is also null where its dictionary entry is.
 */
export function readValidity(vector: Vector): Uint8Array | null {
  const dictionaryNulls = vector.data.some((d) => (d.dictionary?.nullCount ?? 0) > 0);
  if (vector.nullCount === 0 && !dictionaryNulls) return null;
  const out = new Uint8Array(vector.length);
  let pos = 0;
  for (const data of vector.data) {
    const len = data.length;
    const bitmap = data.nullBitmap;
    if (data.nullCount === 0 || !bitmap || bitmap.length === 0) out.fill(1, pos, pos + len);
    else {
      for (let i = 0; i < len; i++) {
        const bit = data.offset + i;
        out[pos + i] = (bitmap[bit >> 3]! >> (bit & 7)) & 1;
      }
    }
    const dictionary = data.dictionary;
    if (dictionary && dictionary.nullCount > 0) {
      const indices = data.values as ArrayLike<number>;
      for (let i = 0; i < len; i++) if (out[pos + i] && !dictionary.isValid(Number(indices[i]))) out[pos + i] = 0;
    }
    pos += len;
  }
  return out;
}
