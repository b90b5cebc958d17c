/**
 * MySQL/MariaDB column types to asof dtypes, exactly. One mapping serves
 * both `describe()` (from information_schema) and the extract (from the
 * result's column metadata), so the two always agree. Values arrive in the
 * text protocol as strings (mysql2 `bigNumberStrings`, `dateStrings`,
 * decimals as strings) and are parsed straight into Arrow buffers.
 *
 * | MySQL type                                           | dtype        | Arrow                       | read as                                                   |
 * |------------------------------------------------------|--------------|-----------------------------|-----------------------------------------------------------|
 * | TINYINT(1), BOOL, BOOLEAN                            | bool         | Bool                        | non-zero is true, as MySQL evaluates it                   |
 * | TINYINT, SMALLINT, MEDIUMINT (±UNSIGNED), INT, YEAR  | int32        | Int32                       | number                                                    |
 * | INT UNSIGNED                                         | int64        | Int64                       | number (up to 4,294,967,295: does not fit int32)          |
 * | BIGINT                                               | int64        | Int64                       | decimal text, exact (no double in between)                |
 * | BIGINT UNSIGNED                                      | int64        | Int64                       | as BIGINT; a value above 2^63-1 stops the extract (error) |
 * | DECIMAL(p,s) / NUMERIC, p <= 38                      | decimal(p,s) | Decimal128(p,s)             | decimal text to a scaled integer, never a float           |
 * | DOUBLE, REAL                                         | float64      | Float64                     | shortest round-trip text: the stored double               |
 * | FLOAT                                                | float64      | Float64                     | selected as `col + 0e0` (the text protocol prints FLOAT   |
 * |                                                      |              |                             | with 6 digits): the stored single, widened exactly        |
 * | DATETIME(n)                                          | timestamp    | Timestamp(MICROSECOND, UTC) | wall clock in the configured zone (default UTC), to µs   |
 * | TIMESTAMP(n)                                         | timestamp    | Timestamp(MICROSECOND, UTC) | in session time zone +00:00, to µs                       |
 * | DATE                                                 | date         | Date(DAY)                   | days since 1970-01-01                                     |
 * | CHAR, VARCHAR, *TEXT, ENUM, SET, JSON, TIME,         | string       | Utf8                        | text (JSON as its text; TIME as `'-838:59:59.000000'`)    |
 * | UUID, INET4, INET6 (MariaDB)                         |              |                             |                                                           |
 * | BINARY, VARBINARY, *BLOB, BIT                        | binary       | Binary                      | bytes (BIT(n) big-endian, ceil(n/8) bytes)                |
 * | DECIMAL with p > 38, GEOMETRY, VECTOR, other         | (not read)   |                             | extracting one is an error; CAST it in a query source     |
 * | NULL in any column                                   |              | null (validity bit)         |                                                           |
 *
 * Zero and impossible dates (`0000-00-00`, `2024-02-30` under
 * `ALLOW_INVALID_DATES`) are an error naming the column, or null when the
 * connector is configured with `invalidDates: 'null'`.
 */
import { binary, bool, date, decimal, float64, int32, int64, string, timestamp, type DType } from '@asof/core';

/** A column type as MySQL spells it, from information_schema or from result metadata. */
export interface NativeType {
  /** Lowercase base type: `bigint`, `decimal`, `datetime`, `varchar`, `json`… */
  readonly base: string;
  readonly unsigned: boolean;
  /** DECIMAL precision, or the TINYINT display width (1 marks a boolean). */
  readonly precision: number | null;
  readonly scale: number | null;
  /** The type as the source shows it, e.g. `decimal(12,2)`. */
  readonly text: string;
}

/** How the extract turns a driver value into the stored one. */
export type ReadKind =
  | 'bool'
  | 'int32'
  | 'int64'
  | 'uint64'
  | 'decimal'
  | 'float64'
  | 'timestamp-utc'
  | 'timestamp-wall'
  | 'date'
  | 'string'
  | 'binary'
  | 'unsupported';

/** A column of a result: what it is called, what it becomes and how to read it. */
export interface ColumnPlan {
  readonly name: string;
  readonly dtype: DType;
  readonly nullable: boolean;
  readonly sourceType: string;
  readonly read: ReadKind;
  /** A single-precision FLOAT (selected widened to DOUBLE so no digit is lost). */
  readonly float32?: boolean;
  /** Why an `unsupported` column cannot be read, and what to do. */
  readonly unsupported?: string;
}

const STRINGS = new Set([
  'char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set', 'json', 'time', 'uuid', 'inet4', 'inet6', 'null',
]);
const BYTES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'bit']);
const INT32 = new Set(['smallint', 'mediumint', 'year']);

/** Maps a native type to its dtype and reader. */
export function planColumn(name: string, native: NativeType, nullable: boolean): ColumnPlan {
  const base = { name, nullable, sourceType: native.text };
  const { base: type } = native;
  if (type === 'tinyint') {
    return native.precision === 1 ? { ...base, dtype: bool(), read: 'bool' } : { ...base, dtype: int32(), read: 'int32' };
  }
  if (INT32.has(type)) return { ...base, dtype: int32(), read: 'int32' };
  if (type === 'int' || type === 'integer') {
    return native.unsigned ? { ...base, dtype: int64(), read: 'int64' } : { ...base, dtype: int32(), read: 'int32' };
  }
  if (type === 'bigint') return { ...base, dtype: int64(), read: native.unsigned ? 'uint64' : 'int64' };
  if (type === 'decimal' || type === 'numeric') {
    const precision = native.precision ?? 10;
    const scale = native.scale ?? 0;
    if (precision > 38) {
      return {
        ...base,
        dtype: decimal(38, Math.min(scale, 38)),
        read: 'unsupported',
        unsupported: `${native.text} has more digits than Arrow's Decimal128 holds (38); CAST it AS DECIMAL(38,${Math.min(scale, 38)}) in a query source`,
      };
    }
    return { ...base, dtype: decimal(precision, scale), read: 'decimal' };
  }
  if (type === 'float') return { ...base, dtype: float64(), read: 'float64', float32: true };
  if (type === 'double' || type === 'real') return { ...base, dtype: float64(), read: 'float64' };
  if (type === 'datetime') return { ...base, dtype: timestamp(), read: 'timestamp-wall' };
  if (type === 'timestamp') return { ...base, dtype: timestamp(), read: 'timestamp-utc' };
  if (type === 'date') return { ...base, dtype: date(), read: 'date' };
  if (STRINGS.has(type)) return { ...base, dtype: string(), read: 'string' };
  if (BYTES.has(type)) return { ...base, dtype: binary(), read: 'binary' };
  return {
    ...base,
    dtype: binary(),
    read: 'unsupported',
    unsupported: `asof does not read ${native.text} columns; leave it out with \`columns\`, or convert it in a query source (e.g. ST_AsBinary(col) for geometry)`,
  };
}

/** A row of `information_schema.COLUMNS` (the fields {@link nativeFromSchemaRow} reads). */
export interface SchemaRow {
  readonly DATA_TYPE: string;
  readonly COLUMN_TYPE: string;
  readonly NUMERIC_PRECISION: number | string | null;
  readonly NUMERIC_SCALE: number | string | null;
}

/** The native type of an information_schema row. */
export function nativeFromSchemaRow(row: SchemaRow): NativeType {
  const text = row.COLUMN_TYPE.toLowerCase();
  const type = row.DATA_TYPE.toLowerCase();
  const width = /^tinyint\((\d+)\)/.exec(text);
  return {
    base: type,
    unsigned: /\bunsigned\b/.test(text),
    precision: type === 'tinyint' ? (width ? Number(width[1]) : null) : row.NUMERIC_PRECISION === null ? null : Number(row.NUMERIC_PRECISION),
    scale: row.NUMERIC_SCALE === null ? null : Number(row.NUMERIC_SCALE),
    text,
  };
}

/** The column metadata mysql2 reports for a result (the fields {@link nativeFromField} reads). */
export interface WireField {
  readonly name: string;
  readonly columnType: number;
  readonly flags: number;
  readonly decimals: number;
  readonly columnLength: number;
  readonly characterSet: number;
  /** MariaDB extended metadata: `json` for JSON columns, which are LONGTEXT on the wire. */
  readonly extendedFormat?: string;
  /** MariaDB extended metadata: `uuid`, `inet6`, `point`… */
  readonly extendedTypeName?: string;
}

const BINARY_CHARSET = 63;
const UNSIGNED_FLAG = 32;
const ENUM_FLAG = 256;
const SET_FLAG = 2048;
/** MySQL's "not a fixed number of decimals" marker (31 in MySQL, 39 in MariaDB). */
const MAX_FSP = 6;

const WIRE_BASE: Record<number, string> = {
  0: 'decimal', 246: 'decimal', 1: 'tinyint', 2: 'smallint', 3: 'int', 9: 'mediumint', 8: 'bigint', 4: 'float', 5: 'double',
  6: 'null', 7: 'timestamp', 17: 'timestamp', 10: 'date', 14: 'date', 11: 'time', 19: 'time', 12: 'datetime', 18: 'datetime',
  13: 'year', 16: 'bit', 245: 'json', 247: 'enum', 248: 'set', 255: 'geometry', 242: 'vector',
};

/** The native type of a result column, from its wire metadata. */
export function nativeFromField(field: WireField): NativeType {
  const unsigned = (field.flags & UNSIGNED_FLAG) !== 0;
  const binaryCharset = field.characterSet === BINARY_CHARSET;
  let base = WIRE_BASE[field.columnType];
  if (base === undefined) {
    // The string and blob family (15, 249-254): text or bytes by character set.
    if (field.flags & ENUM_FLAG) base = 'enum';
    else if (field.flags & SET_FLAG) base = 'set';
    else if (field.extendedFormat === 'json') base = 'json';
    else if (field.extendedTypeName && /^(uuid|inet4|inet6)$/.test(field.extendedTypeName)) base = field.extendedTypeName;
    else if (field.columnType >= 249 && field.columnType <= 252) base = binaryCharset ? 'blob' : 'text';
    else if (field.columnType === 254) base = binaryCharset ? 'binary' : 'char';
    else base = binaryCharset ? 'varbinary' : 'varchar';
  }
  let precision: number | null = null;
  let scale: number | null = null;
  let text = base;
  if (base === 'decimal') {
    scale = field.decimals;
    // columnLength counts the digits plus a '-' (signed) and a '.' (if any fraction).
    precision = field.columnLength - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1);
    text = `decimal(${precision},${scale})`;
  } else if (base === 'tinyint') {
    precision = field.columnLength;
    if (precision === 1) text = 'tinyint(1)';
  } else if ((base === 'datetime' || base === 'timestamp' || base === 'time') && field.decimals > 0 && field.decimals <= MAX_FSP) {
    text = `${base}(${field.decimals})`;
  }
  if (unsigned) text += ' unsigned';
  return { base, unsigned, precision, scale, text };
}
