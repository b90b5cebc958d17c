/**
 * Values bound by the server, results in the text protocol. mysql2's
 * prepared statements (binary protocol) bind on the server but parse
 * results about 2.5x slower (DATETIME most of all), and its text `query()`
 * with values splices escaped literals into the SQL. SQL-level prepared
 * statements give both: the values travel as bound parameters of a tiny
 * `SET`, and `EXECUTE … USING` returns an ordinary text result.
 */
import type { PoolConnection } from 'mysql2/promise';

/** The name of the session's one SQL-level statement; re-PREPARE replaces it. */
const STATEMENT = 'asof_stmt';

/**
 * Prepares `sql` on the server with `params` bound and returns the text to
 * run for its rows (with the text protocol): `sql` itself when it takes no
 * values, else `EXECUTE asof_stmt USING @asof_p0, …`.
 */
export async function bindOnServer(connection: PoolConnection, sql: string, params: readonly unknown[]): Promise<string> {
  if (params.length === 0) return sql;
  const names = params.map((_, i) => `@asof_p${i}`);
  const assignments = ['@asof_sql = ?', ...names.map((n) => `${n} = ?`)].join(', ');
  // A prepared SET: the statement text and every value go to the server as bound parameters.
  await connection.execute(`SET ${assignments}`, [sql, ...params] as never);
  await connection.query(`PREPARE ${STATEMENT} FROM @asof_sql`);
  return `EXECUTE ${STATEMENT} USING ${names.join(', ')}`;
}
