import {
  columnValues,
  formatMicros,
  microsVector,
  takeTable,
  pointInTimeJoin,
  sameValue,
  tableToRows,
  TOMBSTONE_COLUMN,
  type AnyFeatureView,
  type JsRow,
  type OfflineStore,
  type OnlineStore,
} from '@asof/core';
import { Table } from 'apache-arrow';
import { EVENT_TS } from '../compute/compute-view.js';
import { readView } from '../view-rows.js';

/** One view's consistency report: offline `asOf(at)` against the online store read at `at`. */
export interface OnlineVerification {
  readonly view: string;
  /** The instant compared. */
  readonly at: string;
  readonly entities: number;
  /** Entities whose online row differs in at least one feature (a `stale` feature is not a mismatch: it holds no value). */
  readonly mismatchedEntities: number;
  /** Entities with at least one feature `stale`: `at` is past the horizon of their stored timeline. */
  readonly staleEntities: number;
  /** Per feature: how many entities differ (with a few examples), and how many are `stale`. */
  readonly features: Readonly<Record<string, { readonly mismatches: number; readonly stale: number; readonly examples: readonly { key: JsRow; offline: unknown; online: unknown }[] }>>;
}

const EXAMPLES = 3;

/**
 * Compares every entity's online row, read at `at`, with what the offline
 * store answers for that entity at `at` (DESIGN §3's lookup, TTL and
 * tombstones included). A feature matches when both are null or both hold
 * equal values; online `missing` and `expired` read as null. A feature the
 * online store calls `stale` (`at` is past its timeline's horizon) is
 * counted apart: it is not a wrong value, it is no value. Like Chronon's
 * consistency metrics: counts and examples per feature.
 */
export async function verifyOnline(store: OfflineStore, online: OnlineStore, view: AnyFeatureView, at: bigint, signal?: AbortSignal): Promise<OnlineVerification> {
  const rows = await readView(store, view, signal);
  if (rows.numRows === 0) return { view: view.name, at: formatMicros(at), entities: 0, mismatchedEntities: 0, staleEntities: 0, features: {} };
  // Every entity the offline store knows, asked about at `at`.
  const keys = distinctKeys(rows, view.joinKeyNames);
  const spine = new Table({ ...Object.fromEntries(view.joinKeyNames.map((k) => [k, keys.getChild(k)!])), __at: microsVector(new BigInt64Array(keys.numRows).fill(at)) });
  const offline = tableToRows(
    pointInTimeJoin(spine, rows, {
      keys: view.joinKeyNames,
      spineTime: '__at',
      eventTime: EVENT_TS,
      createdTime: 'created_ts',
      tombstone: TOMBSTONE_COLUMN,
      features: view.featureNames,
      ttl: view.ttlMs ?? undefined,
    }),
  );
  const read = await online.read(view, tableToRows(keys), { at, consistent: true, signal });
  const features: Record<string, { mismatches: number; stale: number; examples: { key: JsRow; offline: unknown; online: unknown }[] }> = {};
  for (const f of view.featureNames) features[f] = { mismatches: 0, stale: 0, examples: [] };
  let mismatchedEntities = 0;
  let staleEntities = 0;
  read.rows.forEach((row, i) => {
    let differs = false;
    let stale = false;
    for (const f of view.featureNames) {
      if (row.status[f] === 'stale') {
        features[f]!.stale++;
        stale = true;
        continue;
      }
      const want = offline[i]![f] ?? null;
      const got = row.status[f] === 'present' ? (row.values[f] ?? null) : null;
      if (sameValue(want, got) || (want === null && got === null)) continue;
      differs = true;
      const entry = features[f]!;
      entry.mismatches++;
      if (entry.examples.length < EXAMPLES) entry.examples.push({ key: { ...row.key }, offline: want, online: got });
    }
    if (differs) mismatchedEntities++;
    if (stale) staleEntities++;
  });
  return { view: view.name, at: formatMicros(at), entities: keys.numRows, mismatchedEntities, staleEntities, features };
}

/** The distinct key tuples of `rows`, in first-appearance order, as a table of the key columns. */
function distinctKeys(rows: Table, keys: readonly string[]): Table {
  const values = keys.map((k) => columnValues(rows.getChild(k)!, k));
  const seen = new Set<string>();
  const take: number[] = [];
  for (let i = 0; i < rows.numRows; i++) {
    const id = values.map((v) => String(v[i])).join('\u0000');
    if (seen.has(id)) continue;
    seen.add(id);
    take.push(i);
  }
  return takeTable(rows.select(keys as string[]), Int32Array.from(take));
}
