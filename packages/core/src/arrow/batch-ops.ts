import { DataType, Field, makeData, RecordBatch, Schema, Struct, Table, vectorFromArray, type Data, type Vector } from 'apache-arrow';
import { SchemaMismatchError } from '../errors.js';
import { gather } from './gather.js';

/** A schema with every field nullable, so files written from different batches agree. */
export function nullableSchema(schema: Schema): Schema {
  return new Schema(
    schema.fields.map((f) => (f.nullable ? f : new Field(f.name, f.type, true, f.metadata))),
    schema.metadata,
  );
}

/** A type's identity for comparisons: `String(type)`, with dictionary ids left out. */
export function typeKey(type: DataType): string {
  if (DataType.isDictionary(type)) return `Dictionary<${typeKey(type.indices)}, ${typeKey(type.dictionary)}>`;
  if (DataType.isList(type)) return `List<${typeKey(type.children[0]!.type)}>`;
  return String(type);
}

/** Builds a record batch from columns that all have `schema.fields.length` rows. */
export function makeBatch(schema: Schema, columns: readonly Data[], length: number): RecordBatch {
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: [...columns] }));
}

/**
 * Re-shapes `batch` to `schema`: columns matched by name and re-typed to the
 * schema's (identical) types so batches from different files share one
 * schema object; a missing column becomes nulls, an extra one is dropped. A
 * column whose type differs throws {@link SchemaMismatchError}.
 */
export function conformBatch(batch: RecordBatch, schema: Schema, where: string): RecordBatch {
  if (batch.schema === schema) return batch;
  const columns = schema.fields.map((field) => {
    const index = batch.schema.fields.findIndex((f) => f.name === field.name);
    if (index < 0) return nullData(field.type, batch.numRows);
    const data = batch.getChildAt(index)!.data[0]!;
    if (typeKey(data.type) !== typeKey(field.type)) {
      throw new SchemaMismatchError(field.name, `column '${field.name}' is ${typeKey(data.type)} in ${where} but ${typeKey(field.type)} elsewhere`);
    }
    return data.type === field.type ? data : data.clone(field.type);
  });
  return makeBatch(schema, columns, batch.numRows);
}

/** Rows `take[i]` of `batch`, in that order. */
export function takeRows(batch: RecordBatch, take: Int32Array): RecordBatch {
  const columns = batch.schema.fields.map((_, i) => gather(batch.getChildAt(i)! as Vector, take).data[0]!);
  return makeBatch(batch.schema, columns, take.length);
}

/** The rows where `keep[i]` is non-zero; the batch itself when all are kept. */
export function filterRows(batch: RecordBatch, keep: Uint8Array): RecordBatch {
  let count = 0;
  for (let i = 0; i < keep.length; i++) count += keep[i] ? 1 : 0;
  if (count === batch.numRows) return batch;
  const take = new Int32Array(count);
  for (let i = 0, j = 0; i < keep.length; i++) if (keep[i]) take[j++] = i;
  return takeRows(batch, take);
}

/** The columns of `schema`, in its order, taken by name (throws on a missing one). */
export function selectColumns(batch: RecordBatch, schema: Schema): RecordBatch {
  const columns = schema.fields.map((f) => {
    const v = batch.getChild(f.name);
    if (!v) throw new SchemaMismatchError(f.name, `column '${f.name}' not found`);
    return v.data[0]!;
  });
  return makeBatch(schema, columns, batch.numRows);
}

/** Approximate in-memory size of a batch (buffers of every column, dictionaries included). */
export function batchBytes(batch: RecordBatch): number {
  let total = 0;
  for (let i = 0; i < batch.numCols; i++) for (const d of batch.getChildAt(i)!.data) total += dataBytes(d);
  return total;
}

function dataBytes(data: Data): number {
  let n = (data.values?.byteLength ?? 0) + (data.valueOffsets?.byteLength ?? 0) + (data.nullBitmap?.byteLength ?? 0);
  for (const child of data.children) n += dataBytes(child);
  if (data.dictionary) for (const d of data.dictionary.data) n += dataBytes(d);
  return n;
}

function nullData(type: DataType, length: number): Data {
  return vectorFromArray(new Array<null>(length).fill(null), type).data[0]!;
}

/** Rows `take[i]` of a table (any number of batches), as a one-batch table with the same schema. */
export function takeTable(table: Table, take: Int32Array): Table {
  const columns = table.schema.fields.map((f) => gather(table.getChild(f.name)! as Vector, take).data[0]!);
  return new Table(table.schema, [makeBatch(table.schema, columns, take.length)]);
}
