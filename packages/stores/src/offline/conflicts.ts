import type { Commit } from '@asof/core';
import { micros } from './commit-codec.js';

/** What a pending commit touches, for conflict checks against commits that won the race. */
export interface CommitFootprint {
  /** Paths the pending commit removes (they must still be visible). */
  readonly removed: ReadonlySet<string>;
  /** For a replace: the event-time interval `[start, end)` whose rows it defines. */
  readonly interval: { readonly start: bigint; readonly end: bigint } | null;
  /** For a retention: its `fullFrom` (µs); the rows before it are the ones it coarsened or dropped. */
  readonly retainedFrom?: bigint | null;
}

/** Why a pending commit cannot simply move to the next version. */
export interface Conflict {
  readonly versions: number[];
  readonly reason: string;
}

/**
 * The rules of optimistic concurrency. A commit that lost the race for a
 * version moves to the next one unless a commit that won:
 * - removed a file this commit removes (it was compacted, replaced or
 *   retired meanwhile), or
 * - for a replace of `[start, end)`: replaced an overlapping interval, or
 *   added rows inside it (the replace would no longer define exactly the
 *   interval's rows);
 * - for a retention: added rows (other than by compacting) older than its
 *   cut-off, which its plan did not coarsen.
 * A plain append never conflicts: it adds rows and removes nothing. A diff
 * append (one with a `readVersion`) is held to the stricter rule of
 * {@link rowChangesSince}.
 */
export function findConflict(footprint: CommitFootprint, winners: readonly Commit[]): Conflict | null {
  const versions: number[] = [];
  const reasons: string[] = [];
  for (const commit of winners) {
    const gone = commit.removed.filter((p) => footprint.removed.has(p));
    if (gone.length > 0) {
      versions.push(commit.version);
      reasons.push(`version ${commit.version} (${commit.operation}) already removed ${gone.length} file(s) this commit removes, e.g. ${gone[0]}`);
      continue;
    }
    const retainedFrom = footprint.retainedFrom ?? null;
    const older = retainedFrom === null || commit.operation === 'compact' ? undefined : commit.added.find((f) => micros(f.minEventTs) < retainedFrom);
    if (older) {
      versions.push(commit.version);
      reasons.push(`version ${commit.version} (${commit.operation}) added rows older than the retention cut-off (${older.path})`);
      continue;
    }
    const interval = footprint.interval;
    if (!interval) continue;
    if (commit.operation === 'replace' && commit.interval && overlaps(micros(commit.interval.start), micros(commit.interval.end), interval)) {
      versions.push(commit.version);
      reasons.push(`version ${commit.version} replaced an overlapping interval concurrently`);
      continue;
    }
    const inside = commit.added.find((f) => micros(f.minEventTs) < interval.end && micros(f.maxEventTs) >= interval.start);
    if (inside) {
      versions.push(commit.version);
      reasons.push(`version ${commit.version} (${commit.operation}) added rows inside the replaced interval (${inside.path})`);
    }
  }
  return versions.length ? { versions, reason: reasons.join('; ') } : null;
}

function overlaps(start: bigint, end: bigint, other: { start: bigint; end: bigint }): boolean {
  return start < other.end && other.start < end;
}

/**
 * The commits after a diff's base that can have changed the rows the diff
 * was computed from: every one but a `compact`, which re-packs rows
 * without changing them or their write order (a diff against N stays
 * valid after it). An append, a replace, a retention and even an empty
 * commit that only records a watermark all count: the writer must look at
 * the new snapshot before it may commit.
 */
export function rowChangesSince(readVersion: number, commits: readonly Commit[]): Commit[] {
  return commits.filter((c) => c.version > readVersion && c.operation !== 'compact');
}

/** How a winner is named in a {@link ConcurrentCommitError}. */
export function describeWinners(winners: readonly Commit[]): string {
  const first = winners[0]!;
  const more = winners.length > 1 ? ` and ${winners.length - 1} more` : '';
  return `${first.operation} at ${first.committedAt}${first.writer.name ? ` by ${first.writer.name}` : ''}${more}`;
}
