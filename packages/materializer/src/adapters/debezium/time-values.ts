/**
 * Temporal values as the MySQL connector writes them, to epoch
 * microseconds (timestamps) and epoch days (dates), exactly:
 *
 * | MySQL | `time.precision.mode` | schema name | JSON |
 * |---|---|---|---|
 * | DATETIME(0-3) | adaptive (default) | `io.debezium.time.Timestamp` | epoch ms |
 * | DATETIME(4-6) | adaptive (default) | `io.debezium.time.MicroTimestamp` | epoch µs |
 * | DATETIME | connect | `org.apache.kafka.connect.data.Timestamp` | epoch ms |
 * | DATETIME | microseconds / nanoseconds | `MicroTimestamp` / `io.debezium.time.NanoTimestamp` | epoch µs / ns |
 * | DATETIME | isostring | `io.debezium.time.IsoTimestamp` | `"2019-07-09T02:28:57.123456Z"` |
 * | TIMESTAMP | any | `io.debezium.time.ZonedTimestamp` | `"2018-06-20T13:37:03Z"` (ISO-8601 with offset) |
 * | DATE | adaptive / connect | `io.debezium.time.Date` / `org.apache.kafka.connect.data.Date` | epoch days |
 * | DATE | isostring | `io.debezium.time.IsoDate` | `"2017-09-15Z"` |
 */
import { daysFromCivil, InvalidTimestampError, parseIsoMicros } from '@asof/core';
import { undecodable } from './dead-letter.js';
import type { JsonValue } from './json-parse.js';
import { exactInteger, numberText, smallInteger } from './number-values.js';
import type { EpochUnit } from './options.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Schema names of epoch-number timestamps, with their unit. */
export const EPOCH_TIMESTAMPS: Readonly<Record<string, EpochUnit>> = Object.freeze({
  'io.debezium.time.Timestamp': 'ms',
  'org.apache.kafka.connect.data.Timestamp': 'ms',
  'io.debezium.time.MicroTimestamp': 'us',
  'io.debezium.time.NanoTimestamp': 'ns',
});

/** Schema names of ISO-8601 text timestamps. */
export const TEXT_TIMESTAMPS: ReadonlySet<string> = new Set(['io.debezium.time.ZonedTimestamp', 'io.debezium.time.IsoTimestamp']);

/** Schema names of epoch-day dates. */
export const EPOCH_DATES: ReadonlySet<string> = new Set(['io.debezium.time.Date', 'org.apache.kafka.connect.data.Date']);

/** An epoch number in `unit` as µs; sub-µs digits (ns) or a value past int64 µs are a `bad-value`. */
export function micros(raw: JsonValue, unit: EpochUnit, what: string): bigint {
  const n = exactInteger(raw);
  if (n === null) undecodable('bad-value', `${what} holds ${numberText(raw) ?? JSON.stringify(raw)}, which is not a whole number of ${unitName(unit)} since the epoch`);
  let us: bigint;
  if (unit === 'us') us = n;
  else if (unit === 'ms') us = n * 1000n;
  else {
    if (n % 1000n !== 0n) undecodable('bad-value', `${what} holds ${n} ns, which has sub-microsecond digits; asof stores microseconds`);
    us = n / 1000n;
  }
  if (us < INT64_MIN || us > INT64_MAX) undecodable('bad-value', `${what} holds ${n} ${unit}, outside the range of int64 microseconds`);
  return us;
}

/** An ISO-8601 instant with an offset (ZonedTimestamp, IsoTimestamp) as µs. */
export function isoMicros(raw: JsonValue, what: string): bigint {
  if (typeof raw !== 'string') undecodable('bad-value', `${what} holds ${numberText(raw) ?? typeof raw}, not an ISO-8601 timestamp`);
  try {
    return parseIsoMicros(raw);
  } catch (error) {
    if (error instanceof InvalidTimestampError) undecodable('bad-value', `${what}: ${error.message}`);
    throw error;
  }
}

/** Days since 1970-01-01: an epoch-day number, or `YYYY-MM-DD` text with an optional `Z` (IsoDate). */
export function epochDays(raw: JsonValue, what: string): number {
  if (typeof raw === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})Z?$/.exec(raw);
    if (m) {
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      if (mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo)) return daysFromCivil(y, mo, d);
    }
    return undecodable('bad-value', `${what} holds ${JSON.stringify(raw)}, which is not a calendar date (YYYY-MM-DD)`);
  }
  const days = smallInteger(raw, -2147483648, 2147483647);
  if (days === null) undecodable('bad-value', `${what} holds ${numberText(raw) ?? JSON.stringify(raw)}, which is not a whole number of days`);
  return days;
}

function daysInMonth(y: number, m: number): number {
  return (m === 12 ? daysFromCivil(y + 1, 1, 1) : daysFromCivil(y, m + 1, 1)) - daysFromCivil(y, m, 1);
}

function unitName(unit: EpochUnit): string {
  return unit === 'ms' ? 'milliseconds' : unit === 'us' ? 'microseconds' : 'nanoseconds';
}
