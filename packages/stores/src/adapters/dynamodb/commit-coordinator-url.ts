import { DynamoDbCommitCoordinator, type DynamoDbCommitCoordinatorOptions } from './dynamodb-commit-coordinator.js';
import { parseDynamoDbUrl } from './dynamodb-url.js';

/**
 * Builds the commit coordinator a CLI flag names: `dynamodb://<table>`
 * (e.g. `--commit-coordinator dynamodb://asof-commits`). Connection
 * settings (endpoint for DynamoDB Local, region, credentials) come from
 * `connection`; the table is created on first use unless told otherwise.
 */
export function commitCoordinatorFromUrl(
  url: string,
  connection: Omit<DynamoDbCommitCoordinatorOptions, 'tableName'> = {},
): DynamoDbCommitCoordinator {
  return new DynamoDbCommitCoordinator({ ...connection, tableName: parseDynamoDbUrl(url, 'commit coordinator') });
}
