/**
 * The offline store's commit log, as stored (DESIGN §5): one JSON document
 * per version at `views/<view>/_log/<20-digit version>.json`. Instants are
 * epoch microseconds (UTC) as decimal strings, since JSON has no int64;
 * `committedAt` is ISO-8601 with microseconds for people reading the log.
 */

/** Marks the document shape; bumped on an incompatible change. */
export const COMMIT_FORMAT = 'asof.commit/1';

/** What a commit did. */
export type CommitOperation = 'append' | 'replace' | 'compact' | 'retention';

/** One immutable Parquet data file, as the log records it. */
export interface DataFileEntry {
  /** Path relative to the view's directory: `data/event_date=2024-03-01/<commitId>-0.parquet`. */
  readonly path: string;
  /** The UTC date of every row's `event_ts`, `YYYY-MM-DD`. */
  readonly partition: string;
  readonly rows: number;
  readonly bytes: number;
  /** Least and greatest `event_ts` (µs), inclusive. */
  readonly minEventTs: string;
  readonly maxEventTs: string;
  /** Least and greatest non-null `created_ts` (µs); `null` if every row's is null. */
  readonly minCreatedTs: string | null;
  readonly maxCreatedTs: string | null;
  /**
   * Write order: readers return files in ascending `seq` (rows keep their
   * order within a file), so "the latest write" among otherwise equal rows
   * stays the latest through compaction and rewrites.
   */
  readonly seq: string;
  /** Written by retention's coarsening step: at most one row per entity per month. */
  readonly coarse?: boolean;
}

/** A half-open interval `[start, end)` of event time, in µs. */
export interface CommitInterval {
  readonly start: string;
  readonly end: string;
}

/** What a retention commit kept, so readers can refuse questions it cannot answer. */
export interface RetentionMark {
  /** Full history is kept for `event_ts >= fullFrom` (µs). */
  readonly fullFrom: string;
  /** Between `coarseFrom` and `fullFrom` only the last row per entity per UTC month; before it, nothing. `null`: coarse forever. */
  readonly coarseFrom: string | null;
  /** The entity key columns the coarsening grouped by. */
  readonly keys: readonly string[];
  readonly policy: { readonly fullMs: number; readonly coarseMs: number | null };
}

/** Who wrote a commit, for people debugging a log. */
export interface WriterInfo {
  readonly library: string;
  readonly version: string;
  readonly host: string;
  readonly pid: number;
  /** Free-form, e.g. `materialize --start 2024-01-01` or a worker id. */
  readonly name?: string;
}

/** One version of a view: files added and removed, and what the change covers. */
export interface Commit {
  readonly format: typeof COMMIT_FORMAT;
  readonly view: string;
  /** 1, 2, 3, ... without gaps. */
  readonly version: number;
  /** Unique per commit attempt; prefixes the names of the files it added. */
  readonly commitId: string;
  /** Commit time, ISO-8601 UTC with µs; strictly increasing along the log. */
  readonly committedAt: string;
  readonly operation: CommitOperation;
  /**
   * The version the writer planned against (its removals were live there);
   * for a diff commit, the version its rows were computed against (only
   * compactions may lie between the two).
   */
  readonly readVersion: number;
  readonly added: readonly DataFileEntry[];
  /** Paths (as in {@link DataFileEntry.path}) no longer visible from this version on. */
  readonly removed: readonly string[];
  /** The source watermark or offsets this commit covers, opaque JSON from the writer. */
  readonly watermark: unknown;
  /** The event-time interval a replace rewrote (or a backfill covered). */
  readonly interval: CommitInterval | null;
  /** Hash of the feature view definition the rows were computed with. */
  readonly definitionHash: string | null;
  /** Set on retention commits. */
  readonly retention: RetentionMark | null;
  readonly writer: WriterInfo;
}
