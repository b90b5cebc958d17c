/**
 * The identity of a MySQL/MariaDB/Aurora source (`SourceConnector.identity`):
 * what the server says it is, the selected database, and each table's
 * `CREATE_TIME`. Read from the server, not from the connection settings,
 * so `localhost` and `127.0.0.1`, or two users, give the same identity.
 */
import { isQueryRelation, type Relation, type SourceIdentity } from '@asof/core';
import type { RunStatement } from './describe-columns.js';
import type { ServerAddress } from './driver-errors.js';

/** Variables that name the server instance (compared) and describe it (not compared). */
const SERVER_VARIABLES = ['hostname', 'port', 'server_id', 'server_uuid', 'aurora_server_id'] as const;
const DETAIL_VARIABLES = ['version', 'version_comment', 'aurora_version'] as const;
// Constant names only; SHOW takes no placeholders. MariaDB has no server_uuid, MySQL no aurora_*: absent rows are fine.
const SHOW_VARIABLES = `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${[...SERVER_VARIABLES, ...DETAIL_VARIABLES].map((v) => `'${v}'`).join(', ')})`;
const CURRENT_DATABASE = 'SELECT DATABASE()';

/**
 * Reads the identity on a session whose time zone is UTC (so `CREATE_TIME`
 * reads as UTC). Tables of `relations` are named `database.table`; queries
 * name no table and get no stamp.
 */
export async function readMySqlIdentity(run: RunStatement, address: ServerAddress, relations: readonly Relation[], signal?: AbortSignal): Promise<SourceIdentity> {
  const [databaseRows] = await run(CURRENT_DATABASE, [], signal);
  const database = ((databaseRows as unknown[][])[0]?.[0] as string | null | undefined) ?? '';
  const [variableRows] = await run(SHOW_VARIABLES, [], signal, true);
  const variables = new Map((variableRows as unknown[][]).map(([name, value]) => [String(name).toLowerCase(), String(value ?? '')]));
  const server: Record<string, string> = {};
  for (const name of SERVER_VARIABLES) {
    const value = variables.get(name);
    if (value !== undefined && value !== '') server[name] = value;
  }
  const details: Record<string, string> = {};
  for (const name of DETAIL_VARIABLES) {
    const value = variables.get(name);
    if (value !== undefined && value !== '') details[name] = value;
  }
  return {
    kind: 'mysql',
    database,
    server,
    address: address.socketPath ? `socket ${address.socketPath}` : `${address.host}:${address.port}`,
    tables: await tableStamps(run, database, relations, signal),
    details,
  };
}

async function tableStamps(run: RunStatement, database: string, relations: readonly Relation[], signal?: AbortSignal): Promise<Record<string, string | null>> {
  const wanted = new Map<string, { schema: string; table: string }>();
  for (const relation of relations) {
    if (isQueryRelation(relation)) continue;
    const schema = relation.schema ?? database;
    wanted.set(`${schema}.${relation.table}`, { schema, table: relation.table });
  }
  const stamps: Record<string, string | null> = {};
  if (wanted.size === 0) return stamps;
  const pairs = [...wanted.values()];
  const sql =
    'SELECT TABLE_SCHEMA, TABLE_NAME, CREATE_TIME FROM information_schema.TABLES WHERE ' + pairs.map(() => '(TABLE_SCHEMA = ? AND TABLE_NAME = ?)').join(' OR ');
  const [rows] = await run(sql, pairs.flatMap((p) => [p.schema, p.table]), signal);
  const found = new Map((rows as unknown[][]).map(([schema, table, created]) => [`${String(schema)}.${String(table)}`, created]));
  for (const key of [...wanted.keys()].sort()) stamps[key] = utcStamp(found.get(key));
  return stamps;
}

/** `2024-03-01 12:00:00` (read in a UTC session) as `2024-03-01T12:00:00Z`; `null` for a view or a missing table. */
function utcStamp(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
}
