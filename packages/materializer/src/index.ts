/** @asof/materializer: sources, transformation, offline and online store writers, the asof CLI. */
export { MySqlConnector, mysqlRelation, quoteIdentifier, type MySqlConnectorConfig, type MySqlObserver } from './adapters/mysql/index.js';
export { checkSchema, formatDType, sameDType } from './sources/check-schema.js';
export {
  bulkInsert,
  upsert,
  executeStatements,
  withTransaction,
  createMySqlWritePool,
  type MySqlWritePool,
  type MySqlExecutor,
  type BulkInsertOptions,
  type UpsertOptions,
} from './adapters/mysql/bulk-load.js';
