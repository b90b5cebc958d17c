import {
  ConcurrentCommitError,
  columnValues,
  filterRows,
  formatMicros,
  keyBuckets,
  microsVector,
  readMicrosColumn,
  versionTimeOf,
  type Commit,
  type DataFileEntry,
  type OfflineSnapshot,
  type OfflineStore,
  type Source,
  type SourceSession,
} from '@asof/core';
import { Field, RecordBatch, Schema, Struct, Table, makeData } from 'apache-arrow';
import { primaryKeyOf, relationOf } from './relation.js';

/** The offline-store table that keeps every version of a source's rows. */
export function mirrorName(source: Source): string {
  return `_source.${source.name}`;
}

/** How much of the source a run reads. */
export type ExtractMode = 'full' | 'incremental';

/** Options of {@link mirrorSource}. */
export interface MirrorOptions {
  readonly mode: ExtractMode;
  /** Re-read this far below the last watermark (late commits with an older `updated_at`). Default 5 minutes. */
  readonly overlapMs?: number;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  /** Called after each batch with the rows read so far. */
  readonly onProgress?: (rowsRead: number) => void;
}

/** What one source's extract added to its mirror. */
export interface MirrorResult {
  readonly source: string;
  readonly rowsRead: number;
  readonly versionsAdded: number;
  /** The greatest version time mirrored so far (µs), `null` for an empty source. */
  readonly watermark: bigint | null;
  /** The mirror commit, `null` if nothing new was seen. */
  readonly commit: Commit | null;
}

interface MirrorWatermark {
  readonly versionTime: string;
}

/** How often a mirror append that lost to another run is re-planned before the run fails. */
const MIRROR_ATTEMPTS = 5;

/**
 * Extracts a source (all of it, or what changed since the mirror's
 * watermark minus the overlap) and appends to its mirror the row versions
 * not already there: a version is identified by its primary key and its
 * version time (`updatedAtField`, else the created or event time), so
 * re-reading rows is harmless and a re-run adds nothing. Each mirror row
 * carries `event_ts = created_ts =` its version time, which comes from the
 * source, never from the clock.
 *
 * The append is a diff against the mirror snapshot it read (the versions
 * that snapshot lacks), so it may only become the next version. When
 * another run appended first, the winners' versions are added to the
 * known set (reading only their new files) and the same extract is read
 * again from the session's consistent snapshot, so no version is mirrored
 * twice or lost; after {@link MIRROR_ATTEMPTS} lost races the run fails
 * with `ConcurrentCommitError`, its staged files deleted.
 */
export async function mirrorSource(
  store: OfflineStore,
  session: SourceSession,
  source: Source,
  options: MirrorOptions,
): Promise<MirrorResult> {
  const view = mirrorName(source);
  const pk = primaryKeyOf(source);
  const signal = options.signal;
  let snapshot = await store.snapshot(view, { signal });
  const previous = watermarkOf(snapshot);
  const incremental = options.mode === 'incremental' && previous !== null;
  // The extract's range is fixed by the first snapshot, so a re-planned attempt reads exactly the same rows.
  const seenFrom = incremental ? previous - BigInt(options.overlapMs ?? 5 * 60_000) * 1000n : null;
  const seen = await knownVersions(store, snapshot, snapshot.files, pk, seenFrom, signal);
  for (let attempt = 1; ; attempt++) {
    try {
      return await appendUnseen(store, session, source, options, { snapshot, previous, incremental, seen });
    } catch (error) {
      if (!(error instanceof ConcurrentCommitError) || attempt >= MIRROR_ATTEMPTS) throw error;
      const latest = await store.snapshot(view, { signal });
      const known = new Set(snapshot.files.map((f) => f.path));
      for (const id of await knownVersions(store, latest, latest.files.filter((f) => !known.has(f.path)), pk, seenFrom, signal)) seen.add(id);
      snapshot = latest;
    }
  }
}

/** One attempt of {@link mirrorSource}: the versions of the extract not in `seen`, appended as a diff against `snapshot`. */
async function appendUnseen(
  store: OfflineStore,
  session: SourceSession,
  source: Source,
  options: MirrorOptions,
  plan: { snapshot: OfflineSnapshot; previous: bigint | null; incremental: boolean; seen: ReadonlySet<string> },
): Promise<MirrorResult> {
  const { snapshot, previous, seen } = plan;
  const pk = primaryKeyOf(source);
  const versionColumn = versionTimeOf(source);
  const relation = relationOf(source);
  const common = { batchSize: options.batchSize, signal: options.signal, expectedColumns: source.columns ?? undefined };
  const batches = plan.incremental
    ? session.extractChanges(relation, { ...common, watermarkColumn: versionColumn, since: previous!, overlapMs: options.overlapMs ?? 5 * 60_000 })
    : session.extract(relation, common);

  const writer = store.beginWrite(mirrorName(source), { partitioning: 'month' });
  const added = new Set<string>();
  let rowsRead = 0;
  // Never behind the snapshot's: the mirror's watermark only moves forward, whoever commits.
  let watermark = watermarkOf(snapshot);
  try {
    for await (const batch of batches) {
      rowsRead += batch.numRows;
      const times = readMicrosColumn(batch as unknown as Table, versionColumn);
      const ids = versionIds(batch, pk, times.micros);
      const keep = new Uint8Array(batch.numRows);
      for (let i = 0; i < keep.length; i++) {
        if (times.valid && !times.valid[i]) continue; // a row without a version time cannot be ordered: skipped
        const t = times.micros[i]!;
        if (watermark === null || t > watermark) watermark = t;
        const id = ids[i]!;
        if (seen.has(id) || added.has(id)) continue;
        added.add(id);
        keep[i] = 1;
      }
      const kept = filterRows(withTimes(batch, times.micros), keep);
      if (kept.numRows > 0) await writer.writeBatch(kept, { signal: options.signal });
      options.onProgress?.(rowsRead);
    }
    if (added.size === 0) {
      await writer.abort();
      return { source: source.name, rowsRead, versionsAdded: 0, watermark, commit: null };
    }
    const commit = await writer.commit({
      operation: 'append',
      readVersion: snapshot.version,
      watermark: { versionTime: String(watermark) } satisfies MirrorWatermark,
      signal: options.signal,
    });
    return { source: source.name, rowsRead, versionsAdded: added.size, watermark, commit };
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
}

/** The greatest version time a mirror snapshot records (µs), `null` before its first commit. */
export function watermarkOf(snapshot: OfflineSnapshot): bigint | null {
  return snapshot.watermark === null ? null : BigInt((snapshot.watermark as MirrorWatermark).versionTime);
}

/** Reads every version of a source's mirror (µs times up to `upTo`, inclusive; optionally one bucket of primary keys) as one table, or `null` if it is empty. */
export async function readMirror(
  store: OfflineStore,
  source: Source,
  options: { upTo?: bigint; signal?: AbortSignal; bucket?: { readonly index: number; readonly of: number }; snapshot?: OfflineSnapshot } = {},
): Promise<Table | null> {
  const batches: RecordBatch[] = [];
  const end = options.upTo === undefined ? undefined : formatMicros(options.upTo + 1n);
  const pk = options.bucket ? primaryKeyOf(source) : [];
  for await (const batch of store.scan(mirrorName(source), { snapshot: options.snapshot, eventTimeRange: end ? { end } : undefined, signal: options.signal })) {
    if (!options.bucket) {
      batches.push(batch);
      continue;
    }
    // One bucket of primary keys: every version of a key lands in the same bucket.
    const buckets = keyBuckets(batch as unknown as Table, pk, options.bucket.of);
    const keep = Uint8Array.from(buckets, (b) => (b === options.bucket!.index ? 1 : 0));
    const kept = filterRows(batch, keep);
    if (kept.numRows > 0) batches.push(kept);
  }
  return batches.length === 0 ? null : new Table(batches);
}

/** The version ids in some files of a mirror snapshot (those with version time `>= from`). */
async function knownVersions(
  store: OfflineStore,
  snapshot: OfflineSnapshot,
  files: readonly DataFileEntry[],
  pk: readonly string[],
  from: bigint | null,
  signal?: AbortSignal,
): Promise<Set<string>> {
  const seen = new Set<string>();
  if (files.length === 0) return seen;
  const range = from === null ? undefined : { start: formatMicros(from) };
  const only = files === snapshot.files ? snapshot : Object.freeze({ ...snapshot, files });
  for await (const batch of store.scan(snapshot.view, { snapshot: only, eventTimeRange: range, columns: [...pk, 'event_ts'], signal })) {
    const times = readMicrosColumn(batch as unknown as Table, 'event_ts').micros;
    for (const id of versionIds(batch, pk, times)) seen.add(id);
  }
  return seen;
}

function versionIds(batch: RecordBatch, pk: readonly string[], times: BigInt64Array): string[] {
  const keys = pk.map((k) => {
    const column = batch.getChild(k);
    if (!column) throw new Error(`primary key column '${k}' is missing from the extract`);
    return columnValues(column, k);
  });
  return Array.from(times, (t, i) => `${keys.map((values) => String(values[i])).join('\u0000')}\u0000${t}`);
}

function withTimes(batch: RecordBatch, micros: BigInt64Array): RecordBatch {
  const time = microsVector(micros).data[0]!;
  // A separate buffer for each column: arrow's IPC writer mis-writes one Data shared by two columns.
  const created = microsVector(micros.slice()).data[0]!;
  const fields = [...batch.schema.fields.filter((f) => f.name !== 'event_ts' && f.name !== 'created_ts')];
  const children = fields.map((f) => batch.getChild(f.name)!.data[0]!);
  const schema = new Schema([...fields, new Field('event_ts', time.type, false), new Field('created_ts', time.type, true)]);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children: [...children, time, created] }));
}
