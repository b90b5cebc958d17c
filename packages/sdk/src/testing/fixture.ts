/**
 * A small store written straight through the offline store API (no
 * materializer): feature rows per view, in commits, plus the registry.json
 * `asof apply` would write. And a brute-force oracle of DESIGN §3.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  bool,
  createRegistry,
  defineEntity,
  defineFeatureService,
  defineFeatureView,
  float64,
  int64,
  parquetSource,
  rowsToTable,
  string,
  timestamp,
  TOMBSTONE_COLUMN,
  type AnyFeatureView,
  type DType,
  type JsRow,
} from '@asof/core';
import { openOfflineStore } from '@asof/stores';

export const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
export const sku = defineEntity({ name: 'sku', joinKeys: { sku_id: int64() } });
const events = parquetSource({ name: 'events', path: 'events.parquet', timestampField: 'ts' });

/** TTL 2 days. */
export const payments = defineFeatureView({ name: 'payments', entities: [account], source: events, ttl: '2d', features: { amount: float64(), status: string() } });
/** No TTL; shares the feature name `amount` with `payments`. */
export const risk = defineFeatureView({ name: 'risk', entities: [account], source: events, features: { score: float64(), amount: int64() } });
/** Another entity. */
export const prices = defineFeatureView({ name: 'prices', entities: [sku], source: events, ttl: '1d', features: { price: float64() } });
export const scoring = defineFeatureService({ name: 'scoring', features: [payments.ref('status'), risk] });
export const VIEWS = [payments, risk, prices] as const;

/** One stored feature row: keys, µs times, tombstone flag and features. */
export type StoredRow = JsRow & { event_ts: bigint; created_ts: bigint; _asof_deleted: boolean };

const roots: string[] = [];

/** A fresh temp root. */
export async function tempRoot(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'asof-sdk-test-'));
  roots.push(dir);
  return dir;
}

/** Deletes every temp root. */
export async function removeRoots(): Promise<void> {
  await Promise.all(roots.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Writes registry.json as `asof apply` would. */
export async function writeRegistry(root: string, views: readonly AnyFeatureView[] = VIEWS, withService = true): Promise<void> {
  const registry = createRegistry(...views, ...(withService ? [scoring] : []));
  await writeFile(path.join(root, 'registry.json'), `${JSON.stringify(registry, null, 2)}\n`);
}

/** The column dtypes of a view's stored rows. */
export function rowTypes(view: AnyFeatureView): Record<string, DType> {
  const types: Record<string, DType> = { ...view.joinKeys, event_ts: timestamp(), created_ts: timestamp(), [TOMBSTONE_COLUMN]: bool() };
  for (const f of view.featureNames) types[f] = view.features[f] as DType;
  return types;
}

/** Appends each list of rows as one commit of `view`, with the watermark at the same position of `watermarks` (default none). */
export async function commitRows(root: string, view: AnyFeatureView, commits: readonly (readonly StoredRow[])[], watermarks: readonly unknown[] = []): Promise<void> {
  const store = openOfflineStore({ root });
  const types = rowTypes(view);
  for (const [i, rows] of commits.entries()) {
    if (rows.length === 0) continue;
    const writer = store.beginWrite(view.name);
    for (const batch of rowsToTable(rows, types, Object.keys(types)).batches) await writer.writeBatch(batch);
    await writer.commit({ operation: 'append', ...(watermarks[i] !== undefined ? { watermark: watermarks[i] } : {}) });
  }
}

/**
 * DESIGN §3 by brute force: among `rows` (in write order) with the keys of
 * `at`, `t - ttl <= event_ts <= t`, `created_ts <= asKnownAt`: greatest
 * event time, then created time, then the latest write; a tombstone reads
 * as null.
 */
export function oracle(rows: readonly StoredRow[], keys: readonly string[], spineRow: JsRow, t: bigint, ttlMs: number | null, asKnownAt: bigint | null): StoredRow | null {
  let best: StoredRow | null = null;
  for (const row of rows) {
    if (keys.some((k) => spineRow[k] === null || spineRow[k] === undefined || BigInt(spineRow[k] as bigint) !== row[k])) continue;
    if (row.event_ts > t || (ttlMs !== null && row.event_ts < t - BigInt(ttlMs) * 1000n)) continue;
    if (asKnownAt !== null && row.created_ts > asKnownAt) continue;
    if (!best || row.event_ts > best.event_ts || (row.event_ts === best.event_ts && row.created_ts >= best.created_ts)) best = row;
  }
  return best && !best._asof_deleted ? best : null;
}
