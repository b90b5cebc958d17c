/**
 * `@asof/materializer/mysql`: the MySQL/Aurora source (mysql2) and the bulk
 * loader the examples use. Only this folder imports mysql2; importing this
 * module loads it, the package root does not (the CLI opens `mysql://`
 * sources through the adapter registry).
 */
export { MySqlConnector } from './connector.js';
export type { MySqlConnectorConfig, MySqlObserver } from './config.js';
export { mysqlRelation } from './relation.js';
export { quoteIdentifier } from './sql.js';
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
} from './bulk-load.js';
export { mysqlAdapter } from './adapter.js';
