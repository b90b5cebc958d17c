import type { DynamoDbOnlineStoreOptions } from '../adapters/dynamodb/dynamodb-online-store.js';
import type { S3ConnectionOptions, S3TransferOptions } from '../adapters/s3/s3-config.js';
import type { ServiceConnection } from './store-settings.js';

/** Where a connection's endpoint and region came from (set by `readStoreSettings`), for logs. */
export type ConnectionProvenance = Partial<Pick<ServiceConnection, 'endpointFrom' | 'regionFrom'>>;

/** How to reach DynamoDB for `dynamodb://<table>` online stores and commit coordinators (endpoint, region, credentials, tuning). */
export type DynamoDbConnection = Omit<DynamoDbOnlineStoreOptions, 'tableName'>;

/**
 * What the store adapters open with: the connections (flags or options
 * over the `ASOF_*` variables, as `readStoreSettings` reads them) and where
 * relative paths resolve. Every field is optional; a `StoreSettings` is one.
 */
export interface AdapterSettings {
  /** Relative paths (a root, `lmdb:<dir>`, an export target) resolve against this (default: the process's working directory). */
  readonly cwd?: string;
  /** S3 or an S3-compatible server, for `s3://` roots (default: AWS). */
  readonly s3?: S3ConnectionOptions & S3TransferOptions & ConnectionProvenance;
  /** DynamoDB, for `dynamodb://` online stores and coordinators (default: AWS). */
  readonly dynamodb?: DynamoDbConnection & ConnectionProvenance;
}
