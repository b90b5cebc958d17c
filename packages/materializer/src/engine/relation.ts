import { DefinitionError, type Relation, type Source } from '@asof/core';

/** The relation a source definition reads: its table, or its SQL wrapped as a subquery by the adapter. */
export function relationOf(source: Source): Relation {
  switch (source.kind) {
    case 'mysql_table': {
      const [schema, table] = source.table.includes('.') ? source.table.split('.', 2) : [undefined, source.table];
      return schema ? { schema, table: table! } : { table: table! };
    }
    case 'mysql_query':
      return { sql: source.sql, name: source.name };
    default:
      // File sources are read by name from a connector that holds them (the demo's in-memory tables).
      return { table: source.name };
  }
}

/** The primary key a mirrored source must declare; a clear error otherwise. */
export function primaryKeyOf(source: Source): readonly string[] {
  const pk = (source as { primaryKey?: readonly string[] | null }).primaryKey;
  if (!pk || pk.length === 0) {
    throw new DefinitionError(
      `source '${source.name}' has no primaryKey; the materializer keeps every version of its rows by primary key, so declare it, e.g. primaryKey: ['invoice_id']`,
    );
  }
  return pk;
}
