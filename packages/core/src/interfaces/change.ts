/**
 * The change model (DESIGN §7: "every source yields the same thing to the
 * engine: row versions and deletes with a position"). A capture reads a
 * source system and hands the engine units of changes; the engine appends
 * each unit's row versions and deletes to the source mirrors, recording
 * the position the capture reached, then recomputes and publishes.
 *
 * A batch extract over a `SourceConnector` is one capture (one unit
 * per run, read inside one consistent snapshot); a change stream (the
 * MySQL binlog, Debezium envelopes on Kafka) is another: a unit per
 * micro-batch, for as long as it runs. docs/design/engine.md shows where
 * each plugs in.
 */
import type { RecordBatch } from 'apache-arrow';
import type { Source } from '../definitions/source.js';

/**
 * Where a capture has read a source up to: opaque JSON that only the
 * capture interprets, recorded with each mirror commit and handed back to
 * the capture when the next run resumes. A batch extract's position is
 * its watermark (`{ watermark: "<µs>" }`, the greatest version time read
 * from the source); a binlog reader's would be a file and offset or a
 * GTID set, a Kafka consumer's its offsets. Resuming from a recorded
 * position must be idempotent: the mirror skips every version it already
 * holds (same primary key, version time and delete flag), so a capture
 * may deliver versions again.
 */
export type CapturePosition = null | boolean | number | string | readonly CapturePosition[] | { readonly [key: string]: CapturePosition };

/**
 * One item of a source's changes within a unit:
 *
 * - `versions`: row versions, a record batch with the source's columns
 *   (its declared ones with their exact dtypes, others as the source gives
 *   them), the source's version-time column (`versionTimeOf(source)`)
 *   non-null on every row, and a non-null Bool column `_asof_deleted`
 *   (`TOMBSTONE_COLUMN`). `true` says the row with this primary key was
 *   deleted at that version time; only the primary key and the version
 *   time need values then.
 * - `snapshot-end`: the preceding versions of a `snapshot` read are every
 *   row the source held at instant `at` (the source's clock, µs), so a
 *   primary key the mirror holds alive and the snapshot lacks was deleted
 *   by then. `at` is `null` when the source cannot vouch for an instant:
 *   then nothing is concluded about missing keys.
 */
export type ChangeBatch =
  | { readonly kind: 'versions'; readonly rows: RecordBatch }
  | { readonly kind: 'snapshot-end'; readonly at: bigint | null };

/** The changes of one source within a {@link CaptureUnit}. */
export interface SourceChanges {
  readonly source: Source;
  /**
   * `snapshot`: a read of every row of the source (a full extract, a
   * stream's initial snapshot), ending with `snapshot-end`; `changes`: the
   * rows that changed in some range (a watermark extract, stream events),
   * which says nothing about rows it does not contain. Incremental
   * watermark extracts cannot see deletes at all.
   */
  readonly kind: 'snapshot' | 'changes';
  /**
   * Every version `read` yields has a version time after this instant
   * (µs), so the mirror need only compare it with the versions it holds
   * after it; `null` when versions of any age may come.
   */
  readonly versionsAfter: bigint | null;
  /**
   * Streams the changes. It may be called again within the unit and then
   * yields the same changes: the mirror re-reads them after losing a
   * commit race to another run (a batch extract re-reads its snapshot; a
   * stream keeps its micro-batch). Bounded memory: a batch at a time.
   */
  read(options?: { readonly signal?: AbortSignal }): AsyncIterable<ChangeBatch>;
  /**
   * The position reached once these changes are applied on top of a
   * mirror whose last commit recorded `recorded` (positions never move
   * back, whoever committed last). Call it after a complete `read`.
   */
  position(recorded: CapturePosition | null): CapturePosition | null;
}

/** What the engine applies and commits as one step: the changes of some sources, each read to the same point. */
export interface CaptureUnit {
  readonly sources: readonly SourceChanges[];
}

/** Options of {@link Capture.run}. */
export interface CaptureRunOptions {
  /** Stops the capture; `run` rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/**
 * A source of units. `run` calls `apply` for each unit in order, waiting
 * for it (a unit's reads are valid only while `apply` runs: a batch
 * extract's snapshot closes after it), and returns when the capture ends:
 * after one unit for a batch extract, never for a stream until `signal`
 * aborts. A unit `apply` rejects is not acknowledged: `run` rejects with
 * that error, and a stream resumes from the positions the mirrors recorded.
 */
export interface Capture {
  run(apply: (unit: CaptureUnit) => Promise<void>, options?: CaptureRunOptions): Promise<void>;
}
