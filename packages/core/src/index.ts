/**
 * @asof/core: feature definitions, dtypes, the registry and the
 * point-in-time join engine. No I/O; depends on apache-arrow only.
 */
export * from './errors.js';
export * from './dtypes.js';
export { toEpochMicros, parseIsoMicros, formatMicros, microsToDate, type TimeInput } from './time/timestamp.js';
export { toMillis, type DurationInput } from './time/duration.js';
export { readMicrosColumn, readMicrosVector, microsVector, TIMESTAMP_US_UTC, type MicrosColumn } from './arrow/time-column.js';
export * from './definitions/aggregation.js';
