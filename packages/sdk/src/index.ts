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
} from './feature-store.js';
export { FeatureTable } from './feature-table.js';
export { OnlineFeatures, openOnline, type OnlineOption, type DynamoDbConnection } from './online.js';
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
