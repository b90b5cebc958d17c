import type { OfflineStore, Source, SourceSession } from '@asof/core';
import { batchChanges } from '../capture/batch-capture.js';
import { appendChanges, type MirrorAppend } from './mirror-append.js';
import { mirrorName, positionOf } from './mirror-read.js';

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
export type MirrorResult = MirrorAppend;

/**
 * Extracts one source from an open session into its mirror: the batch
 * capture's changes for it (all of it, or what changed since the mirror's
 * watermark less the overlap) through the mirror stage (`appendChanges`).
 * A full extract infers deletes where the session reports its
 * `snapshotTime`. For callers holding a session of their own; a run uses
 * `materialize`, which reads every source in one snapshot.
 */
export async function mirrorSource(store: OfflineStore, session: SourceSession, source: Source, options: MirrorOptions): Promise<MirrorResult> {
  const position = positionOf(await store.snapshot(mirrorName(source), { signal: options.signal }));
  const full = options.mode === 'full' || position === null;
  const at = full && session.snapshotTime ? await session.snapshotTime({ signal: options.signal }) : null;
  const changes = batchChanges(session, { source, mode: options.mode, position }, at, { overlapMs: options.overlapMs, batchSize: options.batchSize });
  return appendChanges(store, changes, { signal: options.signal, onProgress: options.onProgress });
}
