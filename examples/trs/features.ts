/**
 * The TRS example's features: late payments and product mix per account,
 * defined over the operational tables. Money is priced at the SKU price in
 * force when the invoice was issued (a lookup into the SKU history the
 * materializer keeps) and stays an exact decimal (unit price × quantity,
 * summed as decimal(38, 2)). A line older than the SKU history asof knows
 * (on a first import the source shows only today's price) is priced at the
 * SKU's earliest known version and marked `earliest_known` in
 * `price_basis`; `asof seed` can supply the real history. An invoice
 * becoming overdue 30 days after issue is a derived event at that instant,
 * never a "now"-relative computation.
 */
import {
  avg,
  collectSet,
  count,
  countDistinct,
  daysBetween,
  decimal,
  defineEntity,
  defineFeatureService,
  defineFeatureView,
  int32,
  int64,
  max,
  mysqlTable,
  plus,
  string,
  sum,
  timestamp,
  where,
  type Decimal,
  type JsRow,
  type Lookup,
} from '@asof/core';
import { PAYMENT_TERM_DAYS } from './timeline.js';

/** A customer account of TRS. */
export const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
/** A product (SKU) TRS sells. */
export const sku = defineEntity({ name: 'sku', joinKeys: { sku_id: int64() } });

/** Customer accounts; read by the finance export (company names), mirrored by every run. */
export const accounts = mysqlTable({
  name: 'accounts',
  table: 'accounts',
  primaryKey: ['account_id'],
  timestampField: 'updated_at',
  updatedAtField: 'updated_at',
  columns: { account_id: int64(), company_name: string(), updated_at: timestamp() },
});

/** Invoices; `updated_at` changes when one is paid or voided. */
export const invoices = mysqlTable({
  name: 'invoices',
  table: 'invoices',
  primaryKey: ['invoice_id'],
  timestampField: 'issued_at',
  updatedAtField: 'updated_at',
  columns: { invoice_id: int64(), account_id: int64(), issued_at: timestamp(), paid_at: timestamp(), status: string(), updated_at: timestamp() },
});

/** SKUs with their current price; the materializer keeps every price it has seen. */
export const skus = mysqlTable({
  name: 'skus',
  table: 'skus',
  primaryKey: ['sku_id'],
  timestampField: 'updated_at',
  updatedAtField: 'updated_at',
  columns: { sku_id: int64(), item_name: string(), category: string(), retail_price: decimal(12, 2), updated_at: timestamp() },
});

/** Invoice line items: quantity of a SKU on an invoice. */
export const lineItems = mysqlTable({
  name: 'invoice_line_items',
  table: 'invoice_line_items',
  primaryKey: ['line_item_id'],
  timestampField: 'updated_at',
  updatedAtField: 'updated_at',
  columns: { line_item_id: int64(), invoice_id: int64(), sku_id: int64(), quantity: int32(), updated_at: timestamp() },
});

const TERM = `${PAYMENT_TERM_DAYS}d` as const;

/** An invoice's life as events: issued, paid, and (if unpaid at its due date) overdue and later cleared. */
function invoiceEvents(row: JsRow): JsRow[] {
  if (row.status === 'void') return [];
  const issued = row.issued_at as Date;
  const paid = row.paid_at as Date | null;
  const due = plus(issued, TERM);
  const base = { account_id: row.account_id, updated_at: row.updated_at };
  // The issue carries a zero delta, so the running overdue count reads 0 (not null) from the first invoice on.
  const events: JsRow[] = [{ ...base, event_at: issued, kind: 'issued', overdue_delta: 0n }];
  const late = paid !== null && paid > due;
  if (paid) {
    events.push({ ...base, event_at: paid, kind: 'paid', late, days_to_pay: daysBetween(issued, paid), days_late: BigInt(Math.max(0, daysBetween(due, paid))) });
  }
  if (!paid || late) events.push({ ...base, event_at: due, kind: 'overdue', overdue_delta: 1n });
  if (late) events.push({ ...base, event_at: paid, kind: 'cleared', overdue_delta: -1n });
  return events;
}

/** Late payments per account (30-day term). */
export const latePayments = defineFeatureView({
  name: 'late_payments',
  entities: [account],
  source: invoices,
  eventTime: 'event_at',
  createdTime: 'updated_at',
  transform: invoiceEvents,
  features: {
    overdue_invoices: sum('overdue_delta', { window: 'lifetime', type: int64() }),
    invoices_90d: count({ window: '90d', where: where('kind', '=', 'issued') }),
    late_paid_90d: count({ window: '90d', where: [where('kind', '=', 'paid'), where('late', '=', true)] }),
    avg_days_to_pay_365d: avg('days_to_pay', { window: '365d', where: where('kind', '=', 'paid') }),
    max_days_late_365d: max('days_late', { window: '365d', type: int64(), where: where('kind', '=', 'paid') }),
  },
});

const invoiceOfLine = { source: invoices, on: { invoice_id: 'invoice_id' }, columns: { account_id: 'account_id', issued_at: 'issued_at', paid_at: 'paid_at', status: 'status' } };
/** The SKU as it was at issue; a line older than the known SKU history takes the earliest known version, marked in `price_basis`. */
const priceAtIssue = {
  source: skus,
  on: { sku_id: 'sku_id' },
  at: 'issued_at',
  columns: { unit_price: 'retail_price', item_name: 'item_name' },
  beforeHistory: 'earliestKnown',
  basisColumn: 'price_basis',
} satisfies Lookup;

/** A line item's amount, exact: quantity × the unit price the lookup found (null when no version of the SKU is known at all). */
function lineAmount(row: JsRow): Decimal | null {
  return row.unit_price === null ? null : (row.unit_price as Decimal).times(row.quantity as number);
}

/** Money owed past due per account: each unpaid line item adds its amount at the due date and removes it when paid. */
export const receivables = defineFeatureView({
  name: 'receivables',
  entities: [account],
  source: lineItems,
  lookups: [invoiceOfLine, priceAtIssue],
  eventTime: 'event_at',
  createdTime: 'updated_at',
  transform: (row) => {
    if (row.status === 'void' || row.account_id === null) return [];
    const amount = lineAmount(row);
    const due = plus(row.issued_at as Date, TERM);
    const paid = row.paid_at as Date | null;
    const base = { account_id: row.account_id, updated_at: row.updated_at };
    const out: JsRow[] = [];
    if (!paid || paid > due) out.push({ ...base, event_at: due, amount_delta: amount });
    if (paid && paid > due) out.push({ ...base, event_at: paid, amount_delta: amount === null ? null : amount.negate() });
    return out;
  },
  features: {
    overdue_amount: sum('amount_delta', { window: 'lifetime', type: decimal(38, 2) }),
  },
});

/** Product mix per account: which SKUs it buys and how much it spends, over 90 and 365 days. */
export const productMix = defineFeatureView({
  name: 'product_mix',
  entities: [account],
  source: lineItems,
  lookups: [invoiceOfLine, priceAtIssue],
  eventTime: 'issued_at',
  createdTime: 'updated_at',
  transform: (row) => (row.status === 'void' || row.account_id === null ? null : { ...row, amount: lineAmount(row) }),
  features: {
    distinct_skus_90d: countDistinct('sku_id', { window: '90d' }),
    distinct_skus_365d: countDistinct('sku_id', { window: '365d' }),
    sku_names_90d: collectSet('item_name', { window: '90d', type: string() }),
    sku_names_365d: collectSet('item_name', { window: '365d', type: string() }),
    spend_90d: sum('amount', { window: '90d', type: decimal(38, 2) }),
    spend_365d: sum('amount', { window: '365d', type: decimal(38, 2) }),
    /** Lines in the spend that were older than the SKU history asof knows, so priced at the earliest known price. */
    lines_first_known_365d: count({ window: '365d', where: where('price_basis', '=', 'earliest_known') }),
  },
});

/** Spend by SKU per account (a composite key: account and SKU). */
export const skuSpend = defineFeatureView({
  name: 'sku_spend',
  entities: [account, sku],
  source: lineItems,
  lookups: [invoiceOfLine, priceAtIssue],
  eventTime: 'issued_at',
  createdTime: 'updated_at',
  transform: (row) =>
    row.status === 'void' || row.account_id === null ? null : { ...row, amount: lineAmount(row), quantity: BigInt(row.quantity as number) },
  features: {
    spend_365d: sum('amount', { window: '365d', type: decimal(38, 2) }),
    units_365d: sum('quantity', { window: '365d', type: int64() }),
  },
});

/** What a late-payment model reads. */
export const creditRisk = defineFeatureService({ name: 'credit_risk', features: [latePayments, receivables, productMix.ref('spend_365d')] });

/** Every TRS definition, for `asof apply --definitions`. */
export const definitions = [account, sku, accounts, invoices, skus, lineItems, latePayments, receivables, productMix, skuSpend, creditRisk];
