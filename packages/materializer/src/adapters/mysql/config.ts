/**
 * Configuration of the MySQL/Aurora source and its defaults. The defaults
 * are chosen to be gentle on a production database: two statements at a
 * time, 50,000 rows a batch.
 */
import { InvalidInputError } from '@asof/core';
import type { PoolOptions, SslOptions } from 'mysql2/promise';
import type { ServerAddress } from './driver-errors.js';
import { wallClock, type WallClock } from './wall-clock.js';

/** Hooks to watch the load a connector puts on the source (tests, metrics, logs). */
export interface MySqlObserver {
  /** A statement got a concurrency slot and was sent. */
  readonly queryStarted?: (sql: string) => void;
  /** A statement finished (its last row was read), failed or was stopped; its slot is free again. */
  readonly queryFinished?: (sql: string) => void;
  /** Rows an extract has parsed but not yet handed to its consumer, after each change of batch. */
  readonly rowsBuffered?: (rows: number) => void;
}

/** How to reach the source and how hard to work it. */
export interface MySqlConnectorConfig {
  /** `mysql://user:password@host:port/database` (user and password URL-encoded); fields below override it. */
  readonly url?: string;
  readonly host?: string;
  /** Default 3306. */
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  /** The database unqualified table names refer to. */
  readonly database?: string;
  /** A Unix socket instead of TCP. */
  readonly socketPath?: string;
  /** TLS, as mysql2 takes it (Aurora: `{ ca }` with the RDS bundle). */
  readonly ssl?: string | SslOptions;
  /** At most this many statements run on the source at once, across all snapshots; default 2. */
  readonly maxConcurrentQueries?: number;
  /** Pool size; each open snapshot holds one connection. Default `2 * maxConcurrentQueries`. */
  readonly maxConnections?: number;
  /** Default rows per record batch; default 50,000. */
  readonly batchSize?: number;
  /**
   * The zone DATETIME columns are written in: `'UTC'` (default), an offset
   * like `'+02:00'` or an IANA name. TIMESTAMP columns are always exact UTC.
   */
  readonly datetimeZone?: string;
  /** Zero or impossible dates (`0000-00-00`): `'error'` (default) or `'null'`. */
  readonly invalidDates?: 'error' | 'null';
  /** Default 10,000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * How long the server waits on a consumer that is not reading (MySQL's
   * `net_write_timeout`), in seconds; default 600. While a consumer holds a
   * batch the server is paused mid-result, and at the server's default of
   * 60 s a slow writer downstream would make it abort the query.
   */
  readonly netWriteTimeoutSeconds?: number;
  readonly observer?: MySqlObserver;
}

/** The configuration with defaults applied and checked. */
export interface ResolvedConfig {
  readonly pool: PoolOptions;
  readonly server: ServerAddress;
  readonly maxConcurrentQueries: number;
  readonly batchSize: number;
  readonly clock: WallClock;
  readonly invalidDates: 'error' | 'null';
  readonly netWriteTimeoutSeconds: number;
  readonly observer: MySqlObserver;
}

/** Applies defaults and validates; throws `InvalidInputError` naming the bad field. */
export function resolveConfig(config: MySqlConnectorConfig): ResolvedConfig {
  const url = config.url === undefined ? undefined : parseUrl(config.url);
  const host = config.host ?? url?.host ?? 'localhost';
  const port = positiveInt(config.port ?? url?.port ?? 3306, 'port');
  const user = config.user ?? url?.user ?? 'root';
  const database = config.database ?? url?.database;
  const maxConcurrentQueries = positiveInt(config.maxConcurrentQueries ?? 2, 'maxConcurrentQueries');
  const connectTimeoutMs = positiveInt(config.connectTimeoutMs ?? 10_000, 'connectTimeoutMs');
  const invalidDates = config.invalidDates ?? 'error';
  if (invalidDates !== 'error' && invalidDates !== 'null') {
    throw new InvalidInputError(`MySQL connector: invalidDates must be 'error' or 'null', got ${JSON.stringify(invalidDates)}`);
  }
  const pool: PoolOptions = {
    host,
    port,
    user,
    password: config.password ?? url?.password,
    database,
    socketPath: config.socketPath,
    ssl: config.ssl,
    connectionLimit: positiveInt(config.maxConnections ?? 2 * maxConcurrentQueries, 'maxConnections'),
    connectTimeout: connectTimeoutMs,
    charset: 'utf8mb4',
    // Exact values: BIGINT and DECIMAL as strings, dates as strings (never a JS Date, which has only ms).
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    jsonStrings: true,
    timezone: 'Z',
    multipleStatements: false,
    enableKeepAlive: true,
  };
  return {
    pool,
    server: { host, port, socketPath: config.socketPath, user, database, connectTimeoutMs },
    maxConcurrentQueries,
    batchSize: positiveInt(config.batchSize ?? 50_000, 'batchSize'),
    clock: wallClock(config.datetimeZone ?? 'UTC'),
    invalidDates,
    netWriteTimeoutSeconds: positiveInt(config.netWriteTimeoutSeconds ?? 600, 'netWriteTimeoutSeconds'),
    observer: config.observer ?? {},
  };
}

/** Checks a positive integer option. */
export function positiveInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidInputError(`MySQL connector: ${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function parseUrl(text: string): { host: string; port: number | undefined; user: string | undefined; password: string | undefined; database: string | undefined } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidInputError(`MySQL connector: url is not a URL; expected mysql://user:password@host:3306/database`);
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new InvalidInputError(`MySQL connector: url must start with mysql://, got ${url.protocol}//`);
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? undefined : Number(url.port),
    user: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    database: url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : undefined,
  };
}
