/**
 * What a relation's columns are, and the checks that use them: unique names
 * and readable types for a result, existence for a projected column.
 */
import { describeRelation, InvalidInputError, isQueryRelation, SchemaMismatchError, SourceQueryError, type Relation } from '@asof/core';
import { fromClause } from './sql.js';
import { nativeFromField, nativeFromSchemaRow, planColumn, type ColumnPlan, type SchemaRow, type WireField } from './type-map.js';

const NOT_NULL_FLAG = 1;
const DESCRIBE_TABLE =
  'SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, NUMERIC_PRECISION, NUMERIC_SCALE ' +
  'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION';

/** Runs a short statement for {@link describeColumns} (`MySqlSession.run`). */
export type RunStatement = (sql: string, params: unknown[], signal: AbortSignal | undefined, text?: boolean) => Promise<[unknown, unknown[]]>;

/**
 * The columns of a relation, planned: a table from information_schema, a
 * query from the metadata of its result (`LIMIT 0`, so no row is read).
 */
export async function describeColumns(run: RunStatement, relation: Relation, signal: AbortSignal | undefined): Promise<ColumnPlan[]> {
  const where = describeRelation(relation);
  if (isQueryRelation(relation)) {
    // LIMIT 0: the server plans the query and sends its column metadata without reading a row.
    const from = fromClause(relation);
    const sql = `SELECT * FROM ${from.sql} LIMIT 0`;
    const [, fields] = await run(sql, from.params, signal, true);
    return planResult(fields as unknown as WireField[], where, false);
  }
  const params = [relation.schema ?? null, relation.table];
  const [rows] = await run(DESCRIBE_TABLE, params, signal);
  const list = rows as unknown as unknown[][];
  if (list.length === 0) {
    const database = relation.schema === undefined ? "the connection's database" : `database '${relation.schema}'`;
    throw new SourceQueryError(`${where} does not exist in ${database}, or this user cannot see it`, DESCRIBE_TABLE, params);
  }
  return list.map(([name, dataType, columnType, isNullable, precision, scale]) => {
    const row: SchemaRow = {
      DATA_TYPE: String(dataType),
      COLUMN_TYPE: String(columnType),
      NUMERIC_PRECISION: precision as number | string | null,
      NUMERIC_SCALE: scale as number | string | null,
    };
    return planColumn(String(name), nativeFromSchemaRow(row), isNullable === 'YES');
  });
}

/** Plans the columns of a result; names must be unique (they become Arrow field names). */
export function planResult(fields: readonly WireField[], where: string, strict = true): ColumnPlan[] {
  const seen = new Set<string>();
  return fields.map((field) => {
    if (seen.has(field.name)) {
      throw new InvalidInputError(`${where} returns two columns named '${field.name}'; give them distinct aliases (AS …)`);
    }
    seen.add(field.name);
    const plan = planColumn(field.name, nativeFromField(field), (field.flags & NOT_NULL_FLAG) === 0);
    if (strict && plan.read === 'unsupported') {
      throw new InvalidInputError(`column '${plan.name}' (${plan.sourceType}) of ${where}: ${plan.unsupported ?? 'unsupported type'}`);
    }
    return plan;
  });
}

/** The column called `name` (exactly, else case-insensitively, as MySQL matches); drift if there is none. */
export function findColumn(columns: readonly ColumnPlan[], name: string, where: string): ColumnPlan {
  const found = columns.find((c) => c.name === name) ?? columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
  if (found === undefined) {
    throw new SchemaMismatchError(
      name,
      `column '${name}' of ${where} does not exist in the source (it has ${columns.map((c) => c.name).join(', ')}); ` +
        `if it was renamed or dropped, update the source definition and run \`asof apply\``,
    );
  }
  return found;
}
