/**
 * Decoded row changes of one source as one Arrow record batch: the
 * source's declared columns in declaration order (Arrow types from
 * `toArrowType`, all nullable), the version-time column set on every row,
 * and `_asof_deleted` (true for a delete, whose other columns are null but
 * the primary key and the version time). Built column by column into
 * typed arrays, without Arrow builders.
 */
import { Bool, Field, makeData, RecordBatch, Schema, Struct, type Data, type DataType } from 'apache-arrow';
import {
  InvalidInputError,
  isDecimal,
  TOMBSTONE_COLUMN,
  toArrowType,
  versionTimeOf,
  writeDecimal,
  type DecimalDType,
  type DType,
  type Source,
} from '@asof/core';
import type { DecodedValue, RowChange } from './changes.js';

/** The Arrow schema of {@link rowVersionBatch} for a source. */
export function rowVersionSchema(source: Source): Schema {
  const columns = declaredColumns(source);
  return new Schema([
    ...columns.map(([name, dtype]) => new Field(name, toArrowType(dtype), true)),
    new Field(TOMBSTONE_COLUMN, new Bool(), false),
  ]);
}

/** The row versions of `changes` (upserts and deletes of `source`, in order) as a record batch. */
export function rowVersionBatch(source: Source, changes: readonly RowChange[]): RecordBatch {
  const schema = rowVersionSchema(source);
  const columns = declaredColumns(source);
  const versionColumn = versionTimeOf(source);
  const n = changes.length;
  for (let i = 0; i < n; i++) {
    const change = changes[i]!;
    if (change.source !== source.name || (change.kind !== 'upsert' && change.kind !== 'delete')) {
      throw new InvalidInputError(`rowVersionBatch: change ${i} is a ${change.kind} of '${String(change.source)}', not a row change of source '${source.name}'`);
    }
  }
  const value = (change: RowChange, column: string): DecodedValue | null => {
    if (column === versionColumn) return change.versionTime;
    if (change.kind === 'upsert') return change.row[column] ?? null;
    return Object.hasOwn(change.key, column) ? change.key[column]! : null;
  };
  const children: Data[] = columns.map(([name, dtype], c) =>
    columnData(schema.fields[c]!.type, dtype, n, (i) => value(changes[i]!, name), `column '${name}' of source '${source.name}'`),
  );
  const deleted = new Uint8Array(bitmapBytes(n));
  for (let i = 0; i < n; i++) if (changes[i]!.kind === 'delete') deleted[i >> 3]! |= 1 << (i & 7);
  children.push(makeData({ type: new Bool(), length: n, data: deleted, nullCount: 0 }));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
}

function declaredColumns(source: Source): [string, DType][] {
  if (!source.columns) throw new InvalidInputError(`rowVersionBatch: source '${source.name}' declares no columns`);
  return Object.entries(source.columns);
}

/** `makeData` for a type known only at run time. */
const anyData = makeData as unknown as (props: Record<string, unknown>) => Data;

function columnData(type: DataType, dtype: DType, n: number, at: (i: number) => DecodedValue | null, what: string): Data {
  const validity = new Uint8Array(bitmapBytes(n));
  let nulls = 0;
  const wrong = (i: number, v: unknown): never => {
    throw new InvalidInputError(`rowVersionBatch: ${what}, row ${i}, holds ${typeof v} ${String(v)}, not a ${dtype.kind} value`);
  };
  // Marks row i valid or null and returns its value when valid.
  const get = (i: number): DecodedValue | null => {
    const v = at(i);
    if (v === null || v === undefined) nulls++;
    else validity[i >> 3]! |= 1 << (i & 7);
    return v ?? null;
  };
  const fixed = (data: ArrayBufferView): Data => anyData({ type, length: n, data, nullBitmap: nulls > 0 ? validity : undefined, nullCount: nulls });
  switch (dtype.kind) {
    case 'int32':
    case 'date': {
      const values = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = get(i);
        if (v !== null) values[i] = typeof v === 'number' && Number.isInteger(v) ? v : wrong(i, v);
      }
      return fixed(values);
    }
    case 'float64': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = get(i);
        if (v !== null) values[i] = typeof v === 'number' ? v : wrong(i, v);
      }
      return fixed(values);
    }
    case 'int64':
    case 'timestamp': {
      const values = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = get(i);
        if (v !== null) values[i] = typeof v === 'bigint' ? v : wrong(i, v);
      }
      return fixed(values);
    }
    case 'bool': {
      const bits = new Uint8Array(bitmapBytes(n));
      for (let i = 0; i < n; i++) {
        const v = get(i);
        if (v === true) bits[i >> 3]! |= 1 << (i & 7);
        else if (v !== null && v !== false) wrong(i, v);
      }
      return fixed(bits);
    }
    case 'decimal': {
      const scale = (dtype as DecimalDType).scale;
      const words = new Uint32Array(n * 4);
      for (let i = 0; i < n; i++) {
        const v = get(i);
        if (v === null) continue;
        if (!isDecimal(v) || v.scale !== scale) return wrong(i, v);
        writeDecimal(words, i, v.unscaled);
      }
      return fixed(words);
    }
    case 'string':
    case 'binary': {
      const parts: (Uint8Array | null)[] = new Array(n);
      let total = 0;
      const encoder = new TextEncoder();
      for (let i = 0; i < n; i++) {
        const v = get(i);
        const bytes = v === null ? null : dtype.kind === 'string' ? (typeof v === 'string' ? encoder.encode(v) : wrong(i, v)) : v instanceof Uint8Array ? v : wrong(i, v);
        parts[i] = bytes;
        total += bytes?.length ?? 0;
      }
      if (total > 0x7fffffff) throw new InvalidInputError(`rowVersionBatch: ${what} holds more than 2 GiB in one batch; batch fewer changes`);
      const offsets = new Int32Array(n + 1);
      const data = new Uint8Array(total);
      let end = 0;
      for (let i = 0; i < n; i++) {
        const bytes = parts[i];
        if (bytes) data.set(bytes, end), (end += bytes.length);
        offsets[i + 1] = end;
      }
      return anyData({ type, length: n, valueOffsets: offsets, data, nullBitmap: nulls > 0 ? validity : undefined, nullCount: nulls });
    }
    case 'list':
      throw new InvalidInputError(`rowVersionBatch: ${what} is a list, which change events never carry`);
  }
}

function bitmapBytes(n: number): number {
  // Arrow buffers are padded to 64 bytes.
  return ((n + 511) >> 9) << 6;
}
