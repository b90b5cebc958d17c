import { Field, Schema, type RecordBatch } from 'apache-arrow';
import {
  formatDuration,
  formatMicros,
  readMicrosVector,
  RetentionError,
  SchemaMismatchError,
  StoreReadError,
  toEpochMicros,
  type DataFileEntry,
  type ObjectStore,
  type OfflineSnapshot,
  type ScanOptions,
} from '@asof/core';
import { conformBatch, filterRows, typeKey } from '@asof/core';
import { micros } from './commit-codec.js';
import { readDataFile } from './data-files.js';
import { CREATED_TS, EVENT_TS } from './file-stats.js';
import { dataKey } from './layout.js';

/** Row filters of a scan in µs; `null` = unbounded. */
interface RowFilter {
  readonly start: bigint | null;
  readonly end: bigint | null;
  readonly knownAt: bigint | null;
}

/** Lets a scan explain a missing file (was it vacuumed after a later commit removed it?). */
export type RemovalLookup = (path: string) => Promise<{ version: number; committedAt: string; operation: string } | null>;

/**
 * Streams a snapshot's rows: prunes files by their logged stats, reads the
 * rest one file at a time (the next file is fetched while the current one
 * is decoded), filters rows, projects columns, and gives every batch the
 * schema of the first (plus the `ensureColumns` it lacks, null where a
 * file lacks them).
 */
export async function* scanSnapshot(
  objects: ObjectStore,
  snapshot: OfflineSnapshot,
  options: ScanOptions,
  removedLater: RemovalLookup,
): AsyncIterable<RecordBatch> {
  const view = snapshot.view;
  checkRetention(snapshot, options);
  const filter: RowFilter = {
    start: options.eventTimeRange?.start === undefined ? null : toEpochMicros(options.eventTimeRange.start),
    end: options.eventTimeRange?.end === undefined ? null : toEpochMicros(options.eventTimeRange.end),
    knownAt: options.asKnownAt === undefined ? null : toEpochMicros(options.asKnownAt),
  };
  const files = snapshot.files.filter((f) => mayMatch(f, filter));
  const wanted = options.columns ? [...options.columns] : null;
  const ensure = options.ensureColumns ?? [];
  const optional = ensure.map((f) => f.name);
  const read = wanted && [...new Set([...wanted, ...(filter.start !== null || filter.end !== null ? [EVENT_TS] : []), ...(filter.knownAt !== null ? [CREATED_TS] : [])])];
  let schema: Schema | null = null;
  const fetch = (file: DataFileEntry) => objects.get(dataKey(view, file.path), options).catch((error: unknown) => error as Error);
  let next = files.length > 0 ? fetch(files[0]!) : null;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const bytes = await next!;
    next = i + 1 < files.length ? fetch(files[i + 1]!) : null;
    if (bytes instanceof Error) throw bytes;
    if (bytes === null) await throwMissing(view, file, snapshot, objects, removedLater);
    options.onFileOpened?.(file);
    for await (const batch of readDataFile(objects, view, file, { columns: read ?? undefined, optionalColumns: optional, signal: options.signal, bytes })) {
      const rows = applyFilter(batch, file, filter);
      if (rows.numRows === 0) continue;
      const own = wanted ? projection(rows.schema, wanted, view, ensure) : withEnsured(rows.schema, ensure, view, file.path);
      schema ??= own;
      yield conformBatch(rows, schema, `file ${file.path}`);
    }
  }
}

function mayMatch(file: DataFileEntry, filter: RowFilter): boolean {
  if (filter.start !== null && micros(file.maxEventTs) < filter.start) return false;
  if (filter.end !== null && micros(file.minEventTs) >= filter.end) return false;
  if (filter.knownAt !== null && (file.minCreatedTs === null || micros(file.minCreatedTs) > filter.knownAt)) return false;
  return true;
}

function applyFilter(batch: RecordBatch, file: DataFileEntry, filter: RowFilter): RecordBatch {
  const inside =
    (filter.start === null || micros(file.minEventTs) >= filter.start) && (filter.end === null || micros(file.maxEventTs) < filter.end);
  if (inside && filter.knownAt === null) return batch;
  const keep = new Uint8Array(batch.numRows).fill(1);
  if (!inside) {
    const event = readMicrosVector(batch.getChild(EVENT_TS)!, EVENT_TS).micros;
    for (let i = 0; i < keep.length; i++) {
      const e = event[i]!;
      if ((filter.start !== null && e < filter.start) || (filter.end !== null && e >= filter.end)) keep[i] = 0;
    }
  }
  if (filter.knownAt !== null) {
    const created = readMicrosVector(batch.getChild(CREATED_TS)!, CREATED_TS);
    for (let i = 0; i < keep.length; i++) {
      if ((created.valid && !created.valid[i]) || created.micros[i]! > filter.knownAt) keep[i] = 0;
    }
  }
  return filterRows(batch, keep);
}

function projection(schema: Schema, wanted: readonly string[], view: string, ensure: readonly Field[]): Schema {
  return new Schema(
    wanted.map((name) => {
      const field = schema.fields.find((f) => f.name === name);
      const ensured = ensure.find((f) => f.name === name);
      if (field && ensured) checkEnsured(field, ensured, `view '${view}'`);
      if (field) return field;
      if (ensured) return nullable(ensured);
      throw new SchemaMismatchError(name, `view '${view}' has no column '${name}'; it has ${schema.fields.map((f) => f.name).join(', ')}`);
    }),
  );
}

/** A file's schema with the ensured columns it lacks appended (nullable). */
function withEnsured(schema: Schema, ensure: readonly Field[], view: string, path: string): Schema {
  if (ensure.length === 0) return schema;
  for (const field of ensure) {
    const own = schema.fields.find((f) => f.name === field.name);
    if (own) checkEnsured(own, field, `view '${view}' (file ${path})`);
  }
  const missing = ensure.filter((f) => !schema.fields.some((g) => g.name === f.name));
  return missing.length === 0 ? schema : new Schema([...schema.fields, ...missing.map(nullable)], schema.metadata);
}

function checkEnsured(field: Field, ensured: Field, where: string): void {
  if (typeKey(field.type) !== typeKey(ensured.type)) {
    throw new SchemaMismatchError(field.name, `column '${field.name}' of ${where} is ${typeKey(field.type)}, not the ${typeKey(ensured.type)} the reader expects`);
  }
}

function nullable(field: Field): Field {
  return field.nullable ? field : new Field(field.name, field.type, true, field.metadata);
}

function checkRetention(snapshot: OfflineSnapshot, options: ScanOptions): void {
  const mark = snapshot.retention;
  if (!mark || options.historyFrom === undefined) return;
  const from = toEpochMicros(options.historyFrom);
  if (mark.coarseFrom !== null && from < micros(mark.coarseFrom)) {
    throw new RetentionError(
      snapshot.view,
      `view '${snapshot.view}' keeps no data before ${formatMicros(micros(mark.coarseFrom))} (retention: full history for ${formatDuration(mark.policy.fullMs)}, ` +
        `then monthly last values for ${formatDuration(mark.policy.coarseMs!)}); ${formatMicros(from)} is older`,
    );
  }
  if (from < micros(mark.fullFrom)) {
    throw new RetentionError(
      snapshot.view,
      `view '${snapshot.view}' keeps full history only from ${formatMicros(micros(mark.fullFrom))} (retention: full history for ${formatDuration(mark.policy.fullMs)}); ` +
        `before that only the last value per entity per month, so features as of ${formatMicros(from)} would be wrong`,
    );
  }
}

async function throwMissing(view: string, file: DataFileEntry, snapshot: OfflineSnapshot, objects: ObjectStore, removedLater: RemovalLookup): Promise<never> {
  const removal = await removedLater(file.path);
  if (removal) {
    throw new RetentionError(
      view,
      `version ${snapshot.version} of view '${view}' is no longer readable: its file ${file.path} was removed by version ${removal.version} ` +
        `(${removal.operation} at ${removal.committedAt}) and since vacuumed; time travel reaches only versions whose files are within the vacuum grace period`,
    );
  }
  throw new StoreReadError(`data file ${dataKey(view, file.path)} of view '${view}' (version ${snapshot.version}) is missing from ${objects.describe()}`);
}
