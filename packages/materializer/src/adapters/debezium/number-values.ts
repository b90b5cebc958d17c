/**
 * JSON numbers as exact integers and texts. A parsed number is a `number`
 * (integers up to 15 digits), a {@link JsonNumber} (anything else, as
 * written) or a `bigint` (from a caller's lossless parser); a caller's
 * `JSON.parse` may also hand over doubles that already lost digits, which
 * are refused where that matters.
 */
import { JsonNumber, type JsonValue } from './json-parse.js';

/** The literal text of a JSON number value, or null if the value is not a number. */
export function numberText(value: JsonValue): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === 'bigint') return value.toString();
  return null;
}

/** Whether a JSON number is written as a whole number (no point, no exponent). */
export function isIntegerLiteral(value: JsonValue): boolean {
  if (typeof value === 'number') return Number.isInteger(value);
  if (typeof value === 'bigint') return true;
  return value instanceof JsonNumber && /^-?\d+$/.test(value.text);
}

/**
 * The exact integer a JSON number holds, or null: for a fraction, an
 * exponent, a non-number, or a JS number past 2^53 (already rounded by
 * whoever parsed it: pass the raw text instead).
 */
export function exactInteger(value: JsonValue): bigint | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : null;
  if (typeof value === 'bigint') return value;
  if (value instanceof JsonNumber && /^-?\d+$/.test(value.text)) return BigInt(value.text);
  return null;
}

/** {@link exactInteger} as a `number`, for ranges within ±2^53 (int32, days, positions); null outside `[min, max]`. */
export function smallInteger(value: JsonValue, min: number, max: number): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= min && value <= max ? value : null;
  const n = exactInteger(value);
  return n !== null && n >= BigInt(min) && n <= BigInt(max) ? Number(n) : null;
}

/** A whole number for metadata (positions, counts, epoch ms) that may come as a number or as digits in a string (as some docs show). */
export function metadataInteger(value: JsonValue | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return safe(BigInt(value));
  const n = exactInteger(value);
  return n === null ? null : safe(n);
}

function safe(n: bigint): number | null {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : null;
}
