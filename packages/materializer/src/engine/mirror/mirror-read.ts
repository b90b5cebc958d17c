import { filterRows, formatMicros, keyBuckets, TOMBSTONE_COLUMN, type CapturePosition, type OfflineSnapshot, type OfflineStore, type Source } from '@asof/core';
import { Bool, Field, Table, type RecordBatch } from 'apache-arrow';
import { watermarkPosition } from '../capture/batch-position.js';
import { primaryKeyOf } from '../relation.js';

/** The offline-store table that keeps every version of a source's rows. */
export function mirrorName(source: Source): string {
  return `_source.${source.name}`;
}

/**
 * The mirror's delete flag (`TOMBSTONE_COLUMN`): `true` on a delete
 * version. Files written before deletes were mirrored lack it; every read
 * of a mirror ensures it, so those rows read as null: not deleted.
 */
export const DELETED_FIELD = new Field(TOMBSTONE_COLUMN, new Bool(), true);

/**
 * What each mirror commit records as its watermark: `versionTime`, the
 * greatest version time mirrored so far, deletes included (µs, the
 * knowledge time of the views that read the source), and `position`, where
 * the capture that fed it had read up to (opaque to the engine).
 */
export interface MirrorMark {
  readonly versionTime: string;
  readonly position?: CapturePosition;
}

/** The greatest version time a mirror snapshot records (µs), `null` before its first commit. */
export function watermarkOf(snapshot: OfflineSnapshot): bigint | null {
  return snapshot.watermark === null ? null : BigInt((snapshot.watermark as MirrorMark).versionTime);
}

/**
 * The capture position a mirror snapshot records, `null` before its first
 * commit. Marks written before positions were recorded all came from batch
 * extracts, whose position is their watermark.
 */
export function positionOf(snapshot: OfflineSnapshot): CapturePosition | null {
  const mark = snapshot.watermark as MirrorMark | null;
  if (mark === null) return null;
  return mark.position !== undefined ? mark.position : watermarkPosition(BigInt(mark.versionTime));
}

/** Options of {@link readMirror}. */
export interface ReadMirrorOptions {
  /** Only versions with version time at or before this (µs). */
  readonly upTo?: bigint;
  readonly signal?: AbortSignal;
  /** One bucket of primary keys: every version of a key lands in the same bucket. */
  readonly bucket?: { readonly index: number; readonly of: number };
  /** The snapshot to read (default: the latest). */
  readonly snapshot?: OfflineSnapshot;
}

/**
 * Every version of a source's mirror (deletes included, `_asof_deleted`
 * on every row) as one table, or `null` if it is empty.
 */
export async function readMirror(store: OfflineStore, source: Source, options: ReadMirrorOptions = {}): Promise<Table | null> {
  const batches: RecordBatch[] = [];
  const end = options.upTo === undefined ? undefined : formatMicros(options.upTo + 1n);
  const pk = options.bucket ? primaryKeyOf(source) : [];
  const scan = store.scan(mirrorName(source), { snapshot: options.snapshot, eventTimeRange: end ? { end } : undefined, ensureColumns: [DELETED_FIELD], signal: options.signal });
  for await (const batch of scan) {
    if (!options.bucket) {
      batches.push(batch);
      continue;
    }
    const buckets = keyBuckets(batch as unknown as Table, pk, options.bucket.of);
    const keep = Uint8Array.from(buckets, (b) => (b === options.bucket!.index ? 1 : 0));
    const kept = filterRows(batch, keep);
    if (kept.numRows > 0) batches.push(kept);
  }
  return batches.length === 0 ? null : new Table(batches);
}
