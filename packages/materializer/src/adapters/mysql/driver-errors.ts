/**
 * mysql2 errors as asof errors: every failure becomes a `SourceQueryError`
 * carrying the statement, its parameters and the driver error as `cause`,
 * with a message that says what to check, not just what the socket said.
 */
import { AsofError, SourceQueryError } from '@asof/core';

/** Where the connector connects to, for messages. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  readonly socketPath: string | undefined;
  readonly user: string;
  readonly database: string | undefined;
  readonly connectTimeoutMs: number;
}

interface DriverError {
  readonly code?: string;
  readonly errno?: number;
  readonly sqlMessage?: string;
  readonly sqlState?: string;
  readonly message?: string;
}

/** Wraps a failure of `sql` as a {@link SourceQueryError}; asof's own errors pass through unchanged. */
export function toSourceError(error: unknown, sql: string, params: readonly unknown[], server: ServerAddress): Error {
  if (error instanceof AsofError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as DriverError;
  const at = server.socketPath ? `socket ${server.socketPath}` : `${server.host}:${server.port}`;
  const configHint = 'the connector configuration (url or host/port, e.g. ASOF_MYSQL_URL)';
  let message: string;
  switch (e.code) {
    case 'ECONNREFUSED':
      message =
        `cannot connect to MySQL at ${at}: connection refused. Check that the server is running and listening there ` +
        `(bind-address, port), and that ${configHint} names the right host and port`;
      break;
    case 'ENOENT':
      message = `cannot connect to MySQL at ${at}: no such socket. Check that the server is running and the socketPath is right`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      message = `cannot connect to MySQL: host '${server.host}' does not resolve. Check the host name in ${configHint} and DNS`;
      break;
    case 'ETIMEDOUT':
      message =
        `cannot connect to MySQL at ${at}: no answer within ${server.connectTimeoutMs} ms. Check the network path ` +
        `(firewall, security group, VPC routing) and that the server is up`;
      break;
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      message = `MySQL at ${at} refused user '${server.user}': ${e.sqlMessage ?? e.message}. Check the user, password and grants`;
      break;
    case 'ER_BAD_DB_ERROR':
      message = `MySQL at ${at} has no database '${server.database ?? ''}': ${e.sqlMessage ?? e.message}`;
      break;
    case 'PROTOCOL_CONNECTION_LOST':
    case 'ECONNRESET':
    case 'EPIPE':
      message = `lost the connection to MySQL at ${at} while running: ${shorten(sql)}`;
      break;
    default: {
      const code = [e.code, e.errno, e.sqlState].filter((x) => x !== undefined).join(' ');
      message = `MySQL statement failed: ${e.sqlMessage ?? e.message ?? String(error)}${code ? ` (${code})` : ''}; statement: ${shorten(sql)}`;
    }
  }
  return new SourceQueryError(message, sql, params, { cause: error });
}

/** Whether the driver error means the connection itself is unusable. */
export function isFatal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { fatal?: boolean }).fatal === true;
}

function shorten(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}
