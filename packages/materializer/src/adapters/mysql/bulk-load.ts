/**
 * Writes Arrow tables into MySQL/MariaDB: multi-row INSERTs (and upserts)
 * of `batchRows` rows a statement, every value bound to a `?` placeholder of
 * a prepared statement, never spliced into the SQL text. For loading test
 * and demo databases (the TRS example), not for the source path.
 *
 * Values are sent exactly: Int64 and Decimal128 as decimal text, timestamps
 * as `'YYYY-MM-DD HH:MM:SS.ffffff'` UTC wall-clock text (the sessions run at
 * time zone +00:00, so DATETIME and TIMESTAMP columns both get the instant),
 * Date(DAY) as `'YYYY-MM-DD'`, strings as strings, nulls as NULL.
 */
import { formatMicros, InvalidInputError, readMicrosVector, SourceQueryError } from '@asof/core';
import { DataType, makeVector, type Data, type RecordBatch, type Table } from 'apache-arrow';
import { createPool, type Pool, type PoolConnection } from 'mysql2/promise';
import { resolveConfig, type MySqlConnectorConfig } from './config.js';
import { quoteIdentifier } from './sql.js';

/** A mysql2 pool opened by {@link createMySqlWritePool}. */
export type MySqlWritePool = Pool;
/** Where statements run: the pool (autocommit per statement) or one connection (e.g. inside a transaction). */
export type MySqlExecutor = Pool | PoolConnection;

/** Options of {@link bulkInsert}. */
export interface BulkInsertOptions {
  /** Rows per INSERT; default 5,000, capped so a statement has at most 65,535 placeholders. */
  readonly batchRows?: number;
  /** Stops between statements; statements already sent complete. */
  readonly signal?: AbortSignal;
  /** Called after each statement with the rows written so far (progress bars). */
  readonly onProgress?: (rowsWritten: number) => void;
}

/** Options of {@link upsert}. */
export interface UpsertOptions extends BulkInsertOptions {
  /** The key columns (not updated on a duplicate); at least one. */
  readonly keyColumns: readonly string[];
}

const MAX_PLACEHOLDERS = 65_535;

/** A value as bound to a placeholder. */
type Bound = string | number | Buffer | null;

/**
 * A pool for writing, from the same configuration as `MySqlConnector`
 * (values exact: BIGINT/DECIMAL/DATETIME read back as strings), every
 * session at time zone `+00:00`. Close it with `pool.end()`.
 */
export function createMySqlWritePool(config: MySqlConnectorConfig): MySqlWritePool {
  const resolved = resolveConfig(config);
  const pool = createPool({ ...resolved.pool, connectionLimit: config.maxConnections ?? 4 });
  pool.on('connection', (connection) => {
    connection.query("SET time_zone = '+00:00'");
  });
  return pool;
}

/** Inserts every row of `rows` into `table` (columns by name); returns the number of rows inserted. */
export async function bulkInsert(
  executor: MySqlExecutor,
  table: string,
  rows: Table,
  options: BulkInsertOptions = {},
): Promise<number> {
  return write(executor, table, rows, options, '');
}

/**
 * Inserts the rows of `rows`, and where a row with the same key exists,
 * overwrites its non-key columns (`INSERT … ON DUPLICATE KEY UPDATE c =
 * VALUES(c)`, which MySQL 8 and MariaDB both accept). Returns the number of
 * rows sent.
 */
export async function upsert(executor: MySqlExecutor, table: string, rows: Table, options: UpsertOptions): Promise<number> {
  const names = rows.schema.fields.map((f) => f.name);
  if (options.keyColumns.length === 0) throw new InvalidInputError(`upsert into ${table}: keyColumns is empty`);
  for (const key of options.keyColumns) {
    if (!names.includes(key)) throw new InvalidInputError(`upsert into ${table}: key column '${key}' is not in the rows (${names.join(', ')})`);
  }
  const updates = names.filter((n) => !options.keyColumns.includes(n));
  const set = (updates.length > 0 ? updates : [options.keyColumns[0]!])
    .map((n) => `${quoteIdentifier(n)} = VALUES(${quoteIdentifier(n)})`)
    .join(', ');
  return write(executor, table, rows, options, ` ON DUPLICATE KEY UPDATE ${set}`);
}

/** Runs statements one after another (DDL, `SET …`), without parameters. */
export async function executeStatements(executor: MySqlExecutor, statements: readonly string[]): Promise<void> {
  for (const sql of statements) {
    try {
      await executor.query(sql);
    } catch (error) {
      throw new SourceQueryError(`statement failed: ${(error as Error).message}`, sql, [], { cause: error });
    }
  }
}

/** Runs `work` on one connection inside a transaction: committed if it resolves, rolled back if it throws. */
export async function withTransaction<T>(pool: MySqlWritePool, work: (connection: PoolConnection) => Promise<T>): Promise<T> {
  const connection = await pool.getConnection();
  try {
    await connection.beginTransaction();
    try {
      const result = await work(connection);
      await connection.commit();
      return result;
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      throw error;
    }
  } finally {
    connection.release();
  }
}

async function write(executor: MySqlExecutor, table: string, rows: Table, options: BulkInsertOptions, suffix: string): Promise<number> {
  const fields = rows.schema.fields;
  if (fields.length === 0) throw new InvalidInputError(`insert into ${table}: the rows have no columns`);
  const requested = options.batchRows ?? 5000;
  if (!Number.isInteger(requested) || requested < 1) throw new InvalidInputError(`batchRows must be a positive integer, got ${requested}`);
  const batchRows = Math.min(requested, Math.floor(MAX_PLACEHOLDERS / fields.length));
  const head = `INSERT INTO ${quoteIdentifier(table)} (${fields.map((f) => quoteIdentifier(f.name)).join(', ')}) VALUES `;
  const tuple = `(${fields.map(() => '?').join(', ')})`;
  let written = 0;
  for (const batch of rows.batches) {
    const readers = columnReaders(batch, table);
    for (let start = 0; start < batch.numRows; start += batchRows) {
      options.signal?.throwIfAborted();
      const end = Math.min(batch.numRows, start + batchRows);
      const params: Bound[] = [];
      for (let i = start; i < end; i++) for (const read of readers) params.push(read(i));
      const sql = head + Array.from({ length: end - start }, () => tuple).join(', ') + suffix;
      try {
        await executor.execute(sql, params);
      } catch (error) {
        throw new SourceQueryError(
          `writing rows ${written + 1}..${written + end - start} into ${table} failed: ${(error as Error).message}`,
          sql,
          params,
          { cause: error },
        );
      }
      written += end - start;
      options.onProgress?.(written);
    }
  }
  return written;
}

/** One reader per column of the batch, from row index to the bound value. */
function columnReaders(batch: RecordBatch, table: string): ((i: number) => Bound)[] {
  return batch.schema.fields.map((field, c) => {
    const vector = batch.getChildAt(c)!;
    const data = vector.data[0]!;
    const read = valueReader(data, `${table}.${field.name}`);
    return data.nullCount === 0 ? read : (i: number) => (data.getValid(i) ? read(i) : null);
  });
}

function valueReader(data: Data, column: string): (i: number) => Bound {
  const type = data.type as DataType;
  if (DataType.isTimestamp(type)) {
    const { micros } = readMicrosVector(makeVector(data), column);
    return (i) => datetimeText(micros[i]!);
  }
  if (DataType.isDate(type)) {
    const { micros } = readMicrosVector(makeVector(data), column);
    return (i) => datetimeText(micros[i]!).slice(0, 10);
  }
  if (DataType.isDecimal(type)) {
    const words = data.values as Uint32Array;
    const stride = type.bitWidth / 32;
    return (i) => decimalText(words, i * stride, stride, type.scale);
  }
  if (DataType.isInt(type) && type.bitWidth === 64) {
    const values = data.values as BigInt64Array | BigUint64Array;
    return (i) => values[i]!.toString();
  }
  if (DataType.isInt(type) || DataType.isFloat(type)) {
    const values = data.values as ArrayLike<number>;
    return (i) => {
      const v = values[i]!;
      if (!Number.isFinite(v)) throw new InvalidInputError(`${column}: MySQL cannot store ${v}`);
      return v;
    };
  }
  if (DataType.isBool(type)) return (i) => (data.values[i >> 3]! & (1 << (i & 7)) ? 1 : 0);
  if (DataType.isUtf8(type) || DataType.isBinary(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    const decoder = new TextDecoder();
    return DataType.isUtf8(type)
      ? (i) => decoder.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!))
      : (i) => Buffer.from(bytes.subarray(offsets[i]!, offsets[i + 1]!));
  }
  throw new InvalidInputError(`${column}: cannot write Arrow type ${String(type)} to MySQL`);
}

/** `'YYYY-MM-DD HH:MM:SS.ffffff'`, the UTC wall clock of an instant. */
function datetimeText(micros: bigint): string {
  const iso = formatMicros(micros); // YYYY-MM-DDTHH:MM:SS.ffffffZ
  return `${iso.slice(0, 10)} ${iso.slice(11, -1)}`;
}

/** Exact decimal text of a two's-complement integer of `stride` little-endian 32-bit words at `offset`. */
function decimalText(words: Uint32Array, offset: number, stride: number, scale: number): string {
  let raw = 0n;
  for (let k = stride - 1; k >= 0; k--) raw = (raw << 32n) | BigInt(words[offset + k]!);
  const value = BigInt.asIntN(stride * 32, raw);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}
