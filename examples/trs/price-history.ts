/**
 * The SKU price history the source does not keep, for test oracles: every
 * version of every SKU (`sku_id`, `retail_price`, `valid_from`), and the
 * price in force at an instant. A batch pipeline can only learn this
 * history by observing `skus.updated_at` across extracts; an oracle knows it.
 */
import { toEpochMicros, type TimeInput } from '@asof/core';
import type { Table } from 'apache-arrow';
import { decimalData, int64Data, makeTable, timestampData } from './arrow-columns.js';
import { SKU_PRICE_HISTORY_SCHEMA } from './arrow-schema.js';
import { versionAt } from './price-versions.js';
import type { TrsTimeline } from './timeline.js';

/** Every price version as an Arrow table (schema {@link SKU_PRICE_HISTORY_SCHEMA}), by SKU then `valid_from`. */
export function skuPriceHistory(timeline: TrsTimeline): Table {
  const { skus } = timeline;
  const n = skus.validFrom.length;
  const skuId = new Float64Array(n);
  for (let j = 0; j < skus.count; j++) skuId.fill(j + 1, skus.versionStart[j]!, skus.versionStart[j + 1]!);
  return makeTable(SKU_PRICE_HISTORY_SCHEMA, [
    int64Data(skuId),
    decimalData(skus.priceCents, 12, 2),
    timestampData(skus.validFrom),
  ]);
}

/** The retail price of `skuId` in force at `at`, in cents; `null` before the SKU exists. */
export function priceCentsAt(timeline: TrsTimeline, skuId: bigint | number, at: TimeInput): number | null {
  const j = Number(skuId) - 1;
  if (!Number.isInteger(j) || j < 0 || j >= timeline.skus.count) throw new RangeError(`no SKU ${skuId}`);
  const v = versionAt(timeline.skus, j, Number(toEpochMicros(at)));
  return v < 0 ? null : timeline.skus.priceCents[v]!;
}

/** Formats integer cents as the exact DECIMAL(…,2) text MySQL shows, e.g. `-1.05`, `1234.50`. */
export function formatCents(cents: number | bigint): string {
  const value = BigInt(cents);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
