/**
 * `@asof/stores/dynamodb`: the DynamoDB online store, commit coordinator
 * and lease store. Importing it loads the AWS DynamoDB client; the package
 * root does not, and opens `dynamodb://` URLs through the adapter registry.
 */
export { DynamoDbCommitCoordinator, type DynamoDbCommitCoordinatorOptions } from './dynamodb-commit-coordinator.js';
export { commitCoordinatorFromUrl } from './commit-coordinator-url.js';
export { DynamoDbLeaseStore, type DynamoDbLeaseStoreOptions, type DynamoDbLeaseTable } from './dynamodb-lease-store.js';
export { DynamoDbOnlineStore, type DynamoDbOnlineStoreOptions, type CreateOnlineTableOptions } from './dynamodb-online-store.js';
export { checkItemSize, DYNAMODB_MAX_ITEM_BYTES, type ItemSizeCheck, type ItemSizeOptions, type FeatureSizeBound } from './item-size.js';
export { parseDynamoDbUrl } from './dynamodb-url.js';
export { dynamodbAdapter } from './adapter.js';
