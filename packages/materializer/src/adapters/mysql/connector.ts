/**
 * The MySQL/Aurora source connector: a mysql2 pool, a bound on concurrent
 * statements, and snapshots that read several tables as of one instant.
 */
import {
  InvalidInputError,
  type SourceConnector,
  type SourceIdentity,
  type SourceIdentityOptions,
  type SourceSession,
  type SourceSnapshotOptions,
} from '@asof/core';
import { createConnection, createPool, type Pool, type PoolConnection } from 'mysql2/promise';
import { resolveConfig, type MySqlConnectorConfig, type ResolvedConfig } from './config.js';
import { toSourceError } from './driver-errors.js';
import { createQuerySlots, type QuerySlots } from './query-slots.js';
import { ConnectionLease } from './connection-lease.js';
import { readMySqlIdentity } from './identity.js';
import { MySqlSession, type SessionContext } from './session.js';

const BEGIN = 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY';
// mysql2 binds JS numbers as DOUBLE, which an integer system variable refuses: hence the CAST.
const SESSION_SETUP = "SET SESSION time_zone = '+00:00', SESSION net_write_timeout = CAST(? AS UNSIGNED)";

/**
 * Reads MySQL (and Aurora MySQL, MariaDB) for the materializer.
 *
 * ```ts
 * const source = new MySqlConnector({ url: process.env.ASOF_MYSQL_URL, maxConcurrentQueries: 2 });
 * await source.snapshot(async (s) => {
 *   for await (const batch of s.extract({ table: 'invoices' }, { expectedColumns })) write(batch);
 * });
 * await source.close();
 * ```
 */
export class MySqlConnector implements SourceConnector {
  readonly #config: ResolvedConfig;
  readonly #pool: Pool;
  readonly #slots: QuerySlots;
  readonly #context: SessionContext;
  /** Pooled connections whose session variables are already set. */
  readonly #configured = new WeakSet<object>();
  #closing: Promise<void> | null = null;

  constructor(config: MySqlConnectorConfig = {}) {
    this.#config = resolveConfig(config);
    this.#pool = createPool(this.#config.pool);
    this.#slots = createQuerySlots(this.#config.maxConcurrentQueries);
    this.#context = { config: this.#config, slots: this.#slots, interrupt: (threadId) => this.#interrupt(threadId) };
  }

  /** Statements running on the source now (never more than `maxConcurrentQueries`). */
  get activeQueries(): number {
    return this.#slots.active;
  }

  /**
   * Runs `fn` on one connection inside `START TRANSACTION WITH CONSISTENT
   * SNAPSHOT, READ ONLY` at REPEATABLE READ: every read in it sees the
   * database as of the moment the transaction started, so a full extract of
   * several tables is consistent across them. Rows committed by others after
   * that moment are invisible to it.
   */
  snapshot<T>(fn: (session: SourceSession) => Promise<T>, options: SourceSnapshotOptions = {}): Promise<T> {
    return this.#inSnapshot(fn, options);
  }

  /**
   * The server's own account of who it is (`@@hostname`, `@@port`,
   * `@@server_id`, and `@@server_uuid` or `@@aurora_server_id` where it has
   * them), the selected database and each named table's `CREATE_TIME` (UTC).
   * The configured host and port appear only as `address`; user and
   * password never.
   */
  identity(options: SourceIdentityOptions = {}): Promise<SourceIdentity> {
    return this.#inSnapshot(
      (session) => readMySqlIdentity((...args) => session.run(...args), this.#config.server, options.relations ?? [], options.signal),
      { signal: options.signal },
    );
  }

  async #inSnapshot<T>(fn: (session: MySqlSession) => Promise<T>, options: SourceSnapshotOptions): Promise<T> {
    if (this.#closing) throw new InvalidInputError('this MySQL connector is closed');
    const { signal } = options;
    signal?.throwIfAborted();
    let connection: PoolConnection;
    try {
      connection = await this.#pool.getConnection();
    } catch (error) {
      throw toSourceError(error, BEGIN, [], this.#config.server);
    }
    const lease = new ConnectionLease(connection);
    const session = new MySqlSession(lease, this.#context, signal);
    let open = false;
    try {
      if (!this.#configured.has(lease.core)) {
        await session.run(SESSION_SETUP, [this.#config.netWriteTimeoutSeconds], signal);
        this.#configured.add(lease.core);
      }
      await session.run('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ', [], signal, true);
      await session.run(BEGIN, [], signal, true);
      open = true;
      const result = await fn(session);
      await this.#finish(session, lease, 'COMMIT');
      return result;
    } catch (error) {
      if (open) await this.#finish(session, lease, 'ROLLBACK').catch(() => lease.destroy());
      throw error;
    } finally {
      session.end();
      lease.release();
    }
  }

  /** Closes the pool; snapshots still running fail. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#pool.end();
    return this.#closing;
  }

  async #finish(session: MySqlSession, lease: ConnectionLease, statement: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    // A statement still streaming (its loop neither finished nor left) would block COMMIT forever: drop the connection.
    if (session.busy) lease.destroy();
    if (lease.destroyed) return;
    session.end();
    await session.run(statement, [], undefined, true);
  }

  /**
   * Interrupts the statement running on a server thread, from a connection of
   * its own: taking one from the pool (or a concurrency slot) could wait on
   * the very statement being stopped.
   */
  async #interrupt(threadId: number): Promise<void> {
    if (!Number.isSafeInteger(threadId) || threadId <= 0) throw new InvalidInputError(`not a MySQL thread id: ${threadId}`);
    const { connectionLimit: _limit, enableKeepAlive: _keepAlive, ...options } = this.#config.pool;
    const killer = await createConnection(options);
    try {
      // A server-assigned integer checked above; KILL takes no placeholders.
      await killer.query(`KILL QUERY ${threadId}`);
    } finally {
      killer.destroy();
    }
  }
}
