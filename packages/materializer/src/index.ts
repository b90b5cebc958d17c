/**
 * @asof/materializer: sources, transformation, offline and online store
 * writers, the asof CLI. Backends and sources are opened by URL through
 * {@link materializerAdapters}; importing this module loads no source
 * driver and no AWS client (the MySQL source is at `@asof/materializer/mysql`).
 */
// The MySQL adapter's classes and bulk loader load mysql2 when imported: they are at
// @asof/materializer/mysql, and the root keeps only their types and its pure helpers.
export type { MySqlConnector } from './adapters/mysql/connector.js';
export type { MySqlConnectorConfig, MySqlObserver } from './adapters/mysql/config.js';
export type { MySqlWritePool, MySqlExecutor, BulkInsertOptions, UpsertOptions } from './adapters/mysql/bulk-load.js';
export { mysqlRelation } from './adapters/mysql/relation.js';
export { quoteIdentifier } from './adapters/mysql/sql.js';
export { mysqlAdapter } from './adapters/mysql/adapter.js';
export { SOURCE_ADAPTERS, materializerAdapters } from './adapters/adapters.js';
export { checkSchema, formatDType, sameDType } from './sources/check-schema.js';
export { materialize, readView, type MaterializationRequest, type MaterializationResult, type ViewRunResult } from './engine/materialize.js';
export { computeViewRows, emptyRows, EVENT_TS, type VersionReader } from './engine/compute/compute-view.js';
export { readMirror, mirrorName, positionOf, DELETED_FIELD, type MirrorMark } from './engine/mirror/mirror-read.js';
export { mirrorSource, type ExtractMode, type MirrorOptions, type MirrorResult } from './engine/mirror/mirror-source.js';
export { appendChanges, type MirrorAppend, type MirrorAppendOptions } from './engine/mirror/mirror-append.js';
export { applyUnit, type AppliedUnit, type ApplyUnitOptions } from './engine/mirror/apply-unit.js';
export { batchCapture, batchChanges, type BatchCaptureSource, type BatchCaptureOptions } from './engine/capture/batch-capture.js';
export { watermarkPosition, type WatermarkPosition } from './engine/capture/batch-position.js';
export { affectedEntities, type AffectedEntities } from './engine/affected/affected-entities.js';
export { TableSourceConnector, type TableSourceOptions } from './adapters/memory/table-connector.js';
export { readIdentityLog, IDENTITY_LOG, type IdentityLog, type IdentityRecord, type IdentityEvent } from './engine/source-identity/log.js';
export { compareIdentities, type IdentityVerdict } from './engine/source-identity/rule.js';
export type { SourceCheck, SourceCheckStatus } from './engine/source-identity/check.js';
export { latestVersions } from './engine/compute/latest-versions.js';
export { createPipeline, summarize, type DemoRunner, type ExampleLoader } from './engine/create-pipeline.js';
export { createLogger, silentLogger, type Logger, type LoggerOptions, type LogFields, type LogFormat, type LogLevel } from './engine/logger.js';
export { CommandUnavailableError } from './engine/errors.js';
export { runCli, type CliIo } from './cli/run-cli.js';
export { runCliProcess, type CliProcessOptions } from './cli/process-main.js';
export type {
  PipelinePort,
  PipelineTarget,
  RunHooks,
  RunSummary,
  DemoRequest,
  MaterializeRequest,
  IncrementalRequest,
  ExampleLoadRequest,
  ExampleLoadSummary,
} from './engine/pipeline-port.js';
export { readRegistry, writeRegistry, registryText, REGISTRY_KEY } from './cli/registry-file.js';
export { publishOnline, type PublishResult } from './engine/publish/publish-online.js';
export { verifyOnline, type OnlineVerification } from './engine/publish/verify-online.js';
export { latestAt } from './engine/publish/online-rows.js';
export { LookupTally, type LookupSummary } from './engine/compute/lookup-tally.js';
export { readSeedFile } from './seed/read-seed-file.js';
export { seedMirror, type SeedResult } from './seed/seed-mirror.js';
export { SeedFileError } from './seed/seed-file-error.js';
export * from './adapters/debezium/index.js';
