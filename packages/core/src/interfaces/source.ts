/**
 * The contract between the materializer and a source system (MySQL/Aurora
 * today; files and CDC later). A connector opens sessions; a session reads
 * relations as streams of Arrow record batches. Core only declares the
 * shapes: adapters implement them in the materializer, so core never
 * imports a driver.
 */
import type { RecordBatch } from 'apache-arrow';
import type { DType } from '../dtypes.js';
import type { SourceIdentity, SourceIdentityOptions } from './source-identity.js';

/** A table (or view) of the source, by name. Names are quoted by the adapter, never interpreted. */
export interface TableRelation {
  readonly table: string;
  /** The database/schema holding it; default: the connection's database. */
  readonly schema?: string;
}

/**
 * The rows of a `SELECT` statement. Values go in `params` (bound to `?`
 * placeholders), never into the text. The adapter may wrap the statement as a
 * subquery (to project columns or add a watermark filter), so it must be a
 * single SELECT without a trailing `;`.
 */
export interface QueryRelation {
  readonly sql: string;
  readonly params?: readonly unknown[];
  /** Names the query in messages (e.g. the source's name); default `query`. */
  readonly name?: string;
}

/** What a session reads: a table or a query. */
export type Relation = TableRelation | QueryRelation;

/** One column of a relation as the source describes it. */
export interface SourceColumn {
  readonly name: string;
  /** The dtype (and so the Arrow type) the extract produces for it. */
  readonly dtype: DType;
  readonly nullable: boolean;
  /** The source's own spelling of the type, e.g. `decimal(12,2)`, for messages. */
  readonly sourceType: string;
}

/** Options of a full extract. */
export interface ExtractOptions {
  /** Rows per record batch (the last may be shorter); bounds the memory an extract holds. */
  readonly batchSize?: number;
  /** Stops the extract: the iteration rejects with `signal.reason` and the source stops sending. */
  readonly signal?: AbortSignal;
  /** Columns to read, in this order; default: all, in the source's order. */
  readonly columns?: readonly string[];
  /**
   * The schema the caller relies on (a source definition's `columns`). When
   * given, the extract describes the relation first and throws
   * `SchemaMismatchError` for a column that was dropped or changed type,
   * before reading any row. Columns the source added since are fine.
   */
  readonly expectedColumns?: Readonly<Record<string, DType>>;
}

/**
 * Options of an incremental extract: the rows whose watermark column lies in
 * `(since - overlapMs, until]`, ordered by it. The overlap re-reads rows near
 * the previous watermark so that a transaction which committed late, with an
 * older watermark value, is still seen; rows in the overlap are delivered
 * again, so consumers must apply changes idempotently. Rows whose watermark
 * is NULL are never returned.
 */
export interface IncrementalOptions extends ExtractOptions {
  /** A timestamp column that increases on every insert and update (e.g. `updated_at`). */
  readonly watermarkColumn: string;
  /** Exclusive lower bound, epoch microseconds (UTC): the previous run's `until`. */
  readonly since: bigint;
  /** Inclusive upper bound, epoch microseconds (UTC); default: no upper bound. */
  readonly until?: bigint;
  /** How far below `since` to re-read, in milliseconds; default 0. */
  readonly overlapMs?: number;
}

/**
 * Reads from one consistent point in time. Every method may be called any
 * number of times, but one at a time: an extract must be finished (or its
 * iteration ended with `break`/`return`) before the next call.
 */
export interface SourceSession {
  /** The relation's columns, in the source's order, mapped to dtypes. */
  describe(relation: Relation, options?: { readonly signal?: AbortSignal }): Promise<SourceColumn[]>;
  /**
   * Streams every row of the relation as record batches of `batchSize` rows
   * (the last may be shorter; an empty relation yields no batch). Memory is
   * bounded by the batch size, never by the size of the result: the source is
   * paused while the consumer holds a batch. Ending the iteration early stops
   * the query on the source.
   */
  extract(relation: Relation, options?: ExtractOptions): AsyncIterable<RecordBatch>;
  /** Like {@link extract}, restricted to the rows changed in a watermark interval, ordered by the watermark. */
  extractChanges(relation: Relation, options: IncrementalOptions): AsyncIterable<RecordBatch>;
  /**
   * An instant on the source's own clock (epoch µs, UTC) at which every
   * read of this session shows the source: a row this snapshot lacks did
   * not exist then, so a full extract can date the deletes it infers. The
   * first call reads it (call it before extracting; later calls return
   * the same instant). `null`, or no such method, where the source cannot
   * vouch for one: a full extract from it then infers no deletes.
   */
  snapshotTime?(options?: { readonly signal?: AbortSignal }): Promise<bigint | null>;
}

/** Options of {@link SourceConnector.snapshot}. */
export interface SourceSnapshotOptions {
  /** Aborts the snapshot and every extract running in it. */
  readonly signal?: AbortSignal;
}

/**
 * A connection to a source system. Load on the source is bounded by the
 * connector (how many statements run at once, rows per batch), whatever the
 * number of snapshots the caller opens.
 */
export interface SourceConnector {
  /**
   * Runs `fn` with a session whose reads all see the source as of one
   * instant, so several tables extracted in it are mutually consistent. The
   * snapshot ends (and its resources are released) when the promise `fn`
   * returns settles; the result or error of `fn` is passed through.
   */
  snapshot<T>(fn: (session: SourceSession) => Promise<T>, options?: SourceSnapshotOptions): Promise<T>;
  /**
   * Who the source is: its kind, database and answering server, and a stamp
   * per table of `options.relations` that changes when the table is created
   * again. The same source reached under another address spelling or by
   * another user gives the same identity (but for `address`); it never
   * contains credentials. The materializer records it in the root and
   * refuses to extract from another source.
   */
  identity(options?: SourceIdentityOptions): Promise<SourceIdentity>;
  /** Closes every connection; running snapshots fail. Idempotent. */
  close(): Promise<void>;
}

/** Whether a relation is a query (rather than a table). */
export function isQueryRelation(relation: Relation): relation is QueryRelation {
  return typeof (relation as QueryRelation).sql === 'string';
}

/** How messages name a relation: `table 'invoices'`, `table 'trs'.'invoices'`, `query 'late_payers'`. */
export function describeRelation(relation: Relation): string {
  if (isQueryRelation(relation)) return `query '${relation.name ?? 'query'}'`;
  return relation.schema === undefined ? `table '${relation.table}'` : `table '${relation.schema}'.'${relation.table}'`;
}
