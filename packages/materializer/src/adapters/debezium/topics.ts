/**
 * Topic names to what they carry. The MySQL connector writes a table's
 * changes to `<topic.prefix>.<database>.<table>`, schema changes to
 * `<topic.prefix>`, transaction boundaries to `<topic.prefix>.transaction`
 * and heartbeats to `__debezium-heartbeat.<topic.prefix>`.
 */
import type { MappedSource, ResolvedOptions } from './options.js';

/** What a topic carries. */
export type TopicRoute =
  | { readonly kind: 'table'; readonly source: MappedSource; readonly db: string | null; readonly table: string | null }
  | { readonly kind: 'unmapped-table'; readonly db: string; readonly table: string }
  | { readonly kind: 'schema' }
  | { readonly kind: 'transaction' }
  | { readonly kind: 'heartbeat' }
  | { readonly kind: 'unknown' };

/**
 * Routes a topic: an explicit `topics` entry first (then the payload's own
 * `source.db`/`source.table` are not checked against the name), else the
 * naming convention, matching the table name exactly and then
 * case-insensitively (MySQL table names may be either).
 */
export function routeTopic(topic: string, options: ResolvedOptions): TopicRoute {
  const explicit = options.topics.get(topic);
  if (explicit) return { kind: 'table', source: explicit, db: null, table: null };
  if (topic === options.transactionTopic) return { kind: 'transaction' };
  if (topic === options.heartbeatTopic) return { kind: 'heartbeat' };
  if (topic === options.topicPrefix) return { kind: 'schema' };
  const prefix = `${options.topicPrefix}.`;
  if (!topic.startsWith(prefix)) return { kind: 'unknown' };
  const rest = topic.slice(prefix.length);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) return { kind: 'unknown' };
  const db = rest.slice(0, dot);
  const table = rest.slice(dot + 1);
  const source = findSource(db, table, options);
  return source ? { kind: 'table', source, db, table } : { kind: 'unmapped-table', db, table };
}

/** The source reading `db.table`, if one does. */
export function findSource(db: string | null, table: string, options: ResolvedOptions): MappedSource | null {
  const candidates = options.byTable.get(table.toLowerCase()) ?? [];
  const fits = (s: MappedSource): boolean => {
    const pinned = s.db ?? options.database;
    return pinned === null || db === null || pinned === db || pinned.toLowerCase() === db.toLowerCase();
  };
  const matching = candidates.filter(fits);
  return matching.find((s) => s.table === table) ?? matching[0] ?? null;
}

/** The topic a table's events go to by the naming convention. */
export function tableTopic(db: string, table: string, options: ResolvedOptions): string {
  return `${options.topicPrefix}.${db}.${table}`;
}
