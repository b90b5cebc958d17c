/** Relations from asof's MySQL source definitions. */
import type { MysqlQuerySource, MysqlTableSource, Relation } from '@asof/core';

/**
 * The relation a `mysqlTable` or `mysqlQuery` definition reads. A table
 * written `schema.table` is split at the dot (the definition only allows
 * plain identifiers, so the dot is unambiguous).
 */
export function mysqlRelation(source: MysqlTableSource | MysqlQuerySource): Relation {
  if (source.kind === 'mysql_query') return { sql: source.sql, name: source.name };
  const dot = source.table.indexOf('.');
  return dot < 0 ? { table: source.table } : { schema: source.table.slice(0, dot), table: source.table.slice(dot + 1) };
}
