/**
 * Parsers from the strings mysql2 hands over (with `dateStrings`,
 * `bigNumberStrings` and decimals as strings) to the exact integers Arrow
 * stores. No value goes through a JS `Date` or a float: a `Date` has only
 * millisecond precision and a double only 53 bits.
 */
import { civilFromDays, daysFromCivil, floorDiv } from '@asof/core';

const US_PER_SECOND = 1_000_000;
/** Below this many seconds from the epoch, `seconds * 1e6 + micros` is an exact double (< 2^53). */
const EXACT_SECONDS = 9_000_000_000;

/**
 * `'YYYY-MM-DD[ HH:MM:SS[.ffffff]]'` as microseconds since 1970-01-01 00:00
 * of the same wall clock (no zone applied). `null` for a date MySQL accepts
 * but the calendar does not: zero dates (`0000-00-00`), zero months or days,
 * `2023-02-30` under `ALLOW_INVALID_DATES`.
 */
export function parseWallMicros(text: string): bigint | null {
  const fast = parseWallMicrosNumber(text);
  if (Number.isNaN(fast)) return null;
  if (fast !== Infinity) return BigInt(fast);
  const seconds = wallSeconds(text);
  return BigInt(seconds) * 1_000_000n + BigInt(lastMicros);
}

/**
 * {@link parseWallMicros} without allocating a BigInt: the microseconds as a
 * number when that is exact (within about 285 years of 1970), `Infinity`
 * when it would not be (use {@link parseWallMicros}), `NaN` for a date that
 * is not a calendar date.
 */
export function parseWallMicrosNumber(text: string): number {
  const seconds = wallSeconds(text);
  if (Number.isNaN(seconds)) return NaN;
  return seconds > -EXACT_SECONDS && seconds < EXACT_SECONDS ? seconds * US_PER_SECOND + lastMicros : Infinity;
}

/** The fraction {@link wallSeconds} read last: a module slot rather than a returned pair, which would allocate per value. */
let lastMicros = 0;

/** Whole seconds of a wall-clock text (NaN if not a calendar date); its microseconds go to `lastMicros`. */
function wallSeconds(text: string): number {
  lastMicros = 0;
  const days = parseDays(text);
  if (days === null) return NaN;
  let seconds = days * 86_400;
  if (text.length > 10) {
    // Fixed layout from the server: 'YYYY-MM-DD HH:MM:SS', optional '.' and 1-6 digits.
    seconds += digits2(text, 11) * 3600 + digits2(text, 14) * 60 + digits2(text, 17);
    const end = Math.min(text.length, 26);
    let micros = 0;
    let scale = 100_000;
    for (let k = 20; k < end; k++, scale /= 10) micros += (text.charCodeAt(k) - 48) * scale;
    lastMicros = micros;
  }
  return seconds;
}

/** `'YYYY-MM-DD'` (the first ten characters of `text`) as days since 1970-01-01, or `null` if it is not a calendar date. */
export function parseDays(text: string): number | null {
  const year = digits2(text, 0) * 100 + digits2(text, 2);
  const month = digits2(text, 5);
  const day = digits2(text, 8);
  if (!(year >= 1 && month >= 1 && month <= 12 && day >= 1)) return null;
  // Table lookups: this runs for every DATE, DATETIME and TIMESTAMP value.
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 1 : 0;
  const before = MONTH_START[leap]!;
  if (day > before[month]! - before[month - 1]!) return null;
  return yearStart(year) + before[month - 1]! + day - 1;
}

/** Days before each month (index 0..12) in a common and a leap year. */
const MONTH_START = [
  [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
  [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
];
let yearStarts: Int32Array | null = null;

/** Days from 1970-01-01 to January 1st of `year` (1..9999). */
function yearStart(year: number): number {
  if (yearStarts === null) {
    yearStarts = new Int32Array(10_000);
    for (let y = 1; y < 10_000; y++) yearStarts[y] = daysFromCivil(y, 1, 1);
  }
  return yearStarts[year]!;
}

/** Writes the decimal string `text` (exactly `scale` digits after the point, as MySQL sends) as a Decimal128 at `index`. */
export function writeDecimalString(words: Uint32Array, index: number, text: string, scale: number): void {
  const negative = text.charCodeAt(0) === 45; // '-'
  const body = negative ? text.slice(1) : text;
  const point = body.indexOf('.');
  let digits: string;
  if (point < 0) digits = scale === 0 ? body : body + '0'.repeat(scale);
  else {
    const fraction = body.length - point - 1;
    if (fraction > scale) throw new RangeError(`decimal ${text} has more than ${scale} fraction digits`);
    digits = body.slice(0, point) + body.slice(point + 1) + (fraction < scale ? '0'.repeat(scale - fraction) : '');
  }
  const o = index * 4;
  if (digits.length <= 15) {
    // Fast path: the scaled integer is an exact double; split it into words without BigInt.
    const magnitude = Number(digits);
    const value = negative ? -magnitude : magnitude;
    const high = Math.floor(value / 4294967296);
    words[o] = value - high * 4294967296;
    words[o + 1] = high >>> 0;
    const sign = value < 0 ? 0xffffffff : 0;
    words[o + 2] = sign;
    words[o + 3] = sign;
    return;
  }
  let v = BigInt.asUintN(128, negative ? -BigInt(digits) : BigInt(digits));
  for (let k = 0; k < 4; k++) {
    words[o + k] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
}

/** The scaled integer stored at `index` of a Decimal128 buffer (for tests and messages). */
export function readDecimalWords(words: Uint32Array, index: number): bigint {
  const o = index * 4;
  const unsigned =
    (BigInt(words[o + 3]!) << 96n) | (BigInt(words[o + 2]!) << 64n) | (BigInt(words[o + 1]!) << 32n) | BigInt(words[o]!);
  return BigInt.asIntN(128, unsigned);
}

/** Epoch microseconds as MySQL's `'YYYY-MM-DD HH:MM:SS.ffffff'` wall-clock text (of the same clock). */
export function formatWallMicros(micros: bigint): string {
  const days = floorDiv(micros, 86_400_000_000n);
  const rest = Number(micros - days * 86_400_000_000n);
  const [y, m, d] = civilFromDays(Number(days));
  const seconds = Math.floor(rest / US_PER_SECOND);
  const us = rest - seconds * US_PER_SECOND;
  return (
    `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)} ` +
    `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor((seconds % 3600) / 60))}:${pad2(seconds % 60)}.${String(us).padStart(6, '0')}`
  );
}

function digits2(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  // NaN for anything but two ASCII digits, so a malformed string never parses as a date.
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
