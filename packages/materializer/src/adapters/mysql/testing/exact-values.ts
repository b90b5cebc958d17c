/**
 * Reads record batches back as exact JS values for assertions (not part of
 * the build): Int64 and Timestamp as their raw `bigint`s, Decimal128 as its
 * scaled `bigint`, Date(DAY) as the day number, Binary as hex. Nothing goes
 * through `Date` or a float, so a wrong microsecond or digit shows.
 */
import { DataType, type Data, type RecordBatch } from 'apache-arrow';
import { readDecimalWords } from '../value-parsers.js';

/** One row, column name to exact value (`null` for null). */
export type ExactRow = Record<string, unknown>;

/** Collects an async iterable of batches. */
export async function collect(batches: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const batch of batches) out.push(batch);
  return out;
}

/** Every row of the batches, in order, with exact values. */
export function exactRows(batches: readonly RecordBatch[]): ExactRow[] {
  const rows: ExactRow[] = [];
  for (const batch of batches) {
    const columns = batch.schema.fields.map((field, c) => ({ name: field.name, data: batch.data.children[c]! }));
    for (let i = 0; i < batch.numRows; i++) {
      const row: ExactRow = {};
      for (const { name, data } of columns) row[name] = exactValue(data, i);
      rows.push(row);
    }
  }
  return rows;
}

/** The exact value at `i` of one column's data. */
export function exactValue(data: Data, i: number): unknown {
  if (!data.getValid(i)) return null;
  const type = data.type as DataType;
  if (DataType.isInt(type) && type.bitWidth === 64) return (data.values as BigInt64Array)[i];
  if (DataType.isTimestamp(type)) return (data.values as BigInt64Array)[i];
  if (DataType.isDecimal(type)) return readDecimalWords(data.values as Uint32Array, i);
  if (DataType.isDate(type)) return (data.values as Int32Array)[i];
  if (DataType.isBool(type)) return ((data.values as Uint8Array)[i >> 3]! & (1 << (i & 7))) !== 0;
  if (DataType.isBinary(type) || DataType.isUtf8(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = (data.values as Uint8Array).subarray(offsets[i]!, offsets[i + 1]!);
    return DataType.isUtf8(type) ? new TextDecoder().decode(bytes) : Buffer.from(bytes).toString('hex');
  }
  return (data.values as ArrayLike<unknown>)[i];
}
