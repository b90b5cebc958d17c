import { formatDuration, formatMicros, type Commit, type OfflineStore, type RetentionMark } from '@asof/core';
import type { Cell } from '../text-table.js';

/** What one retention commit removed, for `asof compact`'s report. */
export interface RetentionReport {
  readonly view: string;
  /** The retention commit, or `null` if nothing was old enough to remove. */
  readonly version: number | null;
  readonly filesRemoved: number;
  readonly filesAdded: number;
  /** Rows in the files removed minus rows in the files written in their place. */
  readonly rowsRemoved: number;
  readonly mark: RetentionMark;
}

/** Sizes up a retention commit against the version before it (which still lists the removed files). */
export async function reportRetention(store: OfflineStore, view: string, commit: Commit | null, mark: RetentionMark, signal: AbortSignal): Promise<RetentionReport> {
  if (!commit) return { view, version: null, filesRemoved: 0, filesAdded: 0, rowsRemoved: 0, mark };
  const before = await store.snapshot(view, { version: commit.version - 1, signal });
  const rows = new Map(before.files.map((f) => [f.path, f.rows]));
  const removedRows = commit.removed.reduce((n, path) => n + (rows.get(path) ?? 0), 0);
  const addedRows = commit.added.reduce((n, f) => n + f.rows, 0);
  return { view, version: commit.version, filesRemoved: commit.removed.length, filesAdded: commit.added.length, rowsRemoved: removedRows - addedRows, mark: commit.retention ?? mark };
}

/** The retention table's header. */
export const RETENTION_COLUMNS = ['view', 'retention', 'version', 'files -', 'files +', 'rows removed', 'full history since', 'monthly values since'];

/** One row of the retention table: periods as dates with their lengths in days. */
export function retentionRow(r: RetentionReport): Cell[] {
  const { fullMs, coarseMs } = r.mark.policy;
  return [
    r.view,
    r.version === null ? 'nothing to remove' : 'applied',
    r.version,
    r.filesRemoved,
    r.filesAdded,
    r.rowsRemoved,
    `${day(r.mark.fullFrom)} (${formatDuration(fullMs)})`,
    r.mark.coarseFrom === null ? 'forever (no --keep-coarse)' : `${day(r.mark.coarseFrom)} (${formatDuration(coarseMs!)} more)`,
  ];
}

function day(micros: string): string {
  return formatMicros(BigInt(micros)).slice(0, 10);
}
