import { mkdtemp, appendFile, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeData, makeVector, RecordBatch, RecordBatchReader, Schema, Struct, Table, tableToIPC, vectorFromArray, type DataType, type Field } from 'apache-arrow';
import { groupByBucket, takeRows, typeKey } from '@asof/core';

/**
 * Rows split into `n` buckets and kept on local disk (Arrow IPC streams
 * appended to one file per bucket), so a stage can produce rows for every
 * bucket while the next stage holds one bucket at a time: memory is bounded
 * by the flush size and the largest bucket, not by the data. With one
 * bucket nothing is written: the rows stay in memory.
 */
export class SpillBuckets {
  private readonly pending: RecordBatch[][];
  private readonly pendingRows: number[];
  private dir: string | null = null;

  constructor(
    readonly buckets: number,
    private readonly flushRows = 100_000,
  ) {
    this.pending = Array.from({ length: buckets }, () => []);
    this.pendingRows = new Array<number>(buckets).fill(0);
  }

  /** Adds each row of `batch` to the bucket `bucketOf[i]`. */
  async add(batch: RecordBatch, bucketOf: Int32Array): Promise<void> {
    if (batch.numRows === 0) return;
    if (this.buckets === 1) {
      this.pending[0]!.push(batch);
      return;
    }
    for (const [b, rows] of groupByBucket(bucketOf, this.buckets)) {
      const part = takeRows(batch, rows);
      this.pending[b]!.push(part);
      this.pendingRows[b]! += part.numRows;
      if (this.pendingRows[b]! >= this.flushRows) await this.flush(b);
    }
  }

  /**
   * Every row of bucket `b` as one table (columns unified across batches),
   * or `null` if it is empty. The bucket is emptied unless `keep` is set
   * (to read it again, e.g. when a commit must be recomputed); a kept
   * bucket's rows go to disk first, so keeping holds no more in memory.
   */
  async read(b: number, options: { readonly keep?: boolean } = {}): Promise<Table | null> {
    if (options.keep && this.buckets > 1 && this.pending[b]!.length > 0) await this.flush(b);
    const batches: RecordBatch[] = [];
    if (this.dir) {
      const bytes = await readFile(this.file(b)).catch(() => null);
      if (bytes) for (const reader of RecordBatchReader.readAll(bytes)) for (const batch of reader) batches.push(batch);
    }
    batches.push(...this.pending[b]!);
    if (!options.keep) {
      this.pending[b] = [];
      this.pendingRows[b] = 0;
    }
    return batches.length === 0 ? null : unify(batches);
  }

  /** Removes the spill files. */
  async close(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  private async flush(b: number): Promise<void> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'asof-spill-'));
    const table = unify(this.pending[b]!);
    await appendFile(this.file(b), tableToIPC(table, 'stream'));
    this.pending[b] = [];
    this.pendingRows[b] = 0;
  }

  private file(b: number): string {
    return join(this.dir!, `${b}.arrows`);
  }
}

/**
 * One table from batches whose schemas may differ only where a column was
 * all null in some batch (its type was inferred from nothing there): such a
 * column takes the type it has where it holds values.
 */
export function unify(batches: readonly RecordBatch[]): Table {
  const first = batches[0]!;
  if (batches.every((b) => sameSchema(b.schema, first.schema))) return new Table(batches as RecordBatch[]);
  const names = [...new Set(batches.flatMap((b) => b.schema.fields.map((f) => f.name)))];
  const types = new Map<string, DataType>();
  for (const name of names) {
    const typed = batches.find((b) => (b.getChild(name)?.nullCount ?? b.numRows) < b.numRows) ?? batches.find((b) => b.getChild(name));
    types.set(name, typed!.schema.fields.find((f) => f.name === name)!.type);
  }
  const schema = new Schema(names.map((name) => first.schema.fields.find((f) => f.name === name)?.clone({ type: types.get(name)!, nullable: true }) ?? fieldOf(name, types.get(name)!)));
  const conformed = batches.map((batch) => {
    const children = schema.fields.map((field) => {
      const column = batch.getChild(field.name);
      if (column && typeKey(column.type) === typeKey(field.type)) return column.data[0]!;
      if (column && column.nullCount < batch.numRows) throw new Error(`column '${field.name}' is ${String(column.type)} in one part and ${String(field.type)} in another`);
      return vectorFromArray(new Array<null>(batch.numRows).fill(null), field.type).data[0]!;
    });
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children }));
  });
  return new Table(schema, conformed);
}

function sameSchema(a: Schema, b: Schema): boolean {
  return a.fields.length === b.fields.length && a.fields.every((f, i) => f.name === b.fields[i]!.name && typeKey(f.type) === typeKey(b.fields[i]!.type));
}

function fieldOf(name: string, type: DataType): Field {
  return new Table({ [name]: makeVector(vectorFromArray([null], type)) }).schema.fields[0]!;
}
