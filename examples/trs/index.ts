/**
 * The TRS example's data side: the source schema, the deterministic
 * history generator, the source tables at any instant, and loaders into
 * MySQL/MariaDB and CSV files. See README.md.
 */
export { generateTrs } from './generator.js';
export { stateAt, type TrsState, type StateAtOptions } from './state-at.js';
export { changesBetween, updatedAfter } from './state-changes.js';
export { skuPriceHistory, priceCentsAt, formatCents } from './price-history.js';
export { versionAt } from './price-versions.js';
export { trsContentHash } from './state-hash.js';
export { writeTrsFiles, writeCsvFile, csvLines, type WrittenCsv } from './write-files.js';
export { loadTrsIntoMySql, applyTrsChanges, trsSchemaStatements, type LoadTrsOptions, type TrsRowCounts } from './load-mysql.js';
export {
  TRS_TABLES,
  TRS_PRIMARY_KEYS,
  TRS_ARROW_SCHEMAS,
  SKU_PRICE_HISTORY_SCHEMA,
  type TrsTableName,
} from './arrow-schema.js';
export {
  TIMELINE_START_US,
  TIMELINE_END_US,
  DAY_US,
  PAYMENT_TERM_DAYS,
  SKU_CATEGORIES,
  INVOICE_STATUSES,
  PAYMENT_PROFILES,
  trsCounts,
  type SkuCategory,
  type InvoiceStatus,
  type PaymentProfile,
  type TrsOptions,
  type TrsTimeline,
  type AccountTruth,
  type SkuTruth,
  type InvoiceTruth,
  type LineItemTruth,
} from './timeline.js';
