import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  civilFromDays,
  columnValues,
  daysFromCivil,
  Decimal,
  Instant,
  isDecimal,
  parseIsoMicros,
  rowsToTable,
  type DecimalDType,
  type DType,
  type Source,
} from '@asof/core';
import { decodeParquet } from '@asof/stores';
import { DataType, Table, type RecordBatch, type Vector } from 'apache-arrow';
import { formatDType } from '../sources/check-schema.js';
import { CsvSyntaxError, parseCsv } from './csv.js';
import { SeedFileError } from './seed-file-error.js';

const INT32 = [-(2n ** 31n), 2n ** 31n - 1n] as const;
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^(?:NaN|[+-]?Infinity)$/;

/**
 * Reads a file of row versions for `asof seed` (`.csv` or `.parquet`) into a
 * table of exactly the source's declared columns, each of its declared
 * dtype, in declared order. Every declared column must be there and no
 * other; every value must fit its dtype exactly: integers in range,
 * decimals with at most the declared scale and precision (never through a
 * float: a Parquet float column is refused for a decimal), timestamps with
 * an offset (CSV: ISO-8601 with `Z` or `+hh:mm`; Parquet: a Timestamp with
 * a time zone). CSV cells: empty unquoted = NULL, `""` = empty string,
 * booleans `true`/`false`. Anything else is a {@link SeedFileError} naming
 * the file, the row and the column.
 */
export async function readSeedFile(file: string, source: Source, options: { readonly cwd?: string; readonly signal?: AbortSignal } = {}): Promise<Table> {
  const declared = source.columns;
  if (!declared) throw new SeedFileError(file, {}, `source '${source.name}' declares no columns, so the file cannot be checked; declare them in its definition`);
  const full = path.resolve(options.cwd ?? process.cwd(), file);
  const bytes = await readFile(full, { signal: options.signal }).catch((error: unknown) => {
    throw new SeedFileError(file, {}, `cannot be read (${(error as Error).message})`, { cause: error });
  });
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return fromCsv(file, new TextDecoder('utf-8', { fatal: false }).decode(bytes), source.name, declared);
  if (ext === '.parquet') return fromParquet(file, bytes, source.name, declared, options.signal);
  throw new SeedFileError(file, {}, `is neither .csv nor .parquet; name it after its format`);
}

function fromCsv(file: string, text: string, source: string, declared: Readonly<Record<string, DType>>): Table {
  let csv;
  try {
    csv = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    throw new SeedFileError(file, { row: error.row }, `${error.message} (line ${error.line})`, { cause: error });
  }
  const index = checkColumns(file, source, declared, csv.header);
  const rows = csv.lines.length;
  const columns: Record<string, unknown[]> = {};
  for (const [name, dtype] of Object.entries(declared)) {
    const cells = csv.columns[index.get(name)!]!;
    columns[name] = cells.map((cell, i) => (cell === null ? null : typed(file, i + 1, name, dtype, cell)));
  }
  return build(file, declared, columns, rows);
}

async function fromParquet(file: string, bytes: Uint8Array, source: string, declared: Readonly<Record<string, DType>>, signal?: AbortSignal): Promise<Table> {
  const batches: RecordBatch[] = [];
  try {
    for await (const batch of decodeParquet(bytes, { signal, source: file })) batches.push(batch);
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new SeedFileError(file, {}, `is not a readable Parquet file (${(error as Error).message})`, { cause: error });
  }
  if (batches.length === 0) throw new SeedFileError(file, {}, 'holds no rows');
  const table = new Table(batches);
  checkColumns(file, source, declared, table.schema.fields.map((f) => f.name));
  const columns: Record<string, unknown[]> = {};
  for (const [name, dtype] of Object.entries(declared)) {
    const vector = table.getChild(name)!;
    if (!accepts(dtype, vector.type as DataType)) {
      throw new SeedFileError(file, { column: name }, `is ${String(vector.type)} in the file but ${formatDType(dtype)} in the source; write it as ${formatDType(dtype)}`);
    }
    let values: unknown[];
    try {
      values = columnValues(vector as Vector, name);
    } catch (error) {
      throw new SeedFileError(file, { column: name }, (error as Error).message, { cause: error });
    }
    columns[name] = values.map((v, i) => (v === null ? null : typed(file, i + 1, name, dtype, v)));
  }
  return build(file, declared, columns, table.numRows);
}

/** Header name -> position; every declared column exactly once, nothing else. */
function checkColumns(file: string, source: string, declared: Readonly<Record<string, DType>>, header: readonly string[]): Map<string, number> {
  const names = Object.keys(declared);
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (index.has(name)) throw new SeedFileError(file, { column: name }, 'appears twice in the header');
    if (!Object.hasOwn(declared, name)) {
      throw new SeedFileError(file, { column: name }, `is not a declared column of source '${source}' (it declares ${names.join(', ')})`);
    }
    index.set(name, i);
  });
  const missing = names.filter((n) => !index.has(n));
  if (missing.length > 0) throw new SeedFileError(file, { column: missing[0]! }, `is missing; the file needs every declared column of source '${source}' (${names.join(', ')})`);
  return index;
}

// Which Arrow types a declared dtype takes from Parquet without guessing or rounding.
function accepts(dtype: DType, type: DataType): boolean {
  switch (dtype.kind) {
    case 'int32':
    case 'int64':
      return DataType.isInt(type);
    case 'float64':
      return DataType.isFloat(type) || DataType.isInt(type);
    case 'decimal':
      return DataType.isDecimal(type) || DataType.isInt(type);
    case 'bool':
      return DataType.isBool(type);
    case 'string':
      return DataType.isUtf8(type) || DataType.isLargeUtf8(type) || (DataType.isDictionary(type) && DataType.isUtf8(type.dictionary));
    case 'timestamp':
      return DataType.isTimestamp(type) || DataType.isUtf8(type);
    case 'date':
      return DataType.isDate(type);
    case 'binary':
      return DataType.isBinary(type);
    case 'list':
      return false;
  }
}

/** One value as its dtype's exact JS value (CSV text, or what Arrow gave), or a {@link SeedFileError}. */
function typed(file: string, row: number, column: string, dtype: DType, value: unknown): unknown {
  const fail = (what: string): never => {
    throw new SeedFileError(file, { row, column }, `${describeValue(value)} is not ${what}`);
  };
  switch (dtype.kind) {
    case 'int32':
    case 'int64': {
      const n = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : typeof value === 'string' && INTEGER.test(value) ? BigInt(value) : null;
      const [lo, hi] = dtype.kind === 'int32' ? INT32 : INT64;
      if (n === null || n < lo || n > hi) return fail(`an ${dtype.kind}`);
      return dtype.kind === 'int32' ? Number(n) : n;
    }
    case 'float64':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      return typeof value === 'string' && FLOAT.test(value) ? Number(value) : fail('a number');
    case 'decimal': {
      const { precision, scale } = dtype as DecimalDType;
      let d: Decimal;
      try {
        d = isDecimal(value) || typeof value === 'bigint' || typeof value === 'string' ? Decimal.from(value) : fail(`a ${formatDType(dtype)}`);
      } catch (error) {
        if (error instanceof SeedFileError) throw error;
        return fail(`a ${formatDType(dtype)}`);
      }
      let exact: Decimal;
      try {
        exact = d.withScale(scale);
      } catch {
        return fail(`a ${formatDType(dtype)}: it has more than ${scale} digits after the point`);
      }
      if (exact.abs().unscaled >= 10n ** BigInt(precision)) return fail(`a ${formatDType(dtype)}: it has more than ${precision} digits`);
      return exact;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      return value === 'true' ? true : value === 'false' ? false : fail("a boolean (true or false)");
    case 'string':
      return typeof value === 'string' ? value : fail('a string');
    case 'timestamp': {
      if (value instanceof Date) return value;
      try {
        return typeof value === 'string' ? new Instant(parseIsoMicros(value)) : fail('a timestamp');
      } catch (error) {
        if (error instanceof SeedFileError) throw error;
        return fail(`a timestamp with an offset (${(error as Error).message})`);
      }
    }
    case 'date': {
      const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
      if (!m) return fail("a 'YYYY-MM-DD' date");
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const [by, bm, bd] = civilFromDays(daysFromCivil(y, mo, d));
      if (by !== y || bm !== mo || bd !== d) return fail('a date that exists');
      return value;
    }
    case 'binary':
      return value instanceof Uint8Array ? value : fail('binary (CSV cannot hold binary columns; use Parquet)');
    case 'list':
      return fail(`a ${formatDType(dtype)} (seed files cannot hold lists)`);
  }
}

function build(file: string, declared: Readonly<Record<string, DType>>, columns: Record<string, unknown[]>, rows: number): Table {
  if (rows === 0) throw new SeedFileError(file, {}, 'holds no rows');
  const objects = Array.from({ length: rows }, (_, i) => Object.fromEntries(Object.keys(declared).map((name) => [name, columns[name]![i]])));
  return rowsToTable(objects, declared, Object.keys(declared));
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'bigint') return `${value}`;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
