import {
  ConcurrentCommitError,
  filterRows,
  InvalidInputError,
  readMicrosColumn,
  versionTimeOf,
  type CapturePosition,
  type Commit,
  type OfflineSnapshot,
  type OfflineStore,
  type SourceChanges,
} from '@asof/core';
import type { Schema, Table } from 'apache-arrow';
import { primaryKeyOf } from '../relation.js';
import { inferDeletes } from './infer-deletes.js';
import { MirrorIndex } from './mirror-index.js';
import { mirrorName, positionOf, watermarkOf, type MirrorMark } from './mirror-read.js';
import { deletedFlags, keyStrings, versionId } from './version-ids.js';
import { VersionKeys } from './version-keys.js';
import { withTimes } from './with-times.js';

/** What one source's changes added to its mirror. */
export interface MirrorAppend {
  readonly source: string;
  /** Row versions the capture delivered (deletes it delivered included). */
  readonly rowsRead: number;
  /** Row versions appended that are not deletes. */
  readonly versionsAdded: number;
  /** Deletes appended: delivered by the capture, or inferred from a snapshot read (keys it lacks). */
  readonly deletesAdded: number;
  /** Keys a snapshot read shows whose latest mirrored version is a later delete: they stay deleted until their next version (see `inferDeletes`). */
  readonly shadowedByDeletes: number;
  /** The greatest version time mirrored so far (µs, deletes included), `null` for an empty source. */
  readonly watermark: bigint | null;
  /** The capture position the mirror records now (with `commit`, or unchanged without one). */
  readonly position: CapturePosition | null;
  /** The mirror commit, `null` if nothing new was seen. */
  readonly commit: Commit | null;
}

/** Options of {@link appendChanges}. */
export interface MirrorAppendOptions {
  readonly signal?: AbortSignal;
  /** Called after each batch with the row versions read so far. */
  readonly onProgress?: (rowsRead: number) => void;
}

/** How often a mirror append that lost to another run is re-planned before the run fails. */
export const MIRROR_ATTEMPTS = 5;

/**
 * Appends one source's changes to its mirror: the row versions the mirror
 * lacks (a version is its primary key, version time and delete flag, so
 * re-read rows are harmless and a re-run adds nothing) and, after a
 * snapshot read that ends at an instant the source vouches for, a delete
 * for every key the mirror holds alive and the snapshot lacks. Each mirror
 * row carries `event_ts = created_ts =` its version time, which comes
 * from the source, never from the clock. The commit records the new
 * watermark and the capture's position.
 *
 * The append is a diff against the mirror snapshot it read, so it may only
 * become the next version. When another run appended first, the winners'
 * versions are added to what is known (reading only their new files) and
 * the changes are read again (`SourceChanges.read` yields the same), so no
 * version is mirrored twice or lost; after {@link MIRROR_ATTEMPTS} lost
 * races it fails with `ConcurrentCommitError`, its staged files deleted.
 */
export async function appendChanges(store: OfflineStore, changes: SourceChanges, options: MirrorAppendOptions = {}): Promise<MirrorAppend> {
  const view = mirrorName(changes.source);
  const pk = primaryKeyOf(changes.source);
  const { signal } = options;
  let snapshot = await store.snapshot(view, { signal });
  const index = await MirrorIndex.load(store, snapshot, pk, { from: changes.versionsAfter, keepVersions: changes.kind === 'snapshot', signal });
  for (let attempt = 1; ; attempt++) {
    try {
      return await appendOnce(store, changes, snapshot, index, options);
    } catch (error) {
      if (!(error instanceof ConcurrentCommitError) || attempt >= MIRROR_ATTEMPTS) throw error;
      const latest = await store.snapshot(view, { signal });
      const known = new Set(snapshot.files.map((f) => f.path));
      await index.add(store, latest, latest.files.filter((f) => !known.has(f.path)), signal);
      snapshot = latest;
    }
  }
}

/** One attempt: the changes not in `index`, appended as a diff against `snapshot`. */
async function appendOnce(store: OfflineStore, changes: SourceChanges, snapshot: OfflineSnapshot, index: MirrorIndex, options: MirrorAppendOptions): Promise<MirrorAppend> {
  const { source } = changes;
  const pk = primaryKeyOf(source);
  const versionColumn = versionTimeOf(source);
  const where = `the changes of source '${source.name}'`;
  const snapshotRead = changes.kind === 'snapshot';
  const writer = store.beginWrite(mirrorName(source), { partitioning: 'month' });
  const added = new Set<string>();
  // A snapshot read: the keys it shows, and the versions it adds (with the mirror's, they say which keys are gone).
  const shown = snapshotRead ? new Set<string>() : null;
  const addedKeys = snapshotRead ? new VersionKeys(pk) : null;
  let rowsRead = 0;
  let versionsAdded = 0;
  let deletesAdded = 0;
  let schema: Schema | null = null;
  let ended: { at: bigint | null } | null = null;
  // Never behind the snapshot's: the mirror's watermark only moves forward, whoever commits.
  let watermark = watermarkOf(snapshot);
  try {
    for await (const item of changes.read({ signal: options.signal })) {
      if (ended) throw new InvalidInputError(`${where} continue after their snapshot-end; a snapshot's rows all come before it`);
      if (item.kind === 'snapshot-end') {
        if (!snapshotRead) throw new InvalidInputError(`${where} are not a snapshot read, but end with snapshot-end`);
        ended = { at: item.at };
        continue;
      }
      const batch = item.rows;
      rowsRead += batch.numRows;
      const times = readMicrosColumn(batch as unknown as Table, versionColumn);
      const keys = keyStrings(batch, pk, where);
      const flags = deletedFlags(batch, where, true);
      const keep = new Uint8Array(batch.numRows);
      for (let i = 0; i < keep.length; i++) {
        if (!flags[i]) shown?.add(keys[i]!);
        if (times.valid && !times.valid[i]) {
          // A version without a version time cannot be ordered: skipped, as ever. A delete without one would be lost silently.
          if (flags[i]) throw new InvalidInputError(`row ${i} of ${where} is a delete with a null '${versionColumn}'; a delete needs its version time`);
          continue;
        }
        const t = times.micros[i]!;
        if (watermark === null || t > watermark) watermark = t;
        const id = versionId(keys[i]!, t, flags[i] === 1);
        if (index.seen.has(id) || added.has(id)) continue;
        added.add(id);
        keep[i] = 1;
        if (flags[i]) deletesAdded++;
        else versionsAdded++;
      }
      const rows = withTimes(batch, times.micros);
      schema ??= rows.schema;
      const kept = filterRows(rows, keep);
      if (kept.numRows > 0) {
        await writer.writeBatch(kept, { signal: options.signal });
        addedKeys?.add(kept);
      }
      options.onProgress?.(rowsRead);
    }
    let shadowed = 0;
    if (ended && ended.at !== null) {
      const inferred = inferDeletes(VersionKeys.table(index.versions(), addedKeys!), shown!, ended.at, source, schema);
      shadowed = inferred.shadowed;
      if (inferred.rows) {
        await writer.writeBatch(inferred.rows, { signal: options.signal });
        deletesAdded += inferred.rows.numRows;
        if (watermark === null || inferred.upTo! > watermark) watermark = inferred.upTo;
      }
    }
    const result = { source: source.name, rowsRead, versionsAdded, deletesAdded, shadowedByDeletes: shadowed, watermark };
    if (versionsAdded + deletesAdded === 0) {
      await writer.abort();
      return { ...result, position: positionOf(snapshot), commit: null };
    }
    const position = changes.position(positionOf(snapshot));
    const mark: MirrorMark = position === null ? { versionTime: String(watermark) } : { versionTime: String(watermark), position };
    const commit = await writer.commit({ operation: 'append', readVersion: snapshot.version, watermark: mark, signal: options.signal });
    return { ...result, position, commit };
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
}

