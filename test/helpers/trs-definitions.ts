/**
 * The TRS invoicing definitions the core tests share: accounts, SKUs whose
 * price changes over time, invoices and their line items. "Product mix per
 * account" prices each line item at the SKU price in force on its invoice's
 * issue date (two chained lookups); "late payments per account" counts the
 * derived `overdue` events a transform emits 30 days after issue.
 */
import {
  collectSet,
  count,
  countDistinct,
  decimal,
  defineEntity,
  defineFeatureView,
  int32,
  int64,
  mysqlTable,
  string,
  sum,
  timestamp,
  type Lookup,
} from '@asof/core';

const DAY_MS = 86_400_000;

export const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });

export const skus = mysqlTable({
  name: 'skus',
  table: 'trs.skus',
  timestampField: 'created_at',
  updatedAtField: 'updated_at',
  primaryKey: ['sku_id'],
  columns: { sku_id: int64(), item_name: string(), retail_price: decimal(12, 2), created_at: timestamp(), updated_at: timestamp() },
});

export const invoices = mysqlTable({
  name: 'invoices',
  table: 'trs.invoices',
  timestampField: 'issued_at',
  updatedAtField: 'updated_at',
  primaryKey: ['invoice_id'],
  columns: { invoice_id: int64(), account_id: int64(), issued_at: timestamp(), paid_at: timestamp(), updated_at: timestamp() },
});

export const lineItems = mysqlTable({
  name: 'invoice_line_items',
  table: 'trs.invoice_line_items',
  timestampField: 'created_at',
  primaryKey: ['invoice_id', 'line_no'],
  columns: { invoice_id: int64(), line_no: int32(), sku_id: int64(), qty: int32(), created_at: timestamp() },
});

/** First the invoice (latest version) for its account and issue date, then the SKU as of that date. */
export const productMixLookups: readonly Lookup[] = [
  { source: invoices, on: { invoice_id: 'invoice_id' }, columns: { account_id: 'account_id', issued_at: 'issued_at' } },
  { source: skus, on: { sku_id: 'sku_id' }, at: 'issued_at', columns: { unit_price: 'retail_price', item_name: 'item_name' } },
];

export const productMix = defineFeatureView({
  name: 'account_product_mix',
  entities: [account],
  source: lineItems,
  lookups: productMixLookups,
  eventTime: 'issued_at',
  features: {
    items_90d: collectSet('item_name', { window: '90d', type: string() }),
    skus_lifetime: countDistinct('sku_id', { window: 'lifetime' }),
    spend_lifetime: sum('unit_price', { window: 'lifetime', type: decimal(18, 2) }),
  },
});

/** An invoice row becomes `issued`, `overdue` (30 days after issue, if unpaid by then) and `paid` events. */
export function invoiceEvents(row: Record<string, unknown>): Record<string, unknown>[] {
  const issued = row.issued_at as Date;
  const paid = (row.paid_at ?? null) as Date | null;
  const overdue = new Date(issued.getTime() + 30 * DAY_MS);
  return [
    { account_id: row.account_id, event: 'issued', event_at: issued },
    ...(paid === null || paid > overdue ? [{ account_id: row.account_id, event: 'overdue', event_at: overdue }] : []),
    ...(paid === null ? [] : [{ account_id: row.account_id, event: 'paid', event_at: paid }]),
  ];
}

export const latePayments = defineFeatureView({
  name: 'account_late_payments',
  entities: [account],
  source: invoices,
  transform: invoiceEvents,
  eventTime: 'event_at',
  createdTime: null,
  features: {
    late_lifetime: count({ window: 'lifetime', where: { event: 'overdue' } }),
    late_365d: count({ window: '365d', where: { event: 'overdue' } }),
  },
});
