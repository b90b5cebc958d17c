/**
 * The SQL the MySQL source sends. Identifiers are quoted with backticks
 * (a backtick inside a name is doubled); values are always `?` placeholders
 * bound by the server (prepared statements), never spliced into the text.
 */
import { describeRelation, InvalidInputError, isQueryRelation, type Relation } from '@asof/core';

/** Quotes one identifier: `` a`b `` becomes `` `a``b` ``. */
export function quoteIdentifier(name: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidInputError(`a MySQL identifier must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  // MySQL rejects NUL in identifiers; refusing it here gives a clearer message than the server's.
  if (name.includes('\u0000')) throw new InvalidInputError(`MySQL identifier ${JSON.stringify(name)} contains a NUL character`);
  return '`' + name.replace(/`/g, '``') + '`';
}

/** The relation as a FROM item: a quoted table, or the query as a derived table. */
export function fromClause(relation: Relation): { sql: string; params: unknown[] } {
  if (isQueryRelation(relation)) {
    const text = relation.sql.trim();
    if (text.length === 0) throw new InvalidInputError(`${describeRelation(relation)}: sql is empty`);
    if (text.endsWith(';')) {
      throw new InvalidInputError(`${describeRelation(relation)}: remove the trailing ';'; the query is wrapped as a subquery`);
    }
    // Newline before ')' so a trailing `-- comment` in the user's SQL cannot swallow it.
    return { sql: `(\n${text}\n) AS \`asof_q\``, params: [...(relation.params ?? [])] };
  }
  const table = quoteIdentifier(relation.table);
  return { sql: relation.schema === undefined ? table : `${quoteIdentifier(relation.schema)}.${table}`, params: [] };
}

/** A column to select. */
export interface Projection {
  readonly name: string;
  /**
   * A FLOAT column, selected as `col + 0e0` (a DOUBLE holding the same
   * value): the text protocol prints FLOAT with 6 significant digits, which
   * would lose precision, but prints DOUBLE exactly.
   */
  readonly float32: boolean;
}

/** What {@link selectStatement} builds. */
export interface SelectSpec {
  readonly relation: Relation;
  readonly columns: readonly Projection[];
  /** Incremental bounds on a watermark column, as values the server compares with it. */
  readonly watermark?: { readonly column: string; readonly after: unknown; readonly upTo: unknown | null };
}

/** A SELECT over a relation with optional projection and watermark range. */
export function selectStatement(spec: SelectSpec): { sql: string; params: unknown[] } {
  const from = fromClause(spec.relation);
  const projection = spec.columns
    .map(({ name, float32 }) => (float32 ? `${quoteIdentifier(name)} + 0e0 AS ${quoteIdentifier(name)}` : quoteIdentifier(name)))
    .join(', ');
  let sql = `SELECT ${projection} FROM ${from.sql}`;
  const params = from.params;
  if (spec.watermark) {
    const column = quoteIdentifier(spec.watermark.column);
    sql += ` WHERE ${column} > ?`;
    params.push(spec.watermark.after);
    if (spec.watermark.upTo !== null) {
      sql += ` AND ${column} <= ?`;
      params.push(spec.watermark.upTo);
    }
    sql += ` ORDER BY ${column}`;
  }
  return { sql, params };
}
