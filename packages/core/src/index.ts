/**
 * @asof/core: feature definitions, dtypes, the registry and the
 * point-in-time join engine. No I/O; depends on apache-arrow only.
 */
export * from './errors.js';
export * from './dtypes.js';
export { Decimal, isDecimal, type DecimalInput, type RoundingMode } from './decimal.js';
export { toEpochMicros, parseIsoMicros, formatMicros, microsToDate, type TimeInput } from './time/timestamp.js';
export { toMillis, formatDuration, type DurationInput } from './time/duration.js';
export { daysFromCivil, civilFromDays, floorDiv } from './time/civil.js';
export { readMicrosColumn, readMicrosVector, microsVector, TIMESTAMP_US_UTC, type MicrosColumn } from './arrow/time-column.js';
export * from './definitions/aggregation.js';
export { pointInTimeJoin, chooseRows } from './join/point-in-time-join.js';
export { timelineRows, timelineRowsPerEntity, type TimelineRowsOptions, type TimelineRowsPerEntityOptions } from './join/online-timeline.js';
export { latestAtOrBefore, timelineAnswerAt, type TimelineAnswer } from './join/timeline-at.js';
export { keyBuckets, groupByBucket } from './arrow/key-buckets.js';
export { keyGroups, type KeyGroups } from './arrow/key-groups.js';
export type { PointInTimeJoinOptions } from './join/options.js';
export { applyLookup, lookupRows, type LookupJoin, type LookupCounts, type LookupResult, type LookupOptions } from './join/lookup.js';
export type { Lookup, ResolvedLookup, BeforeHistoryPolicy, LookupBasis } from './definitions/lookup.js';
export { versionTimeOf, BEFORE_HISTORY_POLICIES, LOOKUP_BASES } from './definitions/lookup.js';
export {
  defineEntity,
  isEntity,
  JOIN_KEY_KINDS,
  type Entity,
  type AnyEntity,
  type EntityConfig,
  type JoinKeys,
  type KeyDType,
  type InferEntityKey,
} from './definitions/entity.js';
export {
  mysqlTable,
  mysqlQuery,
  parquetSource,
  csvSource,
  isSource,
  type Source,
  type SourceKind,
  type SourceBase,
  type SourceColumns,
  type SourceOptions,
  type MysqlSourceOptions,
  type MysqlTableSource,
  type MysqlQuerySource,
  type ParquetSource,
  type CsvSource,
} from './definitions/source.js';
export {
  defineFeatureView,
  isFeatureView,
  DEFAULT_ONLINE_HORIZON_MS,
  type FeatureView,
  type FeatureViewBase,
  type AnyFeatureView,
  type FeatureViewConfig,
  type RowTransform,
  type FeatureTransform,
} from './definitions/feature-view.js';
export { isFeatureRef, parseQualifiedName, type FeatureRef, type AnyFeatureRef, type RefTarget } from './definitions/feature-ref.js';
export {
  defineFeatureService,
  isFeatureService,
  type FeatureService,
  type AnyFeatureService,
  type FeatureServiceConfig,
  type ServiceItem,
} from './definitions/feature-service.js';
export { RESERVED_COLUMNS } from './definitions/names.js';
export type {
  FeatureSpec,
  FeatureSpecs,
  SpecValue,
  Flatten,
  JoinKeysOf,
  InferFeatureRow,
  InferFeatureValue,
  InferRefValue,
  InferKeyRow,
  InferFeatureValues,
} from './definitions/infer.js';
export { joinViews, QUALIFIER, type ViewRows, type JoinViewsOptions } from './join/join-views.js';
export { Registry, createRegistry, type RegistryDefinition } from './registry/registry.js';
export { diffRegistries, findRenames, type RegistryDiff, type RegistryDiffWithRenames, type ChangedView, type RenamedView } from './registry/diff.js';
export { hashFeatureView } from './registry/view-hash.js';
export { canonicalJson } from './registry/canonical-json.js';
export type { FeatureReference, ResolvedFeature } from './registry/resolve.js';
export {
  REGISTRY_FORMAT,
  REGISTRY_VERSION,
  type RegistryDocument,
  type EntityJson,
  type SourceJson,
  type FeatureViewJson,
  type FeatureServiceJson,
  type FeatureJson,
  type LookupJson,
  type PredicateJson,
  type ScalarJson,
  type ColumnJson,
  type DTypeJson,
} from './registry/document.js';
export { evaluateWindows, type EvaluateWindowsOptions } from './window/evaluate-windows.js';
export { gather } from './arrow/gather.js';
export type { ObjectStore, ObjectInfo, IoOptions, CommitCoordinator } from './interfaces/object-store.js';
export type { LeaseStore, Lease } from './interfaces/lease.js';
export type { AdapterDescriptor, AdapterOpener, AdapterKinds, AdapterKind, ObjectRoot } from './composition/adapter.js';
export { AdapterRegistry, schemeOf, redactUrl, type ResolveOptions } from './composition/adapter-registry.js';
export { COMMIT_FORMAT, type Commit, type CommitOperation, type CommitInterval, type DataFileEntry, type RetentionMark, type WriterInfo } from './interfaces/offline-commit.js';
export type { OfflineStore, OfflineSnapshot, OfflineWriter, SnapshotOptions, ScanOptions, WriteOptions, CommitMetadata, CommitRequest, WrittenFile, TimeInterval, CompactOptions, RetentionPolicy, VacuumOptions, VacuumResult } from './interfaces/offline-store.js';
export {
  toOnlineView,
  type OnlineStore,
  type OnlineView,
  type OnlineViewInput,
  type OnlineKey,
  type OnlineWriteStatus,
  type OnlineWriteResult,
  type OnlineWriteOptions,
  type OnlineTimelineOptions,
  type OnlineTimelineWriteResult,
  type OnlineStoredTimeline,
  type OnlineItemLimits,
  type OnlineReadOptions,
  type OnlineFeatureStatus,
  type OnlineReadResult,
  type OnlineRow,
} from './interfaces/online-store.js';
export {
  isQueryRelation,
  describeRelation,
  type Relation,
  type TableRelation,
  type QueryRelation,
  type SourceColumn,
  type ExtractOptions,
  type IncrementalOptions,
  type SourceSession,
  type SourceConnector,
  type SourceSnapshotOptions,
} from './interfaces/source.js';
export { describeSourceIdentity, type SourceIdentity, type SourceIdentityOptions } from './interfaces/source-identity.js';
export type { Capture, CaptureUnit, CaptureRunOptions, CapturePosition, ChangeBatch, SourceChanges } from './interfaces/change.js';
export { formatTable, type FormatTableOptions } from './arrow/format-table.js';
export { formatHtmlTable, escapeHtml, type FormatHtmlOptions } from './arrow/format-html.js';
export { diffFeatureRows, sameValue, TOMBSTONE_COLUMN, type DiffFeatureRowsOptions } from './join/diff-rows.js';
export { Instant, dateMicros, plus, daysBetween } from './time/instant.js';
export { checkKeyValue, checkKeyVector, keyTypeText, type KeyCheckContext } from './arrow/key-check.js';
export { tableToRows, rowsToTable, columnValues, inferDType, formatDecimal, parseDecimal, type JsRow } from './arrow/rows.js';
export { decimalAt, writeDecimal } from './window/decimal.js';
export { nullableSchema, typeKey, makeBatch, conformBatch, takeRows, takeTable, filterRows, selectColumns, batchBytes } from './arrow/batch-ops.js';
