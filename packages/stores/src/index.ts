/**
 * @asof/stores: the storage asof runs on. Object stores (a local directory,
 * S3), a DynamoDB commit coordinator for S3 endpoints without
 * put-if-absent, the Parquet offline store built on them (DESIGN §5),
 * leases that keep scheduled runs of a view apart, and the online stores
 * (DynamoDB, embedded LMDB; DESIGN §6).
 * Used by the materializer (writes) and the SDK (reads).
 */
export { LocalObjectStore, type LocalObjectStoreOptions } from './adapters/local-fs/local-object-store.js';
export { S3ObjectStore } from './adapters/s3/s3-object-store.js';
export { parseS3Url, createS3Client, type S3ConnectionOptions, type S3ObjectStoreOptions } from './adapters/s3/s3-config.js';
export { probePutIfAbsent, type PutIfAbsentProbe } from './adapters/s3/probe-put-if-absent.js';
export { DynamoDbCommitCoordinator, type DynamoDbCommitCoordinatorOptions } from './adapters/dynamodb/dynamodb-commit-coordinator.js';
export { commitCoordinatorFromUrl } from './adapters/dynamodb/commit-coordinator-url.js';
export { openOfflineStore, type OpenOfflineStoreOptions } from './offline/open.js';
export { viewCoverage, isViewWatermark, type ViewWatermark, type ViewCoverage, type ViewCoverageOptions, type ComputedRun, type CoveredRange } from './offline/view-coverage.js';
export { ObjectOfflineStore, type ObjectOfflineStoreConfig } from './offline/object-offline-store.js';
export { ExclusiveLog, type ExclusiveLogOptions } from './offline/exclusive-log.js';
export { isInternalTable } from './offline/view-name.js';
export { retentionMark } from './offline/retention.js';
export { encodeParquet, decodeParquet, parquetLayout, type ParquetWriteOptions, type ParquetReadOptions, type ParquetLayout } from './offline/parquet/parquet-codec.js';
export { ObjectLeaseStore, type ObjectLeaseStoreOptions } from './leases/object-lease-store.js';
export { DynamoDbLeaseStore, type DynamoDbLeaseStoreOptions, type DynamoDbLeaseTable } from './adapters/dynamodb/dynamodb-lease-store.js';
export { openLeaseStore, type OpenLeaseStoreOptions } from './leases/open-lease-store.js';
export { DynamoDbOnlineStore, type DynamoDbOnlineStoreOptions, type CreateOnlineTableOptions } from './adapters/dynamodb/dynamodb-online-store.js';
export {
  checkItemSize,
  checkTimelineSize,
  itemBytes,
  DYNAMODB_MAX_ITEM_BYTES,
  type ItemSizeCheck,
  type ItemSizeOptions,
  type FeatureSizeBound,
  type TimelineSizeCheck,
  type TimelineSizeOptions,
} from './adapters/dynamodb/item-size.js';
export { timelineDigests, emptyTimelineDigest, onlineEntityKey } from './online/timeline-items.js';
export { LmdbOnlineStore, type LmdbOnlineStoreOptions } from './adapters/lmdb/lmdb-online-store.js';
export type { RetryOptions } from './online/backoff.js';
export { REGISTRY_KEY, readRegistry, registryLocation, type StoredRegistry } from './registry/registry-file.js';
export { SpillBuckets, unify } from './spill/spill-buckets.js';
export {
  ASOF_ENV,
  readStoreSettings,
  describeConnection,
  type Environment,
  type StoreSettings,
  type StoreSettingsInput,
  type ServiceConnection,
} from './settings/store-settings.js';
export { openCommitCoordinator, openOnlineStore } from './settings/open-from-settings.js';
export type { AwsConnectionOptions, AwsCredentials } from './adapters/aws/client-config.js';
