/**
 * @asof/stores: the storage asof runs on. Object stores (a local directory,
 * S3), a DynamoDB commit coordinator for S3 endpoints without
 * put-if-absent, the Parquet offline store built on them (DESIGN §5),
 * leases that keep scheduled runs of a view apart, and the online stores
 * (DynamoDB, embedded LMDB; DESIGN §6).
 * Used by the materializer (writes) and the SDK (reads).
 *
 * Backends are opened by URL through the adapter registry
 * ({@link storeAdapters}: `file:`/paths, `s3:`, `lmdb:`, `dynamodb:`),
 * which loads an adapter's client library only when a URL needs it, so
 * importing this module loads no AWS client and no lmdb. The adapter
 * classes themselves are at `@asof/stores/s3`, `@asof/stores/dynamodb`
 * and `@asof/stores/lmdb`.
 */
export { LocalObjectStore, type LocalObjectStoreOptions } from './adapters/local-fs/local-object-store.js';
export { parseLocalRoot, openLocalRoot } from './adapters/local-fs/local-root.js';
export { parseS3Url, s3Location } from './adapters/s3/s3-url.js';
export { parseDynamoDbUrl } from './adapters/dynamodb/dynamodb-url.js';
export { parseLmdbUrl } from './adapters/lmdb/lmdb-url.js';
export { probePutIfAbsent, type PutIfAbsentProbe } from './adapters/s3/probe-put-if-absent.js';
export { localFsAdapter } from './adapters/local-fs/adapter.js';
export { s3Adapter } from './adapters/s3/adapter.js';
export { lmdbAdapter } from './adapters/lmdb/adapter.js';
export { dynamodbAdapter } from './adapters/dynamodb/adapter.js';
export { STORE_ADAPTERS, storeAdapters } from './adapters/store-adapters.js';
// The adapter classes load their client libraries (the AWS SDK, lmdb) when imported, so the
// root exports only their types; the classes are at @asof/stores/s3, /dynamodb and /lmdb.
export type { S3ObjectStore } from './adapters/s3/s3-object-store.js';
export type { S3ConnectionOptions, S3ObjectStoreOptions, S3TransferOptions } from './adapters/s3/s3-config.js';
export type { DynamoDbCommitCoordinator, DynamoDbCommitCoordinatorOptions } from './adapters/dynamodb/dynamodb-commit-coordinator.js';
export type { DynamoDbLeaseStore, DynamoDbLeaseStoreOptions, DynamoDbLeaseTable } from './adapters/dynamodb/dynamodb-lease-store.js';
export type { DynamoDbOnlineStore, DynamoDbOnlineStoreOptions, CreateOnlineTableOptions } from './adapters/dynamodb/dynamodb-online-store.js';
export type { LmdbOnlineStore, LmdbOnlineStoreOptions } from './adapters/lmdb/lmdb-online-store.js';
export { openOfflineStore, openOfflineRoot, offlineStoreAt, type OpenOfflineStoreOptions } from './offline/open.js';
export { viewCoverage, isViewWatermark, type ViewWatermark, type ViewCoverage, type ViewCoverageOptions, type ComputedRun, type CoveredRange } from './offline/view-coverage.js';
export { ObjectOfflineStore, type ObjectOfflineStoreConfig } from './offline/object-offline-store.js';
export { ExclusiveLog, type ExclusiveLogOptions } from './offline/exclusive-log.js';
export { isInternalTable } from './offline/view-name.js';
export { retentionMark } from './offline/retention.js';
export { encodeParquet, decodeParquet, parquetLayout, type ParquetWriteOptions, type ParquetReadOptions, type ParquetLayout } from './offline/parquet/parquet-codec.js';
export { ObjectLeaseStore, type ObjectLeaseStoreOptions } from './leases/object-lease-store.js';
export { openLeaseStore, type OpenLeaseStoreOptions } from './leases/open-lease-store.js';
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
export { openObjectRoot, openCommitCoordinator, openOnlineStore, defaultOnlineSpec, type OpenWith } from './settings/open-from-settings.js';
export type { AdapterSettings, ConnectionProvenance, DynamoDbConnection } from './settings/adapter-settings.js';
export type { AwsConnectionOptions, AwsCredentials } from './adapters/aws/client-config.js';
