/**
 * Puts generated TRS states into a MySQL/MariaDB database: create the
 * schema and bulk-load one state, then move the database forward to a later
 * state with upserts, the way the real source changes between two batch
 * extracts. The writing itself is `@asof/materializer/mysql`'s bulk loader (only
 * the adapter imports mysql2).
 */
import { readFileSync } from 'node:fs';
import {
  bulkInsert,
  executeStatements,
  upsert,
  withTransaction,
  quoteIdentifier,
  type MySqlExecutor,
  type MySqlWritePool,
} from '@asof/materializer/mysql';
import { TRS_PRIMARY_KEYS, TRS_TABLES, type TrsTableName } from './arrow-schema.js';
import type { TrsState } from './state-at.js';
import { changesBetween } from './state-changes.js';

/** Options of {@link loadTrsIntoMySql}. */
export interface LoadTrsOptions {
  /** Rows per INSERT statement; default 5,000. */
  readonly batchRows?: number;
  /** Drop the four tables first if they exist (default false: creating over existing tables fails). */
  readonly dropExisting?: boolean;
  /** Rows written so far into `table` of its `total` (after each INSERT). */
  readonly onProgress?: (table: TrsTableName, written: number, total: number) => void;
  /** Stops between statements. */
  readonly signal?: AbortSignal;
}

/** Rows written per table. */
export type TrsRowCounts = Record<TrsTableName, number>;

/** The `CREATE TABLE` statements of `schema.sql`, in foreign-key order. */
export function trsSchemaStatements(): string[] {
  const text = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

/**
 * Creates the TRS tables in the pool's database and loads `state` into them
 * (parents before children, so foreign keys hold). Returns the rows loaded.
 */
export async function loadTrsIntoMySql(pool: MySqlWritePool, state: TrsState, options: LoadTrsOptions = {}): Promise<TrsRowCounts> {
  if (options.dropExisting) {
    const drops = [...TRS_TABLES].reverse().map((name) => `DROP TABLE IF EXISTS ${quoteIdentifier(name)}`);
    await executeStatements(pool, drops);
  }
  await executeStatements(pool, trsSchemaStatements());
  const counts = {} as TrsRowCounts;
  for (const name of TRS_TABLES) {
    const rows = state.tables[name];
    counts[name] = await bulkInsert(pool, name, rows, {
      batchRows: options.batchRows ?? 5000,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: (written: number) => options.onProgress!(name, written, rows.numRows) } : {}),
    });
  }
  return counts;
}

/**
 * Moves a database holding `from` to `to` (`to.asOfMicros >= from.asOfMicros`):
 * upserts every row of `to` whose `updated_at` is after `from`'s instant,
 * all in one transaction, so a reader sees either state, never a mix.
 * Returns the rows upserted per table.
 */
export async function applyTrsChanges(
  pool: MySqlWritePool,
  from: TrsState,
  to: TrsState,
  options: { readonly batchRows?: number } = {},
): Promise<TrsRowCounts> {
  const changes = changesBetween(from, to);
  return withTransaction(pool, (connection) => upsertAll(connection, changes, options.batchRows ?? 5000));
}

async function upsertAll(executor: MySqlExecutor, changes: TrsState, batchRows: number): Promise<TrsRowCounts> {
  const counts = {} as TrsRowCounts;
  for (const name of TRS_TABLES) {
    counts[name] = await upsert(executor, name, changes.tables[name], { keyColumns: [TRS_PRIMARY_KEYS[name]], batchRows });
  }
  return counts;
}
