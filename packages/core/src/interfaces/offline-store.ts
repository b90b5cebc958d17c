import type { Field, RecordBatch } from 'apache-arrow';
import type { TimeInput } from '../time/timestamp.js';
import type { Commit, CommitOperation, DataFileEntry, RetentionMark } from './offline-commit.js';
import type { IoOptions } from './object-store.js';

/**
 * The offline store (DESIGN §5): per feature view, immutable Parquet files
 * partitioned by event date and an ordered commit log. Every stored row has
 * the view's join keys, `event_ts` and `created_ts` (Timestamp µs UTC) and
 * its features. Readers see whole commits only; any older version stays
 * readable until vacuumed.
 */
export interface OfflineStore {
  /** Where the store lives, e.g. `s3://bucket/prefix` or `/data/asof`. */
  describe(): string;

  /** Names of the views that have a log. */
  views(options?: IoOptions): Promise<string[]>;

  /** The files visible at a version (default: the latest), by replaying the log. */
  snapshot(view: string, options?: SnapshotOptions): Promise<OfflineSnapshot>;

  /** Every commit of a view, oldest first. */
  history(view: string, options?: IoOptions): Promise<readonly Commit[]>;

  /**
   * Streams the rows of a snapshot, a file and a row group at a time (memory
   * stays bounded by one row group). Only files whose stats overlap the
   * filters are opened; rows outside them are filtered out. Batches come in
   * write order and share one schema: the first file's (see
   * `ensureColumns` for columns only later files have).
   */
  scan(view: string, options?: ScanOptions): AsyncIterable<RecordBatch>;

  /** Starts writing files for one commit; nothing is visible until `commit`. */
  beginWrite(view: string, options?: WriteOptions): OfflineWriter;

  /**
   * Idempotent backfill: after this one commit, the view's rows with
   * `event_ts` in `[interval.start, interval.end)` are exactly `batches`'
   * rows (which must all lie inside it). Files wholly inside are removed,
   * files partly inside are rewritten without the interval's rows.
   */
  replaceInterval(
    view: string,
    interval: TimeInterval,
    batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
    options?: CommitMetadata & WriteOptions,
  ): Promise<Commit>;

  /** Merges small files per partition into files near `targetFileBytes`; rows are unchanged. `null`: nothing to do. */
  compact(view: string, options?: CompactOptions): Promise<Commit | null>;

  /** Applies a retention policy as one commit; `null` if it removes nothing. */
  applyRetention(view: string, policy: RetentionPolicy, options?: IoOptions): Promise<Commit | null>;

  /** Deletes files no snapshot within the grace period can need. */
  vacuum(options: VacuumOptions): Promise<VacuumResult>;

  /** Throws the error a commit would throw if this store cannot commit safely (e.g. an S3 endpoint without put-if-absent and no coordinator). */
  assertCanCommit(options?: IoOptions): Promise<void>;
}

/** A half-open event-time interval `[start, end)`. */
export interface TimeInterval {
  readonly start: TimeInput;
  readonly end: TimeInput;
}

/** Which version to read: a number, or the last one committed at or before a time. Default: the latest. */
export interface SnapshotOptions extends IoOptions {
  readonly version?: number;
  readonly asOfCommitTime?: TimeInput;
}

/** The state of a view at one version. */
export interface OfflineSnapshot {
  readonly view: string;
  /** 0 for a view with no commits. */
  readonly version: number;
  /** ISO-8601 commit time of `version`; `null` at version 0. */
  readonly committedAt: string | null;
  /** Visible files in write order (ascending `seq`). */
  readonly files: readonly DataFileEntry[];
  /** Commits 1..version, oldest first. */
  readonly commits: readonly Commit[];
  /** The latest retention applied up to this version. */
  readonly retention: RetentionMark | null;
  /** The watermark of the latest commit that recorded one. */
  readonly watermark: unknown;
}

/** Row and file filters of a scan. */
export interface ScanOptions extends IoOptions {
  /** A snapshot from {@link OfflineStore.snapshot}, or how to select one. Default: the latest. */
  readonly snapshot?: OfflineSnapshot | SnapshotOptions;
  /** Only rows with `start <= event_ts < end` (either bound optional). */
  readonly eventTimeRange?: { readonly start?: TimeInput; readonly end?: TimeInput };
  /** Only rows with `created_ts <= asKnownAt` (null `created_ts` never qualifies). */
  readonly asKnownAt?: TimeInput;
  /** Columns to return (default: all), in this order. */
  readonly columns?: readonly string[];
  /**
   * Columns every batch has although files written before they existed
   * lack them (a source mirror's `_asof_deleted`): null there. Batches
   * otherwise take the first file's schema, so a column only later files
   * have would be left out. A file that has one must have it with this
   * type. With `columns`, only those named there are returned.
   */
  readonly ensureColumns?: readonly Field[];
  /**
   * The earliest instant the caller will evaluate features at. If retention
   * has coarsened or dropped history there, the scan throws `RetentionError`
   * instead of returning rows that would give silently wrong answers.
   */
  readonly historyFrom?: TimeInput;
  /** Called before each data file is opened (progress, tests of pruning). */
  readonly onFileOpened?: (file: DataFileEntry) => void;
}

/** Tuning of the Parquet files a writer produces. */
export interface WriteOptions {
  /** Flush a partition's buffered rows to a file at this many in-memory Arrow bytes (default 64 MiB). */
  readonly flushBytes?: number;
  /** Flush the largest partition when all buffers together exceed this (default 256 MiB). */
  readonly maxBufferedBytes?: number;
  /** Rows per Parquet row group (default 1,048,576; readers hold one row group in memory at a time). */
  readonly rowGroupRows?: number;
  /**
   * Partition files by the UTC `day` (default) or `month` of `event_ts`.
   * Months suit views whose rows spread thinly over a long history (feature
   * change points): fewer, larger files per commit.
   */
  readonly partitioning?: 'day' | 'month';
  /** Free-form writer name recorded in commits. */
  readonly writerName?: string;
}

/** What a commit records besides its files. */
export interface CommitMetadata extends IoOptions {
  /** The source watermark or offsets covered, any JSON value. */
  readonly watermark?: unknown;
  readonly definitionHash?: string;
}

/** A commit of the files an {@link OfflineWriter} wrote. */
export interface CommitRequest extends CommitMetadata {
  readonly operation: CommitOperation;
  /**
   * For `replace`: the interval the written rows replace (they must lie in
   * it); the store removes or rewrites the files it overlaps.
   */
  readonly interval?: TimeInterval;
  /** Paths of files to remove in the same commit; each must be visible at commit time. */
  readonly removes?: readonly string[];
  /** Files written by other writers (shards) to publish in this commit. */
  readonly addFiles?: readonly WrittenFile[];
  /**
   * The snapshot version these rows were computed against, for a commit
   * that is a diff (the rows that differ from what version N shows): it
   * may only become N+1. A commit another writer made after N that can
   * change the visible rows (anything but a `compact`, which only re-packs
   * them) makes this one fail with `ConcurrentCommitError` instead of
   * moving to the next version; recompute against the new snapshot. Omit
   * it for rows valid on any snapshot (a plain append moves past winners).
   */
  readonly readVersion?: number;
  /** Attempts on lost races that do not conflict (default 10). */
  readonly maxAttempts?: number;
}

/** A data file written but not yet committed. */
export type WrittenFile = Omit<DataFileEntry, 'seq'>;

/** Writes the files of one commit. Use once; `commit` or `abort` at the end. */
export interface OfflineWriter {
  readonly view: string;
  /** Unique id of this write; the prefix of its file names. */
  readonly commitId: string;
  /** Buffers rows, split by the UTC date of `event_ts`; flushes files as buffers fill. */
  writeBatch(batch: RecordBatch, options?: IoOptions): Promise<void>;
  /** Writes out every buffer and returns all files written so far (for a sharded commit elsewhere). */
  flush(options?: IoOptions): Promise<readonly WrittenFile[]>;
  /** Flushes, then publishes the files in one commit (retrying lost races that do not conflict). */
  commit(request: CommitRequest): Promise<Commit>;
  /** Deletes the files written so far; nothing becomes visible. */
  abort(): Promise<void>;
}

/** Options of {@link OfflineStore.compact}. */
export interface CompactOptions extends IoOptions {
  /** Aim for files of about this many bytes (default 128 MiB); files at least half as big are left alone. */
  readonly targetFileBytes?: number;
}

/**
 * Full history for `fullMs`, then only the last row per entity (by `keys`)
 * per UTC calendar month for `coarseMs` more (default: forever), then gone.
 */
export interface RetentionPolicy {
  readonly keys: readonly string[];
  readonly fullMs: number;
  readonly coarseMs?: number;
  /** The instant the periods count back from (default: now). */
  readonly now?: TimeInput;
}

/** Options of {@link OfflineStore.vacuum}. */
export interface VacuumOptions extends IoOptions {
  /** Only delete files older than this: orphans by their write time, removed files by the commit that removed them. */
  readonly graceMs: number;
  /** Restrict to these views (default: all). */
  readonly views?: readonly string[];
  /** The clock (default: now); for tests and dry runs. */
  readonly now?: TimeInput;
  /** List what would be deleted without deleting. */
  readonly dryRun?: boolean;
}

/** What vacuum deleted (or would delete). */
export interface VacuumResult {
  readonly deleted: readonly string[];
  readonly bytes: number;
  /** Unreferenced or removed files kept because they are younger than the grace period. */
  readonly keptYoung: number;
}
