import { readFile } from 'node:fs/promises';
import { Table, type RecordBatch } from 'apache-arrow';
import {
  checkKeyValue,
  checkKeyVector,
  InvalidInputError,
  InvalidTimestampError,
  readMicrosColumn,
  rowsToTable,
  timestamp,
  type DType,
  type KeyDType,
} from '@asof/core';
import { decodeParquet, parseLocalRoot } from '@asof/stores';

/**
 * Entities to look features up for: an Arrow table, plain rows (int64 keys
 * as `bigint` or whole numbers; times as `Date`, ISO-8601 with an offset,
 * epoch ms or epoch µs `bigint`), or the path (or `file://` URL) of a
 * Parquet file.
 */
export type EntitiesInput = Table | readonly Readonly<Record<string, unknown>>[] | string;

/** The time column of an entity spine when none is named. */
export const DEFAULT_TIME_COLUMN = 'event_timestamp';

/** Join key name -> the entity it identifies (for messages). */
export type KeyEntities = Readonly<Record<string, string>>;

/**
 * Turns entities into an Arrow spine with the join key columns `keys` and,
 * when `timeColumn` is given, a time column of instants. Every key is
 * checked against its entity's dtype (never wrapped or rounded: an int64
 * past 2^63, a fraction, a string for an integer key, a null) and every
 * time must be present. Throws `InvalidKeyError` naming the column, row,
 * value and key type, `InvalidInputError` for a missing column, or
 * `InvalidTimestampError` for a missing time or one without an offset.
 */
export async function toSpine(input: EntitiesInput, keys: Readonly<Record<string, KeyDType>>, timeColumn: string | null, entities: KeyEntities = {}): Promise<Table> {
  if (typeof input === 'string') return checkTable(await readParquet(input), keys, timeColumn, entities);
  if (input instanceof Table) return checkTable(input, keys, timeColumn, entities);
  if (!Array.isArray(input)) throw new InvalidInputError('entities must be an Arrow Table, an array of objects or a Parquet file path');
  return fromRows(input, keys, timeColumn, entities);
}

function fromRows(rows: readonly Readonly<Record<string, unknown>>[], keys: Readonly<Record<string, KeyDType>>, timeColumn: string | null, entities: KeyEntities): Table {
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
    const context = { source: 'entities', entity: entities[name] };
    rows.forEach((row, i) => checkKeyValue(row[name], dtype, name, i, context));
  }
  if (timeColumn) rows.forEach((row, i) => (row[timeColumn] === null || row[timeColumn] === undefined) && noTime(timeColumn, i));
  const dtypes: Record<string, DType> = { ...keys };
  if (timeColumn) dtypes[timeColumn] = timestamp();
  return rowsToTable(rows, dtypes, order);
}

function checkTable(table: Table, keys: Readonly<Record<string, KeyDType>>, timeColumn: string | null, entities: KeyEntities): Table {
  const names = table.schema.fields.map((f) => f.name);
  for (const [name, dtype] of Object.entries(keys)) {
    requireColumn(names, name, timeColumn);
    checkKeyVector(table.getChild(name)!, dtype, name, { source: 'entities', entity: entities[name] });
  }
  if (timeColumn) {
    requireColumn(names, timeColumn, timeColumn);
    const { valid } = readMicrosColumn(table, timeColumn);
    const missing = valid ? valid.indexOf(0) : -1;
    if (missing >= 0) noTime(timeColumn, missing);
  }
  return table;
}

/** A spine row without a time would silently come back as a row of nulls: refuse it. */
function noTime(timeColumn: string, row: number): never {
  throw new InvalidTimestampError(null, `entities column '${timeColumn}', row ${row} has no time; every entity row needs the instant to look its features up at`);
}

function requireColumn(names: readonly string[], name: string, timeColumn: string | null): void {
  if (names.includes(name)) return;
  const hint = name === timeColumn ? `; name the column that holds each row's time with { timeColumn }` : '';
  throw new InvalidInputError(`entities have no column '${name}'${hint}; they have ${names.map((n) => `'${n}'`).join(', ') || 'no columns'}`);
}

async function readParquet(location: string): Promise<Table> {
  const file = parseLocalRoot(location); // a path or a file:// URL, read like a local root
  const bytes = await readFile(file).catch((error: unknown) => {
    throw new InvalidInputError(`cannot read entities from ${JSON.stringify(location)}: ${(error as Error).message}`, { cause: error });
  });
  const batches: RecordBatch[] = [];
  for await (const batch of decodeParquet(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { source: file })) batches.push(batch);
  return new Table(batches);
}
