import { randomBytes } from 'node:crypto';
import { formatMicros } from '@asof/core';
import { assertViewName } from './view-name.js';

/**
 * Object keys of the offline store (DESIGN §5), relative to its root:
 *
 *     views/<view>/data/event_date=YYYY-MM-DD/<commitId>-<n>.parquet   (or event_month=YYYY-MM)
 *     views/<view>/_log/<20-digit zero-padded version>.json
 *     views/<view>/_log/_staged/<20-digit version>-<commitId>.json   (coordinated commits only)
 *
 * Data paths inside a commit are relative to `views/<view>/`.
 */

const US_PER_DAY = 86_400_000_000n;

/** `views/<view>/` */
export function viewPrefix(view: string): string {
  assertViewName(view);
  return `views/${view}/`;
}

/** `views/<view>/_log/` */
export function logPrefix(view: string): string {
  return `${viewPrefix(view)}_log/`;
}

/** The log entry of one version. */
export function logKey(view: string, version: number): string {
  return `${logPrefix(view)}${padVersion(version)}.json`;
}

/** Where a coordinated commit's document waits until its log entry is written. */
export function stagedKey(view: string, version: number, commitId: string): string {
  return `${logPrefix(view)}_staged/${padVersion(version)}-${commitId}.json`;
}

/** The version of a log entry key, or `null` for any other key. */
export function versionOfLogKey(view: string, key: string): number | null {
  const prefix = logPrefix(view);
  if (!key.startsWith(prefix)) return null;
  const m = /^(\d{20})\.json$/.exec(key.slice(prefix.length));
  return m ? Number(m[1]) : null;
}

/** `00000000000000000042` */
export function padVersion(version: number): string {
  return String(version).padStart(20, '0');
}

/** The data path of file `n` of a commit in a partition, relative to the view. */
export function dataPath(partition: string, commitId: string, n: number): string {
  // `YYYY-MM-DD` partitions are days, `YYYY-MM` months (Hive style, so SQL engines see the column).
  return `data/${partition.length === 7 ? 'event_month' : 'event_date'}=${partition}/${commitId}-${n}.parquet`;
}

/** The full key of a data path. */
export function dataKey(view: string, path: string): string {
  return `${viewPrefix(view)}${path}`;
}

/** The UTC day number (days since 1970-01-01) of an instant in µs. */
export function dayOf(micros: bigint): number {
  const q = micros / US_PER_DAY;
  return Number(micros % US_PER_DAY !== 0n && micros < 0n ? q - 1n : q);
}

/** `YYYY-MM-DD` of a UTC day number. */
export function partitionOfDay(day: number): string {
  return formatMicros(dayStartMicros(day)).split('T')[0]!;
}

/** First µs of a UTC day. */
export function dayStartMicros(day: number): bigint {
  return BigInt(day) * US_PER_DAY;
}

/**
 * A fresh commit id: UTC time to the second, then random hex, so ids sort
 * roughly by time and never collide between writers.
 */
export function newCommitId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 15); // 20240301T120000
  return `${stamp}Z-${randomBytes(6).toString('hex')}`;
}

/** The ordering key of file `n` added at `version`. */
export function seqOf(version: number, n: number): string {
  return `${padVersion(version)}.${String(n).padStart(6, '0')}`;
}
