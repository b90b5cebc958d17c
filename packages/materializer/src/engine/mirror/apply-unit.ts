import type { CaptureUnit, OfflineSnapshot, OfflineStore, Source } from '@asof/core';
import { appendChanges, type MirrorAppend } from './mirror-append.js';
import { mirrorName } from './mirror-read.js';

/** What applying a unit did: each source's append, and the mirror snapshots pinned after all of them. */
export interface AppliedUnit {
  /** One per source of the unit, in its order. */
  readonly sources: readonly MirrorAppend[];
  /** The snapshot of each pinned source's mirror, read once every append of the unit landed. */
  readonly snapshots: ReadonlyMap<string, OfflineSnapshot>;
}

/** Options of {@link applyUnit}. */
export interface ApplyUnitOptions {
  /** The sources whose mirrors to pin afterwards (those the views read). */
  readonly pin: readonly Source[];
  readonly signal?: AbortSignal;
  /** Progress of one source: row versions read so far. */
  readonly onProgress?: (source: string, rowsRead: number) => void;
}

/**
 * The mirror stage: appends each source's changes of a unit to its mirror
 * (one commit per source that gained anything, with the capture's
 * position), then pins one snapshot of each mirror the views read, so
 * every later read of the run (each bucket, each lookup) sees one version
 * of each, and a concurrent run's appends cannot leak into half of a
 * computation.
 */
export async function applyUnit(store: OfflineStore, unit: CaptureUnit, options: ApplyUnitOptions): Promise<AppliedUnit> {
  const sources: MirrorAppend[] = [];
  for (const changes of unit.sources) {
    sources.push(await appendChanges(store, changes, { signal: options.signal, onProgress: (rows) => options.onProgress?.(changes.source.name, rows) }));
  }
  const snapshots = new Map<string, OfflineSnapshot>();
  for (const source of options.pin) snapshots.set(source.name, await store.snapshot(mirrorName(source), { signal: options.signal }));
  return { sources, snapshots };
}
