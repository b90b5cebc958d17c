import { InvalidTimestampError } from '../errors.js';
import { civilFromDays, daysFromCivil, floorDiv } from './civil.js';

/**
 * A point in time as users may give it: a `Date`, an ISO-8601 string *with*
 * an offset (`Z` or `±hh:mm`), epoch milliseconds as a `number`, or epoch
 * microseconds as a `bigint` (the storage unit).
 */
export type TimeInput = Date | string | number | bigint;

const US_PER_MS = 1000n;
const US_PER_DAY = 86_400_000_000n;
/** Inclusive bounds: years -99999..99999 keep every instant well inside int64 µs. */
const MAX_ABS_YEAR = 99_999;

const ISO =
  /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** Converts any {@link TimeInput} to epoch microseconds (UTC); throws {@link InvalidTimestampError}. */
export function toEpochMicros(input: TimeInput): bigint {
  if (typeof input === 'bigint') return input;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new InvalidTimestampError(input, 'epoch milliseconds must be a finite number');
    return BigInt(Math.round(input * 1000));
  }
  if (input instanceof Date) {
    if ('micros' in input && typeof input.micros === 'bigint') return input.micros;
    const ms = input.getTime();
    if (Number.isNaN(ms)) throw new InvalidTimestampError(input, 'the Date is invalid');
    return BigInt(ms) * US_PER_MS;
  }
  if (typeof input === 'string') return parseIsoMicros(input);
  throw new InvalidTimestampError(input, 'expected a Date, an ISO-8601 string with an offset, epoch ms or epoch µs (bigint)');
}

/** Parses an ISO-8601 date-time that carries an offset into epoch microseconds. */
export function parseIsoMicros(text: string): bigint {
  const m = ISO.exec(text.trim());
  if (!m) {
    const hint = /^[+-]?\d{4,6}-\d{2}-\d{2}$/.test(text.trim())
      ? 'a date alone has no time and no offset; write e.g. "2024-03-01T00:00:00Z"'
      : 'expected ISO-8601 like "2024-03-01T12:00:00Z" or "2024-03-01T12:00:00+02:00"';
    throw new InvalidTimestampError(text, hint);
  }
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  if (!zulu && !sign) {
    throw new InvalidTimestampError(
      text,
      'it has no UTC offset, so the instant is ambiguous; append "Z" for UTC or an offset such as "+02:00"',
    );
  }
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (Math.abs(year) > MAX_ABS_YEAR) throw new InvalidTimestampError(text, `year ${year} is out of range`);
  if (month < 1 || month > 12) throw new InvalidTimestampError(text, `month ${month} does not exist`);
  if (day < 1 || day > daysInMonth(year, month)) throw new InvalidTimestampError(text, `day ${day} does not exist in ${y}-${mo}`);
  if (hour > 23 || minute > 59 || second > 59) throw new InvalidTimestampError(text, 'time of day is out of range');
  let micros = 0n;
  if (frac !== undefined) {
    const padded = frac.padEnd(9, '0');
    if (/[1-9]/.test(padded.slice(6))) {
      throw new InvalidTimestampError(text, 'asof stores microseconds; sub-microsecond digits would be lost');
    }
    micros = BigInt(padded.slice(0, 6));
  }
  let offsetMinutes = 0;
  if (sign) {
    const oHours = Number(oh);
    const oMinutes = om === undefined ? 0 : Number(om);
    if (oHours > 23 || oMinutes > 59) throw new InvalidTimestampError(text, 'the UTC offset is out of range');
    offsetMinutes = (sign === '-' ? -1 : 1) * (oHours * 60 + oMinutes);
  }
  const days = BigInt(daysFromCivil(year, month, day));
  const secondsOfDay = BigInt(hour * 3600 + minute * 60 + second - offsetMinutes * 60);
  return days * US_PER_DAY + secondsOfDay * 1_000_000n + micros;
}

/** Formats epoch microseconds as an ISO-8601 UTC string with microsecond precision. */
export function formatMicros(micros: bigint): string {
  const days = floorDiv(micros, US_PER_DAY);
  const rest = micros - days * US_PER_DAY;
  const [y, m, d] = civilFromDays(Number(days));
  const totalSeconds = Number(rest / 1_000_000n);
  const us = Number(rest % 1_000_000n);
  const hh = Math.floor(totalSeconds / 3600);
  const mm = Math.floor((totalSeconds % 3600) / 60);
  const ss = totalSeconds % 60;
  const year = y >= 0 && y <= 9999 ? String(y).padStart(4, '0') : (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(6, '0');
  return `${year}-${pad(m)}-${pad(d)}T${pad(hh)}:${pad(mm)}:${pad(ss)}.${String(us).padStart(6, '0')}Z`;
}

/** Epoch microseconds to a `Date` (millisecond precision; sub-ms digits are floored). */
export function microsToDate(micros: bigint): Date {
  return new Date(Number(floorDiv(micros, US_PER_MS)));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}


function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}
