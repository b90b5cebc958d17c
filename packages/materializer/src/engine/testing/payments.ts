/**
 * A small payments source for the engine's stage tests (not part of the
 * build): its definition, views over it, and a local store holding its
 * mirror, filled through the batch capture from the in-memory source.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, decimal, defineEntity, defineFeatureView, hashFeatureView, int64, mysqlTable, rowsToTable, sum, timestamp, type AnyFeatureView, type JsRow, type OfflineStore } from '@asof/core';
import { openOfflineStore } from '@asof/stores';
import { TableSourceConnector } from '../../adapters/memory/table-connector.js';
import type { ViewBasis } from '../compute/view-basis.js';
import { contentVersion } from '../compute/view-basis.js';
import { mirrorName, watermarkOf } from '../mirror/mirror-read.js';
import { mirrorSource } from '../mirror/mirror-source.js';

export const DAY = 86_400_000_000n;
/** 2024-01-01T00:00:00Z in µs. */
export const T0 = 1_704_067_200_000_000n;
export const day = (n: number) => T0 + BigInt(n) * DAY;

export const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
export const paymentColumns = { payment_id: int64(), account_id: int64(), amount: decimal(12, 2), paid_at: timestamp(), updated_at: timestamp() };
export const payments = mysqlTable({ name: 'payments', table: 'payments', primaryKey: ['payment_id'], timestampField: 'paid_at', updatedAtField: 'updated_at', columns: paymentColumns });
export const paymentStats = defineFeatureView({
  name: 'payment_stats',
  entities: [account],
  source: payments,
  online: true,
  features: { payments: count({ window: 'lifetime' }), paid_30d: sum('amount', { window: '30d', type: decimal(38, 2) }) },
});

/** Payment `id` of `account` on day `d`. */
export const payment = (id: number, accountId: number, d: number, amount = '1.00'): JsRow => ({ payment_id: BigInt(id), account_id: BigInt(accountId), amount, paid_at: day(d), updated_at: day(d) });

const roots: string[] = [];
/** A fresh local store (removed by {@link removeRoots}). */
export function freshStore(): OfflineStore {
  const root = mkdtempSync(join(tmpdir(), 'asof-stage-'));
  roots.push(root);
  return openOfflineStore({ root });
}
export function removeRoots(): void {
  roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true }));
}

/** Mirrors `rows` as the payments table shows them at `asOf` (a full extract: keys gone become deletes). */
export async function mirrorPayments(store: OfflineStore, rows: readonly JsRow[], asOf: bigint): Promise<void> {
  const connector = new TableSourceConnector({ payments: rowsToTable([...rows], paymentColumns, Object.keys(paymentColumns)) }, { name: 'shop', asOf });
  await connector.snapshot((session) => mirrorSource(store, session, payments, { mode: 'full' }));
}

/** The basis of a computation of `view` from the store's mirror as it is now. */
export async function basisNow(store: OfflineStore, view: AnyFeatureView = paymentStats, complete = true): Promise<{ basis: ViewBasis; mirror: Awaited<ReturnType<OfflineStore['snapshot']>> }> {
  const mirror = await store.snapshot(mirrorName(payments));
  return { mirror, basis: { knownAt: watermarkOf(mirror)!, sources: { payments: contentVersion(mirror) }, definitionHash: hashFeatureView(view), complete } };
}
