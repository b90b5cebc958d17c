/**
 * DECIMAL values in each encoding Debezium and the JSON converter write,
 * to an exact {@link Decimal} at the declared scale:
 *
 * - `decimal.handling.mode=precise` (default), `decimal.format=base64`
 *   (default): `org.apache.kafka.connect.data.Decimal`, the unscaled value's
 *   two's-complement big-endian bytes in base64, the scale in the schema's
 *   `scale` parameter (`"dzWUAA=="` with scale 4 is 200000.0000);
 * - precise with `decimal.format=numeric`: a JSON number, exact as written;
 * - `io.debezium.data.VariableScaleDecimal`: `{"scale":2,"value":"BNI="}`;
 * - `decimal.handling.mode=string`: the plain decimal text (`"12.30"`);
 * - `decimal.handling.mode=double`: a double, lossy past 15 digits.
 */
import { Decimal, type DecimalDType } from '@asof/core';
import { undecodable } from './dead-letter.js';
import { JsonNumber, type JsonValue } from './json-parse.js';
import { numberText } from './number-values.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard base64 (with padding) as bytes; null if the text is not base64 (Buffer.from would skip bad characters silently). */
export function base64Bytes(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** A two's-complement big-endian integer (Java's `BigInteger.toByteArray()`). */
export function signedBigEndian(bytes: Uint8Array): bigint {
  if (bytes.length <= 6) {
    // Up to 48 bits: exact in a double, no BigInt arithmetic per byte.
    let n = 0;
    for (let i = 0; i < bytes.length; i++) n = n * 256 + bytes[i]!;
    if (bytes.length > 0 && bytes[0]! >= 0x80) n -= 2 ** (8 * bytes.length);
    return BigInt(n);
  }
  const unsigned = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  return bytes[0]! >= 0x80 ? unsigned - (1n << BigInt(8 * bytes.length)) : unsigned;
}

/** Where a decimal is decoded, for messages. */
export interface DecimalTarget {
  readonly dtype: DecimalDType;
  /** e.g. `column 'retail_price' of source 'skus'`. */
  readonly what: string;
}

/** `unscaled / 10^scale` at the declared scale, exactly; more fraction digits or more digits than the precision are a `bad-value`. */
export function fitDecimal(unscaled: bigint, scale: number, target: DecimalTarget, shown: string): Decimal {
  const { precision, scale: declared } = target.dtype;
  let value = unscaled;
  if (scale < declared) value *= 10n ** BigInt(declared - scale);
  else if (scale > declared) {
    const factor = 10n ** BigInt(scale - declared);
    if (value % factor !== 0n) {
      undecodable('bad-value', `${target.what} holds ${shown}, which has more than ${declared} digits after the point (declared decimal(${precision},${declared}))`);
    }
    value /= factor;
  }
  const limit = 10n ** BigInt(precision);
  if (value >= limit || value <= -limit) {
    undecodable('bad-value', `${target.what} holds ${shown}, which has more than ${precision} digits (declared decimal(${precision},${declared}))`);
  }
  return new Decimal(value, declared);
}

/** Base64 unscaled bytes at `scale` (the precise mode's bytes). */
export function decimalFromBase64(raw: JsonValue, scale: number, target: DecimalTarget): Decimal {
  const bytes = typeof raw === 'string' ? base64Bytes(raw) : null;
  if (bytes === null || bytes.length === 0) {
    const hint =
      typeof raw === 'string' && /^[+-]?\d*\.\d+$|^-\d+$/.test(raw)
        ? "; it looks like decimal text: the connector may use decimal.handling.mode=string (set decimalHandlingMode: 'string')"
        : '';
    undecodable('bad-value', `${target.what} holds ${show(raw)}, which is not base64 bytes of a decimal${hint}`);
  }
  const unscaled = signedBigEndian(bytes);
  return fitDecimal(unscaled, scale, target, new Decimal(unscaled, scale).toString());
}

/** Decimal text (string mode, or a JSON number the converter wrote exactly): `12.30`, `-0.5`, `1E-7`. */
export function decimalFromText(text: string, target: DecimalTarget): Decimal {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    undecodable('bad-value', `${target.what} holds ${JSON.stringify(text)}, which is not a decimal number`);
  }
  const parsed = Decimal.parse(text);
  return fitDecimal(parsed.unscaled, parsed.scale, target, text);
}

/** `io.debezium.data.VariableScaleDecimal`: `{ scale, value }` with base64 unscaled bytes. */
export function decimalFromVariableScale(raw: JsonValue, target: DecimalTarget): Decimal {
  const struct = raw as Record<string, JsonValue>;
  const scale = struct.scale;
  if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > 1000) {
    undecodable('bad-value', `${target.what} holds a VariableScaleDecimal without a valid "scale"`);
  }
  return decimalFromBase64(struct.value ?? null, scale, target);
}

/**
 * A double (`decimal.handling.mode=double`): the decimal its shortest text
 * spells, rounded half-even to the declared scale. A double holds 15
 * significant digits exactly, so a value of a column with precision up to
 * 15 comes back as it was; past that the last digits may differ. Only with
 * `acceptLossyDecimals`.
 */
export function decimalFromDouble(raw: JsonValue, target: DecimalTarget, accept: boolean): Decimal {
  const text = numberText(raw);
  if (text === null) undecodable('bad-value', `${target.what} holds ${show(raw)}, which is not a number`);
  if (!accept) {
    undecodable(
      'bad-value',
      `${target.what} holds the double ${text} (decimal.handling.mode=double), which cannot be an exact decimal; ` +
        "set the connector's decimal.handling.mode to precise or string, or accept doubles with acceptLossyDecimals: true",
    );
  }
  const shortest = String(Number(text));
  const parsed = Decimal.parse(shortest).round(target.dtype.scale);
  return fitDecimal(parsed.unscaled, parsed.scale, target, shortest);
}

/** The precise mode's JSON-number form (`decimal.format=numeric`): exact as written. */
export function decimalFromNumber(raw: JsonValue, target: DecimalTarget): Decimal {
  const text = raw instanceof JsonNumber || typeof raw === 'bigint' ? String(raw) : null;
  if (text !== null) return decimalFromText(text, target);
  if (typeof raw === 'number') {
    // A number of at most 15 integer digits parses to a number; it is an exact integer.
    if (Number.isSafeInteger(raw)) return decimalFromText(String(raw), target);
    undecodable(
      'bad-value',
      `${target.what} holds ${raw}, a number that was already parsed as a double (its text is gone); pass the raw message text`,
    );
  }
  return undecodable('bad-value', `${target.what} holds ${show(raw)}, which is not a decimal number`);
}

function show(raw: JsonValue): string {
  const text = typeof raw === 'string' ? JSON.stringify(raw) : (numberText(raw) ?? (raw === null ? 'null' : typeof raw));
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
