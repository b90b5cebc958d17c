import { InvalidInputError } from '@asof/core';
import { DynamoDbCommitCoordinator, type DynamoDbCommitCoordinatorOptions } from './dynamodb-commit-coordinator.js';

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
  const m = /^dynamodb:\/\/([A-Za-z0-9_.-]{3,255})\/?$/.exec(url);
  if (!m) throw new InvalidInputError(`invalid commit coordinator ${JSON.stringify(url)}: expected dynamodb://<table name>`);
  return new DynamoDbCommitCoordinator({ ...connection, tableName: m[1]! });
}
