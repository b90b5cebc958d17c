import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Table, tableFromIPC, tableToIPC, type RecordBatch } from 'apache-arrow';
import { keyBuckets, takeTable } from '@asof/core';

/**
 * Rows split by entity-key bucket (core's `keyBuckets`, so a spine and a
 * view split the same way), held in memory up to `maxRows` in all and
 * spilled to Arrow IPC files in a temp directory beyond that. Call
 * `close()` to delete the files.
 */
export class BucketSpill {
  readonly #buffers: RecordBatch[][];
  readonly #parts: string[][];
  readonly #keys: readonly string[];
  readonly #maxRows: number;
  #buffered = 0;
  #dir: string | null = null;
  #written = 0;

  constructor(buckets: number, keys: readonly string[], maxRows: number) {
    this.#buffers = Array.from({ length: buckets }, () => []);
    this.#parts = Array.from({ length: buckets }, () => []);
    this.#keys = keys;
    this.#maxRows = Math.max(1, maxRows);
  }

  /** Splits a batch by bucket; spills every buffer once `maxRows` rows are held. */
  async add(batch: RecordBatch): Promise<void> {
    const n = this.#buffers.length;
    const table = new Table([batch]);
    for (const [b, rows] of groupByBucket(keyBuckets(table, this.#keys, n), n)) {
      const part = rows.length === batch.numRows ? batch : takeTable(table, rows).batches[0]!;
      this.#buffers[b]!.push(part);
      this.#buffered += part.numRows;
    }
    if (this.#buffered > this.#maxRows) await this.#spill();
  }

  /** Every row of bucket `b` (spilled parts first, in arrival order). */
  async load(b: number): Promise<RecordBatch[]> {
    const out: RecordBatch[] = [];
    for (const file of this.#parts[b]!) out.push(...tableFromIPC(await readFile(file)).batches);
    out.push(...this.#buffers[b]!);
    return out;
  }

  /** Deletes the spill files. */
  async close(): Promise<void> {
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = null;
  }

  async #spill(): Promise<void> {
    this.#dir ??= await mkdtemp(path.join(tmpdir(), 'asof-sdk-'));
    for (let b = 0; b < this.#buffers.length; b++) {
      const batches = this.#buffers[b]!;
      if (batches.length === 0) continue;
      const file = path.join(this.#dir, `${b}-${this.#written++}.arrow`);
      await writeFile(file, tableToIPC(new Table(batches), 'stream'));
      this.#parts[b]!.push(file);
      this.#buffers[b] = [];
    }
    this.#buffered = 0;
  }
}

/** The row indices of each non-empty bucket, ascending (a counting sort). */
export function groupByBucket(bucket: Int32Array, buckets: number): Map<number, Int32Array> {
  const counts = new Int32Array(buckets + 1);
  for (const b of bucket) counts[b + 1]!++;
  for (let b = 0; b < buckets; b++) counts[b + 1]! += counts[b]!;
  const order = new Int32Array(bucket.length);
  const next = counts.slice(0, buckets);
  for (let i = 0; i < bucket.length; i++) order[next[bucket[i]!]!++] = i;
  const out = new Map<number, Int32Array>();
  for (let b = 0; b < buckets; b++) if (counts[b + 1]! > counts[b]!) out.set(b, order.subarray(counts[b]!, counts[b + 1]!));
  return out;
}
