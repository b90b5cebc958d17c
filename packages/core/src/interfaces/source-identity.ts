/**
 * Who a source is (DESIGN §5: "the root records the identity of its source
 * database"). A connector reports it; the materializer records it in the
 * root on the first run and refuses a run connected to another source
 * (docs/design/materializer.md, "Source identity"). It never holds
 * credentials: no user, no password, no URL query string.
 */
import type { Relation } from './source.js';

/** What a connector says about the source it is connected to. JSON-safe: every value is a string. */
export interface SourceIdentity {
  /** The kind of system: `mysql` (MySQL, MariaDB, Aurora MySQL), `memory`, … */
  readonly kind: string;
  /** The database (schema) unqualified table names refer to; `''` if none is selected. */
  readonly database: string;
  /**
   * The server instance answering, as the server itself reports it (for
   * MySQL `@@hostname`, `@@port`, `@@server_id`, and `@@server_uuid` or
   * `@@aurora_server_id` where the server has them), so every spelling of
   * the same address gives the same values. Compared as a whole.
   */
  readonly server: Readonly<Record<string, string>>;
  /** How the connector reached it (`host:port`, `socket <path>`), for messages only; never compared. */
  readonly address: string;
  /**
   * A stamp per table the caller named (`database.table`): a value that
   * changes when the table is created again (MySQL: `CREATE_TIME`; in
   * memory: a schema fingerprint), `null` where the source has none (a
   * view) or the table does not exist.
   */
  readonly tables: Readonly<Record<string, string | null>>;
  /** Facts for people that do not identify the source (the server version); never compared. */
  readonly details?: Readonly<Record<string, string>>;
}

/** Options of {@link SourceConnector.identity}. */
export interface SourceIdentityOptions {
  /** The relations the run will read: the identity stamps each table among them (queries have no stamp). */
  readonly relations?: readonly Relation[];
  readonly signal?: AbortSignal;
}

/**
 * One line for messages: `mysql database 'trs' on server db-1:3306 (server_id 7) (address 10.0.0.5:3306)`.
 * Only fields of the identity appear, so it holds no secret.
 */
export function describeSourceIdentity(identity: SourceIdentity): string {
  const database = identity.database === '' ? 'no default database' : `database '${identity.database}'`;
  const { hostname, port, ...rest } = identity.server;
  const host = hostname === undefined ? undefined : port === undefined ? hostname : `${hostname}:${port}`;
  const ids = Object.entries(rest).map(([k, v]) => `${k} ${v}`);
  const server = host === undefined && ids.length === 0 ? '' : ` on server ${[host, ids.length ? `(${ids.join(', ')})` : undefined].filter(Boolean).join(' ')}`;
  return `${identity.kind} ${database}${server} (address ${identity.address})`;
}
