/** The MySQL/Aurora source (mysql2). Only this folder imports mysql2. */
export { MySqlConnector } from './connector.js';
export type { MySqlConnectorConfig, MySqlObserver } from './config.js';
export { mysqlRelation } from './relation.js';
export { quoteIdentifier } from './sql.js';
