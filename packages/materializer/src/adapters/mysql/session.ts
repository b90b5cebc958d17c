/**
 * A read session on one MySQL connection inside a consistent-snapshot
 * transaction: describes relations and streams them as record batches.
 */
import type { RecordBatch } from 'apache-arrow';
import {
  describeRelation,
  InvalidInputError,
  parseIsoMicros,
  type ExtractOptions,
  type IncrementalOptions,
  type Relation,
  type SourceColumn,
  type SourceSession,
} from '@asof/core';
import { checkSchema } from '../../sources/check-schema.js';
import { arrowSchema } from './batch-builder.js';
import { streamBatches } from './batch-stream.js';
import type { ConnectionLease } from './connection-lease.js';
import { positiveInt, type ResolvedConfig } from './config.js';
import { describeColumns, findColumn, planResult } from './describe-columns.js';
import { toSourceError } from './driver-errors.js';
import type { QuerySlots } from './query-slots.js';
import { bindOnServer } from './server-binding.js';
import { selectStatement } from './sql.js';
import type { ColumnPlan } from './type-map.js';
import { formatWallMicros } from './value-parsers.js';

/** The server's clock as ISO-8601 UTC with µs (independent of the session's time zone). */
const SNAPSHOT_TIME = "SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ')";

/** What a session borrows from its connector. */
export interface SessionContext {
  readonly config: ResolvedConfig;
  readonly slots: QuerySlots;
  /** Interrupts the statement running on a server thread (from another connection). */
  interrupt(threadId: number): Promise<void>;
}

/** {@link SourceSession} over MySQL; created by `MySqlConnector.snapshot`. */
export class MySqlSession implements SourceSession {
  readonly #lease: ConnectionLease;
  readonly #context: SessionContext;
  readonly #signal: AbortSignal | undefined;
  #busy = false;
  #ended = false;
  #snapshotTime: Promise<bigint> | null = null;

  constructor(lease: ConnectionLease, context: SessionContext, signal: AbortSignal | undefined) {
    this.#lease = lease;
    this.#context = context;
    this.#signal = signal;
  }

  async describe(relation: Relation, options: { readonly signal?: AbortSignal } = {}): Promise<SourceColumn[]> {
    this.#enter();
    try {
      const plans = await this.#describe(relation, this.#merge(options.signal));
      return plans.map(({ name, dtype, nullable, sourceType }) => ({ name, dtype, nullable, sourceType }));
    } finally {
      this.#busy = false;
    }
  }

  extract(relation: Relation, options: ExtractOptions = {}): AsyncIterable<RecordBatch> {
    return this.#read(relation, options, null);
  }

  extractChanges(relation: Relation, options: IncrementalOptions): AsyncIterable<RecordBatch> {
    if (typeof options?.watermarkColumn !== 'string' || typeof options.since !== 'bigint') {
      throw new InvalidInputError('extractChanges needs watermarkColumn (a column name) and since (epoch microseconds as a bigint)');
    }
    if (options.until !== undefined && typeof options.until !== 'bigint') {
      throw new InvalidInputError('extractChanges: until must be epoch microseconds as a bigint');
    }
    const overlapMs = options.overlapMs ?? 0;
    if (!Number.isFinite(overlapMs) || overlapMs < 0) {
      throw new InvalidInputError(`extractChanges: overlapMs must be a non-negative number, got ${overlapMs}`);
    }
    return this.#read(relation, options, options);
  }

  /**
   * The server's clock (`UTC_TIMESTAMP(6)`), read by the first call inside
   * the snapshot's transaction and kept: every read of this session shows
   * the database as of the transaction's consistent snapshot, which began
   * at or before it, so a row the snapshot lacks did not exist then.
   */
  snapshotTime(options: { readonly signal?: AbortSignal } = {}): Promise<bigint> {
    this.#snapshotTime ??= (async () => {
      this.#enter();
      try {
        const [rows] = await this.run(SNAPSHOT_TIME, [], this.#merge(options.signal), true);
        return parseIsoMicros(String((rows as unknown[][])[0]![0]));
      } finally {
        this.#busy = false;
      }
    })();
    return this.#snapshotTime;
  }

  /** Whether an extract is running (started and neither finished nor left). */
  get busy(): boolean {
    return this.#busy;
  }

  /** Ends the session: later calls fail instead of running outside the snapshot. */
  end(): void {
    this.#ended = true;
  }

  async *#read(relation: Relation, options: ExtractOptions, changes: IncrementalOptions | null): AsyncGenerator<RecordBatch, void, undefined> {
    this.#enter();
    try {
      const { config, slots } = this.#context;
      const signal = this.#merge(options.signal);
      const batchSize = positiveInt(options.batchSize ?? config.batchSize, 'batchSize');
      const where = describeRelation(relation);
      // Described first: the drift check, and an explicit projection (FLOAT widened, unsupported types refused before reading).
      const described = await this.#describe(relation, signal);
      if (options.expectedColumns) checkSchema(options.expectedColumns, described, where);
      if (options.columns?.length === 0) throw new InvalidInputError(`${where}: columns is empty; leave it out to read every column`);
      const selected = options.columns ? options.columns.map((name) => findColumn(described, name, where)) : described;
      for (const column of selected) {
        if (column.read === 'unsupported') {
          throw new InvalidInputError(`column '${column.name}' (${column.sourceType}) of ${where}: ${column.unsupported ?? 'unsupported type'}`);
        }
      }
      let watermark: { column: string; after: string; upTo: string | null } | undefined;
      if (changes) {
        const column = findColumn(described, changes.watermarkColumn, where);
        if (column.read !== 'timestamp-utc' && column.read !== 'timestamp-wall') {
          throw new InvalidInputError(`${where}: watermark column '${column.name}' is ${column.sourceType}; it must be DATETIME or TIMESTAMP`);
        }
        // DATETIME compares as wall-clock text in the source zone; TIMESTAMP in the session zone, UTC.
        const wall = (micros: bigint): string =>
          formatWallMicros(column.read === 'timestamp-wall' ? config.clock.toWall(micros) : micros);
        const after = changes.since - BigInt(Math.round((changes.overlapMs ?? 0) * 1000));
        watermark = { column: column.name, after: wall(after), upTo: changes.until === undefined ? null : wall(changes.until) };
      }
      const projection = selected.map((c) => ({ name: c.name, float32: c.float32 === true }));
      const { sql, params } = selectStatement({ relation, columns: projection, watermark });
      const context = { relation: where, clock: config.clock, invalidDates: config.invalidDates };
      const fail = (error: unknown): Error => toSourceError(error, sql, params, config.server);
      const release = await slots.acquire(signal);
      config.observer.queryStarted?.(sql);
      try {
        const text = await bindOnServer(this.#lease.connection, sql, params).catch((error: unknown) => {
          throw fail(error);
        });
        yield* streamBatches({
          connection: this.#lease.core,
          sql: text,
          batchSize,
          signal,
          context,
          plan: (fields) => {
            const plans = planResult(fields, where);
            return { schema: arrowSchema(plans, context), plans };
          },
          interrupt: () => this.#context.interrupt(this.#lease.core.threadId),
          destroy: () => this.#lease.destroy(),
          wrapError: fail,
          onBuffered: config.observer.rowsBuffered,
        });
      } finally {
        config.observer.queryFinished?.(sql);
        release();
      }
    } finally {
      this.#busy = false;
    }
  }

  #describe(relation: Relation, signal: AbortSignal | undefined): Promise<ColumnPlan[]> {
    return describeColumns((...args) => this.run(...args), relation, signal);
  }

  /**
   * Runs one short statement under a concurrency slot, its values always
   * bound by the server: as a prepared statement (binary protocol), or with
   * `text` through {@link bindOnServer} and the text protocol, which is what
   * extracts use (so a description matches the extract exactly), and what
   * statements MySQL cannot prepare (START TRANSACTION) need.
   */
  async run(sql: string, params: unknown[], signal: AbortSignal | undefined, text = false): Promise<[unknown, unknown[]]> {
    const { slots, config } = this.#context;
    const release = await slots.acquire(signal);
    config.observer.queryStarted?.(sql);
    try {
      const { connection } = this.#lease;
      const [rows, fields] = text
        ? await connection.query({ sql: await bindOnServer(connection, sql, params), rowsAsArray: true })
        : await connection.execute({ sql, rowsAsArray: true }, params as never);
      return [rows, fields as unknown[]];
    } catch (error) {
      throw toSourceError(error, sql, params, config.server);
    } finally {
      config.observer.queryFinished?.(sql);
      release();
    }
  }

  #enter(): void {
    if (this.#ended) throw new InvalidInputError('this snapshot has ended; read inside the snapshot() callback, or open a new snapshot');
    if (this.#lease.destroyed) {
      throw new InvalidInputError('this snapshot lost its connection (a stopped statement did not end in time); open a new snapshot');
    }
    if (this.#busy) {
      throw new InvalidInputError(
        'a snapshot session runs one statement at a time: finish the running extract (or break out of its loop) before starting another',
      );
    }
    this.#busy = true;
  }

  #merge(signal: AbortSignal | undefined): AbortSignal | undefined {
    if (!signal) return this.#signal;
    return this.#signal ? AbortSignal.any([this.#signal, signal]) : signal;
  }
}
