import type { DataFileEntry, IoOptions, OfflineSnapshot } from '@asof/core';
import type { DataFileTarget, FileNamer } from './data-files.js';
import { rewriteFiles, type PlacedFile } from './rewrite.js';

/** Files a compaction removes and the merged files that replace them. */
export interface CompactionPlan {
  readonly removed: string[];
  readonly added: PlacedFile[];
}

/**
 * Plans a compaction: per partition, runs of consecutive small files
 * (smaller than half the target, consecutive in write order so that "the
 * latest write" keeps its meaning) are packed into bins of at most
 * `targetFileBytes` and each bin of two or more is merged into one file.
 * Rows are copied unchanged. Memory: one bin's rows.
 */
export async function planCompaction(
  target: DataFileTarget,
  namer: FileNamer,
  base: OfflineSnapshot,
  targetFileBytes: number,
  options: IoOptions,
): Promise<CompactionPlan> {
  const removed: string[] = [];
  const added: PlacedFile[] = [];
  for (const bin of smallFileBins(base.files, targetFileBytes)) {
    const merged = await rewriteFiles(target, namer, bin, null, { ...options, coarse: bin.every((f) => f.coarse === true) });
    removed.push(...bin.map((f) => f.path));
    if (merged) added.push(merged);
  }
  return { removed, added };
}

/** The bins to merge: groups of 2+ consecutive small files of one partition, each at most `targetFileBytes`. */
export function smallFileBins(files: readonly DataFileEntry[], targetFileBytes: number): DataFileEntry[][] {
  const byPartition = new Map<string, DataFileEntry[]>();
  for (const f of files) {
    const list = byPartition.get(f.partition);
    if (list) list.push(f);
    else byPartition.set(f.partition, [f]);
  }
  const bins: DataFileEntry[][] = [];
  for (const list of byPartition.values()) {
    let bin: DataFileEntry[] = [];
    let size = 0;
    const close = () => {
      if (bin.length >= 2) bins.push(bin);
      bin = [];
      size = 0;
    };
    for (const f of list) {
      if (f.bytes >= targetFileBytes / 2) {
        close();
        continue;
      }
      if (size + f.bytes > targetFileBytes) close();
      bin.push(f);
      size += f.bytes;
    }
    close();
  }
  return bins;
}
