/**
 * @asof/sdk: features as of any timestamp, for notebooks and scripts.
 * `FeatureStore.open({ root })` reads the registry `asof apply` wrote;
 * training sets (`getHistoricalFeatures`), snapshots (`asOf`), what changed
 * (`compare`) and online lookups (`getOnlineFeatures`) follow DESIGN §3–§4.
 */
export {
  FeatureStore,
  type FeatureStoreOptions,
  type ReadOptions,
  type HistoricalRequest,
  type AsOfRequest,
  type CompareRequest,
  type OnlineRequest,
  type TimeTravelOptions,
} from './feature-store.js';
export { COVERAGE_WARNING_CODES, type CoverageWarning, type CoverageWarningKind } from './coverage.js';
export { Freshness, type ViewFreshness, type FreshRange } from './freshness.js';
export { FeatureTable } from './feature-table.js';
export { OnlineFeatures, type OnlineOption } from './online.js';
export { DEFAULT_TIME_COLUMN, type EntitiesInput } from './entities.js';
export { DEFAULT_MAX_ROWS_IN_MEMORY } from './historical.js';
export type { ChangeWord } from './compare-long.js';
export type {
  FeatureInput,
  FeatureValues,
  FeatureKeys,
  HistoricalRow,
  SnapshotRow,
  CompareRow,
  CompareLongRow,
  ChangeOf,
  FeatureStatuses,
  SpineRow,
} from './types.js';
// Every type of @asof/core (its definitions, dtypes, registry and store
// interfaces run through the signatures above) and the @asof/stores options
// they mention, so a notebook cell's inferred types (tslab emits a
// declaration per cell) can be named through '@asof/sdk' alone, even where
// @asof/core is not a direct dependency of the notebook's project.
export type * from '@asof/core';
export type {
  AwsConnectionOptions,
  AwsCredentials,
  DynamoDbConnection,
  DynamoDbOnlineStoreOptions,
  Environment,
  OpenOfflineStoreOptions,
  ParquetWriteOptions,
  RetryOptions,
  S3ConnectionOptions,
  S3TransferOptions,
} from '@asof/stores';
