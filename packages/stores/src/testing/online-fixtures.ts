/**
 * Fixtures for the online store suites (not part of the build): exact Arrow
 * columns of any dtype (lists of µs timestamps and decimals, binaries,
 * which `rowsToTable` cannot build exactly) and a comparable form of read
 * values (Instants by µs, Decimals by their exact text, -0 and NaN spelled out).
 */
import { Binary, Field, List, makeData, makeVector, Table, type Data, type Vector } from 'apache-arrow';
import { Instant, isDecimal, rowsToTable, toArrowType, type DType, type ListDType, type OnlineReadResult } from '@asof/core';

/** A column of `dtype` holding exactly `values` (null for null). */
export function columnOf(dtype: DType, values: readonly unknown[]): Vector {
  return makeVector(dataOf(dtype, values));
}

function dataOf(dtype: DType, values: readonly unknown[]): Data {
  const valid = Uint8Array.from(values, (v) => (v === null || v === undefined ? 0 : 1));
  const nullCount = valid.length - valid.reduce((a, b) => a + b, 0);
  const nullBitmap = nullCount > 0 ? bitmap(valid) : undefined;
  if (dtype.kind === 'list') {
    const item = (dtype as ListDType<unknown>).item;
    const offsets = new Int32Array(values.length + 1);
    const items: unknown[] = [];
    values.forEach((v, i) => {
      if (Array.isArray(v)) items.push(...v);
      offsets[i + 1] = items.length;
    });
    return makeData({ type: new List(new Field('item', toArrowType(item), true)), length: values.length, nullCount, nullBitmap, valueOffsets: offsets, child: dataOf(item, items) });
  }
  if (dtype.kind === 'binary') {
    const offsets = new Int32Array(values.length + 1);
    const chunks = values.map((v) => (v instanceof Uint8Array ? v : new Uint8Array(0)));
    chunks.forEach((c, i) => (offsets[i + 1] = offsets[i]! + c.length));
    const bytes = new Uint8Array(offsets[values.length]!);
    chunks.forEach((c, i) => bytes.set(c, offsets[i]!));
    return makeData({ type: new Binary(), length: values.length, nullCount, nullBitmap, valueOffsets: offsets, data: bytes });
  }
  return rowsToTable(values.map((x) => ({ x })), { x: dtype }).getChild('x')!.data[0]!;
}

/** A table from `name -> [dtype, values]`, all columns the same length. */
export function tableOf(columns: Readonly<Record<string, readonly [DType, readonly unknown[]]>>): Table {
  return new Table(Object.fromEntries(Object.entries(columns).map(([name, [dtype, values]]) => [name, columnOf(dtype, values)])));
}

function bitmap(valid: Uint8Array): Uint8Array {
  const bits = new Uint8Array(((valid.length + 63) & ~63) >> 3);
  valid.forEach((v, i) => v && (bits[i >> 3]! |= 1 << (i & 7)));
  return bits;
}

/** A value in a form `toEqual` compares exactly: Instants as `ts:<µs>`, bytes as hex, `-0`, `NaN`. */
export function plain(value: unknown): unknown {
  if (value instanceof Instant) return `ts:${value.micros}`;
  if (isDecimal(value)) return `dec:${value.toString()}`;
  if (value instanceof Date) return `date-ms:${value.getTime()}`;
  if (value instanceof Uint8Array) return `bin:${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'number' && (Object.is(value, -0) || Number.isNaN(value))) return `num:${Object.is(value, -0) ? '-0' : 'NaN'}`;
  return value;
}

/** Read rows as `{ key, values, status }` with {@link plain} values. */
export function plainRows(result: OnlineReadResult): { key: unknown; values: Record<string, unknown>; status: Record<string, string> }[] {
  return result.rows.map((r) => ({
    key: r.key,
    values: Object.fromEntries(Object.entries(r.values).map(([k, v]) => [k, plain(v)])),
    status: { ...r.status },
  }));
}
