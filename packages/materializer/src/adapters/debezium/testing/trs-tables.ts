/**
 * The TRS tables as the connector sees them (`examples/trs/schema.sql`),
 * and a table with every other column type asof reads, with the asof
 * sources that declare them.
 */
import { binary, bool, date, decimal, float64, int32, int64, mysqlTable, string, timestamp } from '@asof/core';
import type { TableSpec } from './debezium-encoder.js';

export { accounts, invoices, lineItems, skus } from '../../../../../../examples/trs/features.js';

/** The TRS tables, columns in `schema.sql` order (including those the sources do not declare). */
export const TRS_TABLES: Readonly<Record<'accounts' | 'skus' | 'invoices' | 'invoice_line_items', TableSpec>> = {
  accounts: {
    db: 'trs',
    table: 'accounts',
    primaryKey: ['account_id'],
    columns: [
      { name: 'account_id', type: { kind: 'bigint' }, optional: false },
      { name: 'company_name', type: { kind: 'varchar' }, optional: false },
      { name: 'contact_email', type: { kind: 'varchar' }, optional: false },
      { name: 'created_at', type: { kind: 'datetime', fsp: 6 }, optional: false },
      { name: 'updated_at', type: { kind: 'datetime', fsp: 6 }, optional: false },
    ],
  },
  skus: {
    db: 'trs',
    table: 'skus',
    primaryKey: ['sku_id'],
    columns: [
      { name: 'sku_id', type: { kind: 'bigint' }, optional: false },
      { name: 'item_name', type: { kind: 'varchar' }, optional: false },
      { name: 'item_description', type: { kind: 'varchar' }, optional: true },
      { name: 'category', type: { kind: 'enum', allowed: ['listing', 'subscription', 'advertising', 'data', 'services', 'hardware'] }, optional: false },
      { name: 'retail_price', type: { kind: 'decimal', precision: 12, scale: 2 }, optional: false },
      { name: 'updated_at', type: { kind: 'datetime', fsp: 6 }, optional: false },
    ],
  },
  invoices: {
    db: 'trs',
    table: 'invoices',
    primaryKey: ['invoice_id'],
    columns: [
      { name: 'invoice_id', type: { kind: 'bigint' }, optional: false },
      { name: 'account_id', type: { kind: 'bigint' }, optional: false },
      { name: 'issued_at', type: { kind: 'datetime', fsp: 6 }, optional: false },
      { name: 'paid_at', type: { kind: 'datetime', fsp: 6 }, optional: true },
      { name: 'status', type: { kind: 'enum', allowed: ['open', 'paid', 'void'] }, optional: false },
      { name: 'updated_at', type: { kind: 'datetime', fsp: 6 }, optional: false },
    ],
  },
  invoice_line_items: {
    db: 'trs',
    table: 'invoice_line_items',
    primaryKey: ['line_item_id'],
    columns: [
      { name: 'line_item_id', type: { kind: 'bigint' }, optional: false },
      { name: 'invoice_id', type: { kind: 'bigint' }, optional: false },
      { name: 'sku_id', type: { kind: 'bigint' }, optional: false },
      { name: 'quantity', type: { kind: 'int' }, optional: false },
      { name: 'updated_at', type: { kind: 'datetime', fsp: 6 }, optional: false },
    ],
  },
};

/** A table with every other type: wide and narrow decimals, a bool, a double, a float, dates, a TIMESTAMP, a DATETIME(3), bytes. */
export const WIDE_TABLE: TableSpec = {
  db: 'trs',
  table: 'wide',
  primaryKey: ['id', 'code'],
  columns: [
    { name: 'id', type: { kind: 'bigint' }, optional: false },
    { name: 'code', type: { kind: 'varchar' }, optional: false },
    { name: 'big_amount', type: { kind: 'decimal', precision: 38, scale: 10 }, optional: true },
    { name: 'whole', type: { kind: 'decimal', precision: 18, scale: 0 }, optional: true },
    { name: 'fraction', type: { kind: 'decimal', precision: 5, scale: 5 }, optional: true },
    { name: 'flag', type: { kind: 'tinyint1' }, optional: true },
    { name: 'ratio', type: { kind: 'double' }, optional: true },
    { name: 'weight', type: { kind: 'float' }, optional: true },
    { name: 'birthday', type: { kind: 'date' }, optional: true },
    { name: 'seen_at', type: { kind: 'timestamp', fsp: 6 }, optional: true },
    { name: 'logged_at', type: { kind: 'datetime', fsp: 3 }, optional: true },
    { name: 'payload', type: { kind: 'blob' }, optional: true },
    { name: 'count', type: { kind: 'int' }, optional: true },
    { name: 'updated_at', type: { kind: 'datetime', fsp: 6 }, optional: false },
  ],
};

/** The asof source reading {@link WIDE_TABLE}. */
export const wide = mysqlTable({
  name: 'wide',
  table: 'wide',
  primaryKey: ['id', 'code'],
  timestampField: 'updated_at',
  updatedAtField: 'updated_at',
  columns: {
    id: int64(),
    code: string(),
    big_amount: decimal(38, 10),
    whole: decimal(18, 0),
    fraction: decimal(5, 5),
    flag: bool(),
    ratio: float64(),
    weight: float64(),
    birthday: date(),
    seen_at: timestamp(),
    logged_at: timestamp(),
    payload: binary(),
    count: int32(),
    updated_at: timestamp(),
  },
});
