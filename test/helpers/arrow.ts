/**
 * Test helpers to build Arrow inputs exactly and to read Arrow outputs back
 * as plain JS values. Timestamps are built from `BigInt64Array` through
 * `makeData`: apache-arrow 21's `vectorFromArray` takes milliseconds and
 * would lose microseconds (REFERENCE.md, "Arrow and Parquet").
 */
import {
  Bool,
  DataType,
  DateDay,
  DateMillisecond,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeUnit,
  Timestamp,
  Utf8,
  vectorFromArray,
  type Data,
  type Vector,
} from 'apache-arrow';

/** A plain cell: int64 and timestamps as `bigint` (timestamps in their own unit), the rest as JS values. */
export type Cell = bigint | number | string | boolean | null;

/** A `Timestamp` vector whose raw int64 values are exactly `values` (in `unit`). */
export function tsVector(
  values: readonly (bigint | null)[],
  unit: TimeUnit = TimeUnit.MICROSECOND,
  timezone: string | null = 'UTC',
): Vector<Timestamp> {
  return fixedWidth(new Timestamp(unit, timezone), values, (n) => new BigInt64Array(n), 0n);
}

/** Timestamp(MICROSECOND, "UTC"): the asof storage type. */
export const tsUs = (values: readonly (bigint | null)[]): Vector<Timestamp> => tsVector(values);

export function int64Vector(values: readonly (bigint | null)[]): Vector<Int64> {
  return fixedWidth(new Int64(), values, (n) => new BigInt64Array(n), 0n);
}

export function int32Vector(values: readonly (number | null)[]): Vector<Int32> {
  return fixedWidth(new Int32(), values, (n) => new Int32Array(n), 0);
}

export function float64Vector(values: readonly (number | null)[]): Vector<Float64> {
  return fixedWidth(new Float64(), values, (n) => new Float64Array(n), 0);
}

/** Date(DAY): days since the epoch. */
export function dateDayVector(days: readonly (number | null)[]): Vector<DateDay> {
  return fixedWidth(new DateDay(), days, (n) => new Int32Array(n), 0);
}

/** Date(MILLISECOND): epoch milliseconds. */
export function dateMsVector(ms: readonly (bigint | null)[]): Vector<DateMillisecond> {
  return fixedWidth(new DateMillisecond(), ms, (n) => new BigInt64Array(n), 0n);
}

export function utf8Vector(values: readonly (string | null)[]): Vector<Utf8> {
  return vectorFromArray(values as (string | null)[], new Utf8());
}

export function boolVector(values: readonly (boolean | null)[]): Vector<Bool> {
  return vectorFromArray(values as (boolean | null)[], new Bool());
}

/** A vector of `type` holding `cells` (the inverse of {@link vectorCells}). */
export function vectorOf(type: DataType, cells: readonly Cell[]): Vector {
  if (DataType.isTimestamp(type)) return tsVector(cells as (bigint | null)[], type.unit, type.timezone);
  if (DataType.isInt(type) && type.bitWidth === 64) return int64Vector(cells as (bigint | null)[]);
  if (DataType.isInt(type) && type.bitWidth === 32) return int32Vector(cells as (number | null)[]);
  if (DataType.isFloat(type)) return float64Vector(cells as (number | null)[]);
  if (DataType.isUtf8(type)) return utf8Vector(cells as (string | null)[]);
  if (DataType.isBool(type)) return boolVector(cells as (boolean | null)[]);
  if (type instanceof DateDay) return dateDayVector(cells as (number | null)[]);
  if (type instanceof DateMillisecond) return dateMsVector(cells as (bigint | null)[]);
  throw new Error(`vectorOf: unsupported type ${String(type)}`);
}

/**
 * Plain values of a vector. Timestamps and Date(MILLISECOND) come back as
 * their raw int64 (`bigint`, in the column's own unit), read from the
 * buffers, never through `.get()` (which rounds to float milliseconds).
 */
export function vectorCells(vector: Vector): Cell[] {
  const out: Cell[] = [];
  for (const data of vector.data) out.push(...dataCells(data));
  return out;
}

function dataCells(data: Data): Cell[] {
  const type = data.type as DataType;
  const out: Cell[] = new Array(data.length);
  if (DataType.isTimestamp(type) || type instanceof DateMillisecond || (DataType.isInt(type) && type.bitWidth === 64)) {
    // `values` of a sliced Data already starts at the slice (apache-arrow slices fixed-width buffers).
    const values = data.values as unknown as BigInt64Array;
    for (let i = 0; i < data.length; i++) out[i] = data.getValid(i) ? values[i]! : null;
    return out;
  }
  const vector = makeVector(data);
  for (let i = 0; i < data.length; i++) {
    const v = vector.get(i) as unknown;
    out[i] = v === null || v === undefined ? null : (v as Cell);
  }
  return out;
}

/** Every column of a table as plain cells, by name. */
export function tableCells(table: Table): Record<string, Cell[]> {
  const out: Record<string, Cell[]> = {};
  for (const field of table.schema.fields) out[field.name] = vectorCells(table.getChild(field.name)!);
  return out;
}

/** A one-batch table from named single-chunk vectors; every field nullable. */
export function tableOf(columns: Record<string, Vector>): Table {
  const names = Object.keys(columns);
  const schema = new Schema(names.map((name) => new Field(name, columns[name]!.type, true)));
  return new Table(schema, [batchOf(schema, names.map((name) => columns[name]!))]);
}

/** One record batch of `schema` from single-chunk vectors (or an empty one). */
export function batchOf(schema: Schema, vectors: readonly Vector[]): RecordBatch {
  const length = vectors[0]?.length ?? 0;
  const children = vectors.map((v) => {
    if (v.data.length === 1) return v.data[0]!;
    return vectorOf(v.type, vectorCells(v)).data[0]!;
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, children, nullCount: 0 }));
}

/**
 * The same table re-cut into record batches of the given sizes (the last
 * batch takes the rest). `copy` rebuilds every batch from fresh buffers;
 * `slice` uses `Table.slice`, so batches are offset views into one buffer.
 */
export function rechunk(table: Table, sizes: readonly number[], mode: 'copy' | 'slice' = 'copy'): Table {
  const n = table.numRows;
  const bounds: [number, number][] = [];
  let start = 0;
  for (const size of sizes) {
    if (start >= n) break;
    const end = Math.min(n, start + Math.max(0, size));
    bounds.push([start, end]);
    start = end;
  }
  if (start < n || bounds.length === 0) bounds.push([start, n]);
  const batches: RecordBatch[] = [];
  if (mode === 'slice') {
    for (const [a, b] of bounds) batches.push(...table.slice(a, b).batches);
  } else {
    const cells = tableCells(table);
    for (const [a, b] of bounds) {
      batches.push(batchOf(table.schema, table.schema.fields.map((f) => vectorOf(f.type, cells[f.name]!.slice(a, b)))));
    }
  }
  return new Table(table.schema, batches);
}

function fixedWidth<T extends DataType, A extends BigInt64Array | Int32Array | Float64Array>(
  type: T,
  values: readonly (A[number] | null)[],
  alloc: (n: number) => A,
  zero: A[number],
): Vector<T> {
  const n = values.length;
  const data = alloc(n);
  const bitmap = new Uint8Array(((n + 63) & ~63) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      nulls++;
      data[i] = zero;
    } else {
      data[i] = v;
      bitmap[i >> 3]! |= 1 << (i & 7);
    }
  }
  return makeVector(
    makeData({ type, length: n, data, nullBitmap: nulls ? bitmap : undefined, nullCount: nulls } as never),
  ) as unknown as Vector<T>;
}

/** apache-arrow itself, for code outside the workspace packages (bench/) that cannot resolve it directly. */
export * as Arrow from 'apache-arrow';
