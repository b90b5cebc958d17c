/**
 * What a feature view's commit log says it has computed (DESIGN §5: "the
 * root records the range each view is computed over; readers warn past
 * it"). Each run of the materializer records in its commit's watermark the
 * knowledge time it computed at and the event-time interval it wrote; this
 * module derives from those, for any instant `t`, whether `t` was computed
 * and with source changes up to which knowledge time. No I/O: the SDK, the
 * online publish and `verify-online` all read it off a snapshot.
 */
import type { Commit, OfflineSnapshot } from '@asof/core';

/**
 * The watermark of a feature view's commit: what the run that wrote it
 * computed. Instants are epoch µs as decimal strings (JSON has no int64).
 */
export interface ViewWatermark {
  /**
   * The knowledge time the rows were computed at, on the source's clock:
   * the greatest source version time (`updated_at`) the run had mirrored.
   * Source changes after it are not in the rows.
   */
  readonly knownAt: string;
  /** Whether every event time was compared (no `--start/--end` restriction). */
  readonly complete: boolean;
  /**
   * The event-time interval `[start, end)` the run computed and wrote
   * (`null` bounds: unbounded; a `null` interval: all of time). Absent in
   * commits written before it was recorded: then a complete run covers all
   * of time and a restricted one is taken to cover nothing.
   */
  readonly interval?: { readonly start: string | null; readonly end: string | null } | null;
  /**
   * The content version of each source mirror the rows were computed from
   * (its last commit other than a compaction), by source name, so later
   * runs can tell whether the view is up to date and whether their own
   * computation is older. Absent in commits written before it was recorded.
   */
  readonly sources?: Readonly<Record<string, number>>;
}

/** Whether a commit's watermark is a {@link ViewWatermark} (mirror and hand-written commits carry others, or none). */
export function isViewWatermark(value: unknown): value is ViewWatermark {
  if (typeof value !== 'object' || value === null) return false;
  const w = value as Record<string, unknown>;
  return typeof w.knownAt === 'string' && /^-?\d+$/.test(w.knownAt) && typeof w.complete === 'boolean';
}

/** One run that computed rows of a view, as its commit records it. */
export interface ComputedRun {
  readonly version: number;
  /** The commit time (ISO-8601, the store's clock). */
  readonly committedAt: string;
  /** Knowledge time (µs, source clock); see {@link ViewWatermark.knownAt}. */
  readonly knownAt: bigint;
  /** The created time of the rows it wrote (µs): `asKnownAt` below it hides the run. */
  readonly createdAt: bigint;
  /** `[start, end)` of event time it computed, µs; `null`: unbounded. */
  readonly start: bigint | null;
  readonly end: bigint | null;
  /** Computed with no `--start/--end` restriction. */
  readonly complete: boolean;
}

/** A stretch `[start, end)` of event time over which the same run is the latest knowledge. */
export interface CoveredRange {
  /** Inclusive, µs; `null`: from the beginning of time. */
  readonly start: bigint | null;
  /** Exclusive, µs; `null`: to the end of time. */
  readonly end: bigint | null;
  /** The greatest knowledge time among the runs that computed this stretch. */
  readonly knownAt: bigint;
  /** The version of the run that knowledge time comes from. */
  readonly version: number;
}

/** What a view's log says it has computed, at one snapshot (and `asKnownAt`). */
export interface ViewCoverage {
  readonly view: string;
  /** Runs that recorded their computation, oldest first. */
  readonly runs: readonly ComputedRun[];
  /**
   * Commits that added rows without recording a computation (hand-written
   * appends, or logs from before runs recorded one): where they wrote,
   * coverage cannot be told. `recorded` is false when they are all there is.
   */
  readonly unrecorded: number;
  /** Whether any run recorded its computation (else coverage is unknown if `unrecorded > 0`, empty if not). */
  readonly recorded: boolean;
  /** Disjoint, in time order, neighbours of the same run merged. Gaps and the ends outside them were never computed. */
  readonly ranges: readonly CoveredRange[];
  /** Whether every instant was computed (the ranges leave no gap and are unbounded on both sides). */
  readonly complete: boolean;
  /** The least knowledge time over {@link ranges}: every computed instant includes source changes up to at least it. */
  readonly knownAt: bigint | null;
  /** The range that holds `t` (µs), or `null` if `t` was never computed. */
  at(t: bigint): CoveredRange | null;
}

/** Options of {@link viewCoverage}. */
export interface ViewCoverageOptions {
  /** Only runs whose rows are known by then (`created_ts <= asKnownAt`, µs), as a read with `asKnownAt` sees them. */
  readonly asKnownAt?: bigint | null;
}

/**
 * Derives a view's coverage from the commits of a snapshot (a version or a
 * commit time selects which): instant `t` is covered iff some visible run's
 * interval holds it, at the greatest knowledge time among those runs (a
 * later restricted run recomputes only its interval; elsewhere the earlier
 * runs' knowledge stands).
 */
export function viewCoverage(snapshot: Pick<OfflineSnapshot, 'view' | 'commits'>, options: ViewCoverageOptions = {}): ViewCoverage {
  const asKnownAt = options.asKnownAt ?? null;
  const runs: ComputedRun[] = [];
  let unrecorded = 0;
  for (const commit of snapshot.commits) {
    const run = computedRun(commit);
    if (run === null) {
      const wroteRows = (commit.operation === 'append' || commit.operation === 'replace') && commit.added.length > 0;
      if (wroteRows && (asKnownAt === null || commit.added.some((f) => f.minCreatedTs !== null && BigInt(f.minCreatedTs) <= asKnownAt))) unrecorded++;
      continue;
    }
    if (asKnownAt === null || run.createdAt <= asKnownAt) runs.push(run);
  }
  const ranges = paint(runs);
  const gapless = ranges.every((r, i) => (i === 0 ? r.start === null : ranges[i - 1]!.end === r.start)) && ranges.at(-1)?.end === null;
  let knownAt: bigint | null = null;
  for (const r of ranges) if (knownAt === null || r.knownAt < knownAt) knownAt = r.knownAt;
  return Object.freeze({
    view: snapshot.view,
    runs: Object.freeze(runs),
    unrecorded,
    recorded: runs.length > 0,
    ranges: Object.freeze(ranges),
    complete: gapless,
    knownAt,
    at: (t: bigint) => rangeAt(ranges, t),
  });
}

/** The run a commit records, or `null` if it records none. */
function computedRun(commit: Commit): ComputedRun | null {
  if (!isViewWatermark(commit.watermark)) return null;
  const w = commit.watermark;
  const knownAt = BigInt(w.knownAt);
  let createdAt: bigint | null = null;
  for (const f of commit.added) if (f.maxCreatedTs !== null && (createdAt === null || BigInt(f.maxCreatedTs) > createdAt)) createdAt = BigInt(f.maxCreatedTs);
  let start: bigint | null;
  let end: bigint | null;
  if (w.interval !== undefined) [start, end] = w.interval === null ? [null, null] : [bound(w.interval.start), bound(w.interval.end)];
  else if (w.complete) [start, end] = [null, null];
  else if (commit.interval) [start, end] = [BigInt(commit.interval.start), BigInt(commit.interval.end)];
  else return null; // a restricted run from before intervals were recorded: what it covered is unknown
  if (start !== null && end !== null && start >= end) return null;
  return { version: commit.version, committedAt: commit.committedAt, knownAt, createdAt: createdAt ?? knownAt, start, end, complete: w.complete };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A recorded bound; the int64 extremes mean unbounded (a retention-clipped complete run records `[fullFrom, 2^63-1)`). */
function bound(text: string | null): bigint | null {
  if (text === null) return null;
  const v = BigInt(text);
  return v <= INT64_MIN || v >= INT64_MAX ? null : v;
}

/**
 * The covered ranges: the runs' bounds cut time into elementary segments;
 * runs in decreasing knowledge time (ties: the later version) paint the
 * segments no run has painted yet, so each segment gets the greatest
 * knowledge time that covers it. A "next unpainted" array with path
 * halving keeps it O(r log r) for r runs.
 */
function paint(runs: readonly ComputedRun[]): CoveredRange[] {
  const cuts = [...new Set(runs.flatMap((r) => [r.start, r.end]).filter((b): b is bigint => b !== null))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // Segment i is [cuts[i-1], cuts[i]), with cuts[-1] = -inf and cuts[n] = +inf.
  const segments = cuts.length + 1;
  const index = new Map(cuts.map((c, i) => [c, i]));
  const owner = new Array<ComputedRun | null>(segments).fill(null);
  const next = Int32Array.from({ length: segments + 1 }, (_, i) => i);
  const find = (i: number): number => {
    while (next[i] !== i) {
      next[i] = next[next[i]!]!;
      i = next[i]!;
    }
    return i;
  };
  const order = [...runs].sort((a, b) => (a.knownAt !== b.knownAt ? (a.knownAt > b.knownAt ? -1 : 1) : b.version - a.version));
  for (const run of order) {
    const from = run.start === null ? 0 : index.get(run.start)! + 1;
    const to = run.end === null ? segments : index.get(run.end)! + 1;
    for (let i = find(from); i < to; i = find(i)) {
      owner[i] = run;
      next[i] = i + 1;
    }
  }
  const ranges: CoveredRange[] = [];
  for (let i = 0; i < segments; i++) {
    const run = owner[i];
    if (!run) continue;
    const start = i === 0 ? null : cuts[i - 1]!;
    const end = i === segments - 1 ? null : cuts[i]!;
    const last = ranges[ranges.length - 1];
    if (last && last.end === start && last.version === run.version) ranges[ranges.length - 1] = { ...last, end };
    else ranges.push({ start, end, knownAt: run.knownAt, version: run.version });
  }
  return ranges.map((r) => Object.freeze(r));
}

function rangeAt(ranges: readonly CoveredRange[], t: bigint): CoveredRange | null {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (r.end !== null && t >= r.end) lo = mid + 1;
    else hi = mid;
  }
  const r = ranges[lo];
  return r && (r.start === null || t >= r.start) && (r.end === null || t < r.end) ? r : null;
}
