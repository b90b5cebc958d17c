/**
 * `asof example load`: the TRS example generated at a chosen scale and
 * loaded into a MySQL/MariaDB database as it stood at one instant, so the
 * materializer has a real source to read. Plugged into the CLI like the
 * demo (`createPipeline({ loadExample })` in `examples/asof.ts`): the
 * materializer package never depends on `examples/`.
 */
import { AsofError, formatMicros } from '@asof/core';
import type { ExampleLoader } from '@asof/materializer';
import { createMySqlWritePool, type MySqlWritePool } from '@asof/materializer/mysql';
import { TRS_TABLES } from './arrow-schema.js';
import { generateTrs } from './generator.js';
import { loadTrsIntoMySql } from './load-mysql.js';
import { stateAt } from './state-at.js';
import { TIMELINE_END_US } from './timeline.js';

/** Loads the TRS example into `request.sourceUrl`'s database, creating the database if needed. */
export const loadTrsExample: ExampleLoader = async (request, hooks) => {
  const started = performance.now();
  const { serverUrl, database, display } = parseSourceUrl(request.sourceUrl);
  const createdDatabase = await ensureDatabase(serverUrl, database);
  const pool = createMySqlWritePool({ url: request.sourceUrl });
  try {
    const existing = await existingTables(pool, database);
    if (existing.length > 0 && !request.replace) {
      throw new AsofError('CONFIG', `database ${display} already has the example's tables (${existing.join(', ')}): pass --replace to drop and reload them`);
    }
    hooks.logger.info('generating the TRS example', { seed: request.seed, scale: request.scale });
    const timeline = generateTrs({ seed: request.seed, scale: request.scale });
    // The example's history ends at TIMELINE_END (exclusive): its last instant shows every row.
    const asOf = request.asOf ?? BigInt(TIMELINE_END_US) - 1n;
    const state = stateAt(timeline, asOf);
    hooks.signal.throwIfAborted();
    const counts = await loadTrsIntoMySql(pool, state, {
      dropExisting: request.replace,
      signal: hooks.signal,
      onProgress: (table, written, total) => hooks.progress(`table ${table}`, written, total, 'rows'),
    });
    return {
      database: display,
      asOf: formatMicros(asOf),
      createdDatabase,
      tables: TRS_TABLES.map((table) => ({ table, rows: counts[table] })),
      ms: performance.now() - started,
    };
  } finally {
    await pool.end();
  }
};

/** The server's URL without a database, the database, and the URL as it may be printed (no password). */
function parseSourceUrl(text: string): { serverUrl: string; database: string; display: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AsofError('CONFIG', 'the source is not a URL: expected mysql://user:pass@host:port/database');
  }
  if (url.protocol !== 'mysql:') throw new AsofError('CONFIG', `the source must be a mysql:// URL, got ${url.protocol}//…`);
  const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ''));
  if (!/^[A-Za-z0-9_$]{1,64}$/.test(database)) {
    throw new AsofError('CONFIG', `the source URL must name a database of letters, digits, _ or $ (mysql://user:pass@host:port/<database>), got ${JSON.stringify(database)}`);
  }
  const server = new URL(url.href);
  server.pathname = '/';
  const shown = new URL(url.href);
  if (shown.password) shown.password = '***';
  return { serverUrl: server.href, database, display: shown.href };
}

/** Creates the database if it does not exist; `true` if it did not. */
async function ensureDatabase(serverUrl: string, database: string): Promise<boolean> {
  const admin = createMySqlWritePool({ url: serverUrl, maxConnections: 1 });
  try {
    const [rows] = await admin.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
    if ((rows as unknown[]).length > 0) return false;
    // The name is checked above (letters, digits, _ and $), so quoting it is enough.
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    return true;
  } finally {
    await admin.end();
  }
}

async function existingTables(pool: MySqlWritePool, database: string): Promise<string[]> {
  const [rows] = await pool.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?)', [database, [...TRS_TABLES]]);
  return (rows as { name: string }[]).map((r) => r.name).sort();
}
