/**
 * One streaming SELECT as an async iterable of record batches, with
 * backpressure down to the socket: once a batch is complete and the consumer
 * has not taken it, the connection is paused (mysql2 then queues packets
 * instead of parsing them and stops reading the socket, so TCP flow control
 * holds the server back). The rows held here never exceed one batch.
 */
import type { EventEmitter } from 'node:events';
import type { RecordBatch, Schema } from 'apache-arrow';
import { BatchBuilder, type BuildContext } from './batch-builder.js';
import type { ColumnPlan, WireField } from './type-map.js';

/** The parts of mysql2's callback connection a stream drives. */
export interface StreamConnection extends EventEmitter {
  query(options: { sql: string; rowsAsArray: boolean }): EventEmitter;
  pause(): void;
  resume(): void;
}

/** Everything {@link streamBatches} needs. */
export interface StreamRequest {
  readonly connection: StreamConnection;
  /** Run with the text protocol and no values (see server-binding.ts for how values are bound). */
  readonly sql: string;
  readonly batchSize: number;
  readonly signal: AbortSignal | undefined;
  readonly context: BuildContext;
  /** Maps the result's columns to plans; throws if one cannot be read. */
  readonly plan: (fields: readonly WireField[]) => { schema: Schema; plans: ColumnPlan[] };
  /** Interrupts the statement on the server (KILL QUERY) so an early stop does not read the rest. */
  readonly interrupt: () => Promise<void>;
  /** Gives up on the connection when an interrupted statement does not end in time. */
  readonly destroy: () => void;
  readonly wrapError: (error: unknown) => Error;
  readonly onBuffered?: (rows: number) => void;
}

/** How long a stopped statement may take to end before its connection is dropped. */
const STOP_TIMEOUT_MS = 5000;

/** Runs the statement and yields its rows as batches of `batchSize` (the last may be shorter). */
export async function* streamBatches(request: StreamRequest): AsyncGenerator<RecordBatch, void, undefined> {
  const { connection, batchSize, signal, context } = request;
  request.signal?.throwIfAborted();
  const ready: RecordBatch[] = [];
  let readyRows = 0;
  let builder: BatchBuilder | null = null;
  let shape: { schema: Schema; plans: ColumnPlan[] } | null = null;
  let ended = false;
  let serverError: unknown;
  let failure: unknown;
  let paused = false;
  let stopping = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const report = (): void => request.onBuffered?.(readyRows + (builder?.length ?? 0));
  const fail = (error: unknown): void => {
    if (failure === undefined) failure = error;
    notify();
  };

  const command = connection.query({ sql: request.sql, rowsAsArray: true });
  command.on('fields', (fields: WireField[]) => {
    try {
      shape = request.plan(fields);
      builder = new BatchBuilder(shape.schema, shape.plans, batchSize, context);
    } catch (error) {
      fail(error);
    }
  });
  command.on('result', (row: unknown[]) => {
    // After a failure or a stop, the remaining rows are only drained.
    if (failure !== undefined || stopping || builder === null) return;
    try {
      builder.push(row);
    } catch (error) {
      fail(error);
      return;
    }
    if (builder.length === batchSize) {
      ready.push(builder.finish());
      readyRows += batchSize;
      builder = new BatchBuilder(shape!.schema, shape!.plans, batchSize, context);
      report();
      if (!paused) {
        paused = true;
        connection.pause();
      }
      notify();
    }
  });
  command.on('error', (error: unknown) => {
    if (serverError === undefined) serverError = error;
  });
  command.on('end', () => {
    ended = true;
    notify();
  });
  // A lost connection is reported on the connection, not on a command without a callback.
  const onConnectionError = (error: unknown): void => {
    if (serverError === undefined) serverError = error;
    ended = true;
    notify();
  };
  connection.on('error', onConnectionError);
  const onAbort = (): void => notify();
  signal?.addEventListener('abort', onAbort);

  try {
    for (;;) {
      signal?.throwIfAborted();
      if (failure !== undefined) throw failure;
      const batch = ready.shift();
      if (batch !== undefined) {
        readyRows -= batch.numRows;
        // Fetch the next batch while the consumer works on this one.
        if (ready.length === 0 && paused && !ended) {
          paused = false;
          connection.resume();
        }
        report();
        yield batch;
        continue;
      }
      if (ended) {
        if (serverError !== undefined) throw request.wrapError(serverError);
        const last = builder as BatchBuilder | null;
        builder = null;
        if (last !== null && last.length > 0) yield last.finish();
        return;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!ended) await stop();
    connection.off('error', onConnectionError);
  }

  // Early exit (break, abort, a value that cannot be stored): interrupt the
  // statement on the server and drain what is in flight, so the connection
  // (and the snapshot's transaction) stays usable.
  async function stop(): Promise<void> {
    stopping = true;
    if (paused) {
      paused = false;
      connection.resume();
    }
    const done = new Promise<boolean>((resolve) => {
      if (ended) return resolve(true);
      command.once('end', () => resolve(true));
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS)));
    try {
      // Wait for the KILL itself before anything else runs on this connection, so it cannot hit a later statement.
      const interrupted = await Promise.race([request.interrupt().then(() => true, () => false), timeout]);
      const finished = interrupted && (await Promise.race([done, timeout]));
      if (!finished) request.destroy();
    } finally {
      clearTimeout(timer);
    }
  }
}
