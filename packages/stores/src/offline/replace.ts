import { InvalidInputError, type IoOptions, type OfflineSnapshot, type WrittenFile } from '@asof/core';
import { micros } from './commit-codec.js';
import type { DataFileTarget, FileNamer } from './data-files.js';
import { rewriteFiles, type PlacedFile } from './rewrite.js';

/** What replacing an interval does to the files visible before it. */
export interface ReplacementPlan {
  /** Paths of every file the interval touches. */
  readonly removed: string[];
  /** Files partly inside, rewritten without the interval's rows (at their old write position). */
  readonly rewritten: PlacedFile[];
}

/** Checks that every written file lies inside `[start, end)` (their exact stats say so). */
export function assertInsideInterval(files: readonly WrittenFile[], start: bigint, end: bigint): void {
  for (const f of files) {
    if (micros(f.minEventTs) < start || micros(f.maxEventTs) >= end) {
      throw new InvalidInputError(
        `a replace of [${start}, ${end}) µs may only write rows inside it, but ${f.path} has event_ts from ${f.minEventTs} to ${f.maxEventTs}`,
      );
    }
  }
}

/**
 * Plans the removal of every row with `start <= event_ts < end` from
 * `base`: files wholly inside are removed; files partly inside are removed
 * and rewritten with only their rows outside the interval.
 */
export async function planReplacement(
  target: DataFileTarget,
  namer: FileNamer,
  base: OfflineSnapshot,
  start: bigint,
  end: bigint,
  options: IoOptions,
): Promise<ReplacementPlan> {
  const removed: string[] = [];
  const rewritten: PlacedFile[] = [];
  for (const file of base.files) {
    const min = micros(file.minEventTs);
    const max = micros(file.maxEventTs);
    if (max < start || min >= end) continue;
    removed.push(file.path);
    if (min >= start && max < end) continue;
    const outside = await rewriteFiles(
      target,
      namer,
      [file],
      (_batch, event) => {
        const keep = new Uint8Array(event.length);
        for (let i = 0; i < event.length; i++) keep[i] = event[i]! < start || event[i]! >= end ? 1 : 0;
        return keep;
      },
      { ...options, coarse: file.coarse === true },
    );
    if (outside) rewritten.push(outside);
  }
  return { removed, rewritten };
}
