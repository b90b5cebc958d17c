/**
 * The Arrow schemas of the four TRS tables: exactly what the MySQL source
 * produces for `schema.sql` (see materializer/src/adapters/mysql/type-map.ts):
 * BIGINT → Int64, INT → Int32, DECIMAL(12,2) → Decimal128(12,2),
 * DATETIME(6) → Timestamp(MICROSECOND, "UTC"), VARCHAR/TEXT/ENUM → Utf8.
 * A field is nullable exactly when its column is NULL-able.
 */
import { TIMESTAMP_US_UTC } from '@asof/core';
import { Decimal, Field, Int32, Int64, Schema, Utf8, type DataType } from 'apache-arrow';

const field = (name: string, type: DataType, nullable = false) => new Field(name, type, nullable);
const timestamp = () => TIMESTAMP_US_UTC;
const price = () => new Decimal(2, 12, 128);

/** The TRS tables in foreign-key order (a table only references tables before it). */
export const TRS_TABLES = ['accounts', 'skus', 'invoices', 'invoice_line_items'] as const;
/** A TRS table name. */
export type TrsTableName = (typeof TRS_TABLES)[number];

/** Primary key column of each table. */
export const TRS_PRIMARY_KEYS: Readonly<Record<TrsTableName, string>> = Object.freeze({
  accounts: 'account_id',
  skus: 'sku_id',
  invoices: 'invoice_id',
  invoice_line_items: 'line_item_id',
});

/** Arrow schema of each TRS table, columns in `schema.sql` order. */
export const TRS_ARROW_SCHEMAS: Readonly<Record<TrsTableName, Schema>> = Object.freeze({
  accounts: new Schema([
    field('account_id', new Int64()),
    field('company_name', new Utf8()),
    field('contact_email', new Utf8()),
    field('created_at', timestamp()),
    field('updated_at', timestamp()),
  ]),
  skus: new Schema([
    field('sku_id', new Int64()),
    field('item_name', new Utf8()),
    field('item_description', new Utf8(), true),
    field('category', new Utf8()),
    field('retail_price', price()),
    field('updated_at', timestamp()),
  ]),
  invoices: new Schema([
    field('invoice_id', new Int64()),
    field('account_id', new Int64()),
    field('issued_at', timestamp()),
    field('paid_at', timestamp(), true),
    field('status', new Utf8()),
    field('updated_at', timestamp()),
  ]),
  invoice_line_items: new Schema([
    field('line_item_id', new Int64()),
    field('invoice_id', new Int64()),
    field('sku_id', new Int64()),
    field('quantity', new Int32()),
    field('updated_at', timestamp()),
  ]),
});

/**
 * The SKU price history (not a source table: the source keeps only the
 * current price). One row per version: `valid_from` is inclusive and the
 * version holds until the SKU's next `valid_from`.
 */
export const SKU_PRICE_HISTORY_SCHEMA = new Schema([
  field('sku_id', new Int64()),
  field('retail_price', price()),
  field('valid_from', timestamp()),
]);
