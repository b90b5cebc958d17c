/**
 * One column value of a row image to its declared dtype, exactly. With the
 * message's schema, the field's Connect type and logical name say how the
 * value is encoded, and a type that cannot hold the declared dtype is a
 * `schema-mismatch`; without it, the declared dtype and the connector
 * settings decide (see the adapter README's type table).
 */
import { Decimal, type DecimalDType, type DType } from '@asof/core';
import type { DecodedValue } from './changes.js';
import type { FieldSchema } from './connect-schema.js';
import {
  base64Bytes,
  decimalFromBase64,
  decimalFromDouble,
  decimalFromNumber,
  decimalFromText,
  decimalFromVariableScale,
  signedBigEndian,
  type DecimalTarget,
} from './decimal-values.js';
import { undecodable } from './dead-letter.js';
import { isJsonObject, type JsonValue } from './json-parse.js';
import { exactInteger, isIntegerLiteral, numberText, smallInteger } from './number-values.js';
import type { ColumnTarget, ResolvedOptions } from './options.js';
import { EPOCH_DATES, EPOCH_TIMESTAMPS, TEXT_TIMESTAMPS, epochDays, isoMicros, micros } from './time-values.js';


/** Counts kept while decoding one message. */
export interface ValueTally {
  decimalsFromDoubles: number;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TYPES = new Set(['int8', 'int16', 'int32', 'int64']);
const DECIMAL = 'org.apache.kafka.connect.data.Decimal';
const VARIABLE_SCALE = 'io.debezium.data.VariableScaleDecimal';
const STRING_NAMES = new Set([null, 'io.debezium.data.Enum', 'io.debezium.data.EnumSet', 'io.debezium.data.Json', 'io.debezium.data.Xml', 'io.debezium.data.Uuid']);

/** Decodes one value (`undefined` is a missing column, refused by the caller); null stays null. */
export function decodeColumn(raw: JsonValue, field: FieldSchema | null, target: ColumnTarget, options: ResolvedOptions, tally: ValueTally): DecodedValue | null {
  if (raw === null) return null;
  switch (target.dtype.kind) {
    case 'int32':
      return int32Value(raw, field, target);
    case 'int64':
      return int64Value(raw, field, target, options);
    case 'float64':
      return float64Value(raw, field, target);
    case 'bool':
      return boolValue(raw, field, target);
    case 'string':
      if (field && (field.type !== 'string' || !STRING_NAMES.has(field.name))) mismatch(field, target);
      return typeof raw === 'string' ? raw : bad(raw, target, 'not a string');
    case 'binary':
      return binaryValue(raw, field, target, options);
    case 'decimal':
      return decimalValue(raw, field, target as unknown as DecimalTarget, target, options, tally);
    case 'timestamp':
      return timestampValue(raw, field, target, options);
    case 'date':
      if (field && !(field.type === 'int32' && field.name !== null && EPOCH_DATES.has(field.name)) && !(field.type === 'string' && field.name === 'io.debezium.time.IsoDate')) {
        mismatch(field, target);
      }
      return epochDays(raw, target.what);
    case 'list':
      return undecodable('schema-mismatch', `${target.what} is declared as a list, which a MySQL column never is`);
  }
}

function int32Value(raw: JsonValue, field: FieldSchema | null, target: ColumnTarget): number {
  if (field && !((field.type === 'int8' || field.type === 'int16' || field.type === 'int32') && (field.name === null || field.name === 'io.debezium.time.Year'))) {
    mismatch(field, target);
  }
  return smallInteger(raw, INT32_MIN, INT32_MAX) ?? bad(raw, target, 'not an int32 (a whole number in -2^31..2^31-1)');
}

function int64Value(raw: JsonValue, field: FieldSchema | null, target: ColumnTarget, options: ResolvedOptions): bigint {
  // BIGINT UNSIGNED under bigint.unsigned.handling.mode=precise is a Decimal of scale 0.
  const unsignedDecimal = field
    ? field.type === 'bytes' && field.name === DECIMAL && field.parameters.scale === '0'
    : typeof raw === 'string' && options.bigintUnsignedHandlingMode === 'precise';
  if (unsignedDecimal) {
    const bytes = typeof raw === 'string' ? base64Bytes(raw) : null;
    if (bytes === null || bytes.length === 0) bad(raw, target, 'not base64 bytes of an integer');
    return inInt64(signedBigEndian(bytes), raw, target);
  }
  if (field && !(INTEGER_TYPES.has(field.type) && field.name === null)) mismatch(field, target);
  const n = exactInteger(raw);
  if (n === null) {
    return typeof raw === 'number' && Number.isInteger(raw)
      ? bad(raw, target, 'past 2^53 as a parsed double, so its last digits are already lost; pass the raw message text')
      : bad(raw, target, 'not a whole number');
  }
  return inInt64(n, raw, target);
}

function inInt64(n: bigint, raw: JsonValue, target: ColumnTarget): bigint {
  return n >= INT64_MIN && n <= INT64_MAX ? n : bad(raw, target, 'outside int64 (-2^63..2^63-1)');
}

function float64Value(raw: JsonValue, field: FieldSchema | null, target: ColumnTarget): number {
  if (field && !((field.type === 'double' || field.type === 'float') && field.name === null)) mismatch(field, target);
  // Jackson writes NaN and infinities as quoted words.
  if (raw === 'NaN') return NaN;
  if (raw === 'Infinity') return Infinity;
  if (raw === '-Infinity') return -Infinity;
  const text = numberText(raw);
  if (text === null) return bad(raw, target, 'not a number');
  // A FLOAT column arrives as its float32's shortest text; widening that float gives the value the batch path reads.
  return field?.type === 'float' ? Math.fround(Number(text)) : Number(text);
}

function boolValue(raw: JsonValue, field: FieldSchema | null, target: ColumnTarget): boolean {
  // TINYINT(1) arrives as an int8/int16 unless a converter makes it boolean; non-zero is true, as MySQL evaluates it.
  if (field && !(field.type === 'boolean' || ((field.type === 'int8' || field.type === 'int16') && field.name === null))) mismatch(field, target);
  if (typeof raw === 'boolean') return raw;
  if (isIntegerLiteral(raw) && (field === null || field.type !== 'boolean')) return exactInteger(raw) !== 0n;
  return bad(raw, target, 'not a boolean');
}

function binaryValue(raw: JsonValue, field: FieldSchema | null, target: ColumnTarget, options: ResolvedOptions): Uint8Array {
  if (typeof raw !== 'string') return bad(raw, target, 'not a string of encoded bytes');
  let mode = options.binaryHandlingMode;
  if (field) {
    if (field.type === 'bytes' && (field.name === null || field.name === 'io.debezium.data.Bits')) mode = 'bytes';
    else if (field.type !== 'string' || field.name !== null || mode === 'bytes') mismatch(field, target);
  }
  let bytes: Uint8Array | null;
  if (mode === 'bytes' || mode === 'base64') bytes = base64Bytes(raw);
  else if (mode === 'base64-url-safe') bytes = /^[A-Za-z0-9_-]*={0,2}$/.test(raw) && raw.length % 4 !== 1 ? new Uint8Array(Buffer.from(raw, 'base64url')) : null;
  else bytes = /^(?:[0-9a-fA-F]{2})*$/.test(raw) ? new Uint8Array(Buffer.from(raw, 'hex')) : null;
  if (bytes === null) return bad(raw, target, `not ${mode === 'hex' ? 'hex' : 'base64'} bytes (binary.handling.mode=${mode})`);
  // io.debezium.data.Bits is little-endian; the batch path reads BIT(n) big-endian.
  return field?.name === 'io.debezium.data.Bits' ? bytes.reverse() : bytes;
}

function decimalValue(
  raw: JsonValue,
  field: FieldSchema | null,
  decimal: DecimalTarget,
  target: ColumnTarget,
  options: ResolvedOptions,
  tally: ValueTally,
): Decimal {
  if (field) {
    if (field.type === 'bytes' && field.name === DECIMAL) {
      const scale = Number(field.parameters.scale);
      const precision = field.parameters['connect.decimal.precision'];
      if (!Number.isInteger(scale) || scale !== decimal.dtype.scale || (precision !== undefined && Number(precision) !== decimal.dtype.precision)) {
        undecodable(
          'schema-mismatch',
          `${target.what} is DECIMAL(${precision ?? '?'},${field.parameters.scale ?? '?'}) in the message, declared decimal(${decimal.dtype.precision},${decimal.dtype.scale}); ` +
            "update the source's columns (and the features that use it), then run `asof apply`",
        );
      }
      // decimal.format=numeric writes the same decimal as a JSON number.
      return typeof raw === 'string' ? decimalFromBase64(raw, scale, decimal) : decimalFromNumber(raw, decimal);
    }
    if (field.type === 'struct' && field.name === VARIABLE_SCALE) return variableScale(raw, decimal, target);
    if (field.type === 'string' && field.name === null) return typeof raw === 'string' ? decimalFromText(raw, decimal) : bad(raw, target, 'not decimal text');
    if (field.type === 'double' && field.name === null) return fromDouble(raw, decimal, options, tally);
    return mismatch(field, target);
  }
  if (isJsonObject(raw)) return variableScale(raw, decimal, target);
  if (options.decimalHandlingMode === 'string') {
    return typeof raw === 'string' ? decimalFromText(raw, decimal) : bad(raw, target, "not decimal text (decimalHandlingMode: 'string')");
  }
  if (options.decimalHandlingMode === 'double') return fromDouble(raw, decimal, options, tally);
  if (options.decimalFormat === 'numeric') {
    return typeof raw === 'string' ? bad(raw, target, "a string, but decimalFormat is 'numeric' (JSON numbers)") : decimalFromNumber(raw, decimal);
  }
  if (typeof raw === 'string') return decimalFromBase64(raw, decimal.dtype.scale, decimal);
  return undecodable(
    'bad-value',
    `${target.what} holds the number ${numberText(raw) ?? typeof raw}, but precise decimals arrive as base64 bytes; a number is either ` +
      "a double (decimal.handling.mode=double: set decimalHandlingMode: 'double' with acceptLossyDecimals: true) or the converter's " +
      "decimal.format=numeric (set decimalFormat: 'numeric')",
  );
}

function variableScale(raw: JsonValue, decimal: DecimalTarget, target: ColumnTarget): Decimal {
  if (!isJsonObject(raw)) return bad(raw, target, 'not a VariableScaleDecimal ({"scale":…,"value":…})');
  return decimalFromVariableScale(raw, decimal);
}

function fromDouble(raw: JsonValue, decimal: DecimalTarget, options: ResolvedOptions, tally: ValueTally): Decimal {
  const value = decimalFromDouble(raw, decimal, options.acceptLossyDecimals);
  tally.decimalsFromDoubles++;
  return value;
}

function timestampValue(raw: JsonValue, field: FieldSchema | null, target: ColumnTarget, options: ResolvedOptions): bigint {
  if (field) {
    const unit = field.type === 'int64' && field.name !== null ? EPOCH_TIMESTAMPS[field.name] : undefined;
    if (unit) return micros(raw, unit, target.what);
    if (field.type === 'string' && field.name !== null && TEXT_TIMESTAMPS.has(field.name)) return isoMicros(raw, target.what);
    return mismatch(field, target);
  }
  if (typeof raw === 'string') return isoMicros(raw, target.what);
  const unit = options.epochUnits.get(target.source.name)?.get(target.column) ?? options.defaultEpochUnit;
  if (unit === null) {
    return undecodable(
      'bad-value',
      `${target.what} holds the epoch number ${numberText(raw) ?? typeof raw} and the message has no schema to say its unit ` +
        '(DATETIME(0-3) is ms, DATETIME(4-6) µs under the default time.precision.mode); set timestampUnits ' +
        `({ columns: { ${target.source.name}: { ${target.column}: 'us' } } } or { default: 'us' }), or enable the converter's schemas`,
    );
  }
  return micros(raw, unit, target.what);
}

function mismatch(field: FieldSchema, target: ColumnTarget): never {
  const type = field.name ? `${field.type} (${field.name})` : field.type;
  return undecodable(
    'schema-mismatch',
    `${target.what} is ${type} in the message's schema, which does not hold the declared ${describeDType(target.dtype)}; ` +
      "update the source's columns (and the features that use it), then run `asof apply`",
  );
}

function bad(raw: JsonValue, target: ColumnTarget, why: string): never {
  const text =
    typeof raw === 'string'
      ? JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw)
      : (numberText(raw) ?? (isJsonObject(raw) ? 'an object' : Array.isArray(raw) ? 'an array' : String(raw)));
  return undecodable('bad-value', `${target.what} holds ${text}, which is ${why} (declared ${describeDType(target.dtype)})`);
}

function describeDType(dtype: DType): string {
  return dtype.kind === 'decimal' ? `decimal(${(dtype as DecimalDType).precision},${(dtype as DecimalDType).scale})` : dtype.kind;
}

/** Whether two decoded values are the same (a re-sent row, an update that changed nothing asof reads). */
export function sameValue(a: DecodedValue | null, b: DecodedValue | null): boolean {
  if (a === null || b === null) return a === b;
  if (a instanceof Decimal && b instanceof Decimal) return a.scale === b.scale && a.unscaled === b.unscaled;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  return Object.is(a, b);
}
