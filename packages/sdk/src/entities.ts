import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DataType, Table, type RecordBatch } from 'apache-arrow';
import { InvalidInputError, readMicrosColumn, rowsToTable, timestamp, type DType, type KeyDType } from '@asof/core';
import { decodeParquet } from '@asof/stores';

/**
 * Entities to look features up for: an Arrow table, plain rows (int64 keys
 * as `bigint` or whole numbers; times as `Date`, ISO-8601 with an offset,
 * epoch ms or epoch µs `bigint`), or the path (or `file://` URL) of a
 * Parquet file.
 */
export type EntitiesInput = Table | readonly Readonly<Record<string, unknown>>[] | string;

/** The time column of an entity spine when none is named. */
export const DEFAULT_TIME_COLUMN = 'event_timestamp';

/**
 * Turns entities into an Arrow spine with the join key columns `keys`
 * (checked against their dtypes) and, when `timeColumn` is given, a time
 * column of instants. Throws `InvalidInputError` naming the column and
 * what was expected, or `InvalidTimestampError` for a time without offset.
 */
export async function toSpine(input: EntitiesInput, keys: Readonly<Record<string, KeyDType>>, timeColumn: string | null): Promise<Table> {
  if (typeof input === 'string') return checkTable(await readParquet(input), keys, timeColumn);
  if (input instanceof Table) return checkTable(input, keys, timeColumn);
  if (!Array.isArray(input)) throw new InvalidInputError('entities must be an Arrow Table, an array of objects or a Parquet file path');
  return fromRows(input, keys, timeColumn);
}

function fromRows(rows: readonly Readonly<Record<string, unknown>>[], keys: Readonly<Record<string, KeyDType>>, timeColumn: string | null): Table {
  const order: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) throw new InvalidInputError(`entities must be objects, e.g. { account_id: 42n${timeColumn ? `, ${timeColumn}: new Date() ` : ''}}`);
    for (const name of Object.keys(row)) if (!seen.has(name)) seen.add(name), order.push(name);
  }
  const required = [...Object.keys(keys), ...(timeColumn ? [timeColumn] : [])];
  if (rows.length > 0) for (const name of required) requireColumn(order, name, timeColumn);
  else for (const name of required) if (!seen.has(name)) seen.add(name), order.push(name);
  for (const [name, dtype] of Object.entries(keys)) {
    rows.forEach((row, i) => checkKey(row[name], dtype, name, i));
  }
  const dtypes: Record<string, DType> = { ...keys };
  if (timeColumn) dtypes[timeColumn] = timestamp();
  return rowsToTable(rows, dtypes, order);
}

function checkKey(value: unknown, dtype: KeyDType, name: string, row: number): void {
  if (value === null || value === undefined) return;
  const integer = dtype.kind === 'int64' || dtype.kind === 'int32';
  const ok = integer ? typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value)) : typeof value === 'string';
  if (ok) return;
  const expected = integer ? `an ${dtype.kind} key (a bigint or a whole number)` : 'a string key';
  const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' ? Object.prototype.toString.call(value) : String(value);
  throw new InvalidInputError(`entities column '${name}', row ${row}: ${shown} (${typeof value}) is not ${expected}`);
}

function checkTable(table: Table, keys: Readonly<Record<string, KeyDType>>, timeColumn: string | null): Table {
  const names = table.schema.fields.map((f) => f.name);
  for (const [name, dtype] of Object.entries(keys)) {
    requireColumn(names, name, timeColumn);
    const type = table.getChild(name)!.type as DataType;
    const integer = dtype.kind === 'int64' || dtype.kind === 'int32';
    if (integer ? !DataType.isInt(type) : !DataType.isUtf8(type) && !DataType.isLargeUtf8(type)) {
      throw new InvalidInputError(`entities column '${name}' is ${String(type)}; expected ${integer ? `integers (${dtype.kind} key)` : 'strings (string key)'}`);
    }
  }
  if (timeColumn) {
    requireColumn(names, timeColumn, timeColumn);
    readMicrosColumn(table, timeColumn);
  }
  return table;
}

function requireColumn(names: readonly string[], name: string, timeColumn: string | null): void {
  if (names.includes(name)) return;
  const hint = name === timeColumn ? `; name the column that holds each row's time with { timeColumn }` : '';
  throw new InvalidInputError(`entities have no column '${name}'${hint}; they have ${names.map((n) => `'${n}'`).join(', ') || 'no columns'}`);
}

async function readParquet(location: string): Promise<Table> {
  const file = location.startsWith('file://') ? fileURLToPath(location) : location;
  const bytes = await readFile(file).catch((error: unknown) => {
    throw new InvalidInputError(`cannot read entities from ${JSON.stringify(location)}: ${(error as Error).message}`, { cause: error });
  });
  const batches: RecordBatch[] = [];
  for await (const batch of decodeParquet(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { source: file })) batches.push(batch);
  return new Table(batches);
}
