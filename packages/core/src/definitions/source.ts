import { dtypeFromJson, dtypeToJson, isDType, type DType } from '../dtypes.js';
import { DefinitionError } from '../errors.js';
import { deepFreeze } from './freeze.js';
import { assertColumn, assertConfig, assertDescription, assertName } from './names.js';

/** Column name -> dtype: the schema a source is expected to have, checked for drift at read time. */
export type SourceColumns = Readonly<Record<string, DType>>;

/** What every source description has. Sources are pure data; adapters do the I/O. */
export interface SourceBase {
  readonly name: string;
  /** Column holding each row's event time (when the fact was true). */
  readonly timestampField: string;
  /** Column holding when the source learned the row, if it has one. */
  readonly createdTimestampField: string | null;
  /** Expected schema; `null` = not declared, so drift cannot be detected. */
  readonly columns: SourceColumns | null;
  /**
   * Columns whose values identify a row (of the table, not of one version of
   * it); `null` = not declared. Needed to use the source as a view's lookup.
   */
  readonly primaryKey: readonly string[] | null;
  readonly description: string | undefined;
}

/** A MySQL/Aurora table read as a whole (full extract) or by `updatedAtField` watermark. */
export interface MysqlTableSource extends SourceBase {
  readonly kind: 'mysql_table';
  /** `table` or `schema.table`. */
  readonly table: string;
  /** Column that increases on every insert and update; enables incremental extracts. */
  readonly updatedAtField: string | null;
}

/** The rows of a MySQL SELECT statement; asof wraps it as a subquery to add watermarks. */
export interface MysqlQuerySource extends SourceBase {
  readonly kind: 'mysql_query';
  readonly sql: string;
  readonly updatedAtField: string | null;
}

/** Parquet file(s) at a local path, glob or `s3://` URL. */
export interface ParquetSource extends SourceBase {
  readonly kind: 'parquet';
  readonly path: string;
}

/** CSV file(s) with a header row at a local path, glob or `s3://` URL. */
export interface CsvSource extends SourceBase {
  readonly kind: 'csv';
  readonly path: string;
  readonly delimiter: string;
}

/** Any source description, discriminated on `kind`. */
export type Source = MysqlTableSource | MysqlQuerySource | ParquetSource | CsvSource;

/** Every `kind` of {@link Source}. */
export type SourceKind = Source['kind'];

/** Options every source builder takes. */
export interface SourceOptions {
  readonly name: string;
  readonly timestampField: string;
  readonly createdTimestampField?: string;
  readonly columns?: SourceColumns;
  /** Columns identifying a row, e.g. `['sku_id']`; several make a composite key, in this order. */
  readonly primaryKey?: readonly string[];
  readonly description?: string;
}

/** Options of the MySQL builders. */
export interface MysqlSourceOptions extends SourceOptions {
  readonly updatedAtField?: string;
}

const TABLE = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** A MySQL table: `mysqlTable({ name: 'invoices', table: 'invoices', timestampField: 'issued_at' })`. */
export function mysqlTable(options: MysqlSourceOptions & { readonly table: string }): MysqlTableSource {
  const base = sourceBase(options, 'mysqlTable', "{ name: 'invoices', table: 'invoices', timestampField: 'issued_at' }");
  if (typeof options.table !== 'string' || !TABLE.test(options.table)) {
    throw new DefinitionError(
      `source '${base.name}': table ${JSON.stringify(options.table)} must be 'table' or 'schema.table' (letters, digits, _ and $)`,
    );
  }
  return deepFreeze({ kind: 'mysql_table' as const, ...base, table: options.table, updatedAtField: updatedAt(options, base.name) });
}

/** A MySQL query: `mysqlQuery({ name: 'paid', sql: 'SELECT … FROM invoices', timestampField: 'paid_at' })`. */
export function mysqlQuery(options: MysqlSourceOptions & { readonly sql: string }): MysqlQuerySource {
  const base = sourceBase(options, 'mysqlQuery', "{ name: 'paid', sql: 'SELECT * FROM invoices', timestampField: 'paid_at' }");
  if (typeof options.sql !== 'string' || options.sql.trim().length === 0) {
    throw new DefinitionError(`source '${base.name}' needs sql, a SELECT statement`);
  }
  const sql = options.sql.trim();
  if (sql.endsWith(';')) {
    throw new DefinitionError(`source '${base.name}': remove the trailing ';' from sql; asof wraps the query as a subquery`);
  }
  return deepFreeze({ kind: 'mysql_query' as const, ...base, sql, updatedAtField: updatedAt(options, base.name) });
}

/** Parquet files: `parquetSource({ name: 'events', path: 'data/events/*.parquet', timestampField: 'ts' })`. */
export function parquetSource(options: SourceOptions & { readonly path: string }): ParquetSource {
  const base = sourceBase(options, 'parquetSource', "{ name: 'events', path: 'data/events.parquet', timestampField: 'ts' }");
  return deepFreeze({ kind: 'parquet' as const, ...base, path: sourcePath(options.path, base.name) });
}

/** CSV files with a header row; declare `columns` so values are typed, not guessed. */
export function csvSource(options: SourceOptions & { readonly path: string; readonly delimiter?: string }): CsvSource {
  const base = sourceBase(options, 'csvSource', "{ name: 'events', path: 'data/events.csv', timestampField: 'ts' }");
  const delimiter = options.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n') {
    throw new DefinitionError(`source '${base.name}': delimiter must be a single character other than '"' and newline`);
  }
  return deepFreeze({ kind: 'csv' as const, ...base, path: sourcePath(options.path, base.name), delimiter });
}

/** Whether a value is a source description built by one of the source builders. */
export function isSource(value: unknown): value is Source {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'mysql_table' || kind === 'mysql_query' || kind === 'parquet' || kind === 'csv';
}

function sourceBase(options: SourceOptions, fn: string, example: string): SourceBase {
  assertConfig(options, fn, example);
  assertName(options.name, 'source name');
  const what = `source '${options.name}'`;
  assertDescription(options.description, what);
  if (options.timestampField === undefined) {
    throw new DefinitionError(`${what} needs timestampField, the column with each row's event time`);
  }
  assertColumn(options.timestampField, `${what}: timestampField`);
  const created = options.createdTimestampField ?? null;
  if (created !== null) {
    assertColumn(created, `${what}: createdTimestampField`);
    if (created === options.timestampField) {
      throw new DefinitionError(`${what}: createdTimestampField must differ from timestampField; omit it if the source has none`);
    }
  }
  const columns = options.columns === undefined ? null : sourceColumns(options.columns, what);
  if (columns) {
    for (const field of [options.timestampField, created]) {
      if (field !== null && !Object.hasOwn(columns, field)) {
        throw new DefinitionError(`${what}: '${field}' is not among the declared columns; add it to columns`);
      }
    }
  }
  const primaryKey = options.primaryKey === undefined ? null : sourcePrimaryKey(options.primaryKey, columns, what);
  return {
    name: options.name,
    timestampField: options.timestampField,
    createdTimestampField: created,
    columns,
    primaryKey,
    description: options.description,
  };
}

function sourcePrimaryKey(input: unknown, columns: SourceColumns | null, what: string): readonly string[] {
  if (!Array.isArray(input) || input.length === 0) {
    throw new DefinitionError(`${what}: primaryKey must be a non-empty list of column names, e.g. ['sku_id']`);
  }
  const out: string[] = [];
  for (const column of input as unknown[]) {
    if (typeof column !== 'string' || !IDENTIFIER.test(column)) {
      throw new DefinitionError(`${what}: primaryKey column ${JSON.stringify(column)} must be an identifier (letters, digits, _ and $)`);
    }
    if (out.includes(column)) throw new DefinitionError(`${what}: primaryKey lists '${column}' twice; list it once`);
    if (columns && !Object.hasOwn(columns, column)) {
      throw new DefinitionError(`${what}: primaryKey column '${column}' is not among the declared columns; add it to columns`);
    }
    out.push(column);
  }
  return out;
}

function sourceColumns(columns: unknown, what: string): SourceColumns {
  if (typeof columns !== 'object' || columns === null || Array.isArray(columns) || Object.keys(columns).length === 0) {
    throw new DefinitionError(`${what}: columns must be a non-empty record of column name to dtype, e.g. { id: int64() }`);
  }
  const out: Record<string, DType> = {};
  for (const [column, dtype] of Object.entries(columns)) {
    assertColumn(column, `${what}: column`);
    if (!isDType(dtype)) throw new DefinitionError(`${what}: column '${column}' must map to a dtype such as int64()`);
    out[column] = dtypeFromJson(dtypeToJson(dtype));
  }
  return out;
}

function updatedAt(options: MysqlSourceOptions, name: string): string | null {
  if (options.updatedAtField === undefined) return null;
  assertColumn(options.updatedAtField, `source '${name}': updatedAtField`);
  if (options.columns && !Object.hasOwn(options.columns, options.updatedAtField)) {
    throw new DefinitionError(`source '${name}': '${options.updatedAtField}' is not among the declared columns; add it to columns`);
  }
  return options.updatedAtField;
}

function sourcePath(path: unknown, name: string): string {
  if (typeof path !== 'string' || path.trim().length === 0) {
    throw new DefinitionError(`source '${name}' needs path, a file, glob or s3:// URL`);
  }
  return path.trim();
}
