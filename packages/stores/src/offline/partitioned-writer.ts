import type { RecordBatch, Schema } from 'apache-arrow';
import {
  CommitConflictError,
  InvalidInputError,
  SchemaMismatchError,
  type Commit,
  type CommitRequest,
  type IoOptions,
  type OfflineWriter,
  type WriteOptions,
  type WrittenFile,
} from '@asof/core';
import { batchBytes, civilFromDays, conformBatch, daysFromCivil, nullableSchema, takeRows, typeKey } from '@asof/core';
import { writeDataFile, type DataFileTarget, type FileNamer } from './data-files.js';
import { readTimeColumns, TimeStats } from './file-stats.js';
import { dataKey, dayOf, partitionOfDay } from './layout.js';

const MiB = 1024 * 1024;

interface PartitionBuffer {
  readonly batches: RecordBatch[];
  bytes: number;
  readonly stats: TimeStats;
}

/** Publishes a writer's files; supplied by the store. */
export type CommitWrittenFiles = (writer: PartitionedWriter, request: CommitRequest) => Promise<Commit>;

/**
 * An {@link OfflineWriter} that splits rows by the UTC date of `event_ts`
 * into one buffer per partition and writes a partition's buffer as a
 * Parquet file once it holds `flushBytes` (and the largest buffer whenever
 * all of them together exceed `maxBufferedBytes`), so memory stays bounded
 * however much is written. Calls must not overlap: await each one.
 */
export class PartitionedWriter implements OfflineWriter {
  private schema: Schema | null = null;
  private readonly buffers = new Map<number, PartitionBuffer>();
  private buffered = 0;
  private readonly written: WrittenFile[] = [];
  private state: 'open' | 'busy' | 'done' = 'open';
  private readonly flushBytes: number;
  private readonly maxBufferedBytes: number;
  private readonly partitioning: 'day' | 'month';

  constructor(
    private readonly target: DataFileTarget,
    private readonly namer: FileNamer,
    options: WriteOptions,
    private readonly publish: CommitWrittenFiles,
  ) {
    this.flushBytes = options.flushBytes ?? 64 * MiB;
    this.partitioning = options.partitioning ?? 'day';
    this.maxBufferedBytes = Math.max(this.flushBytes, options.maxBufferedBytes ?? 256 * MiB);
  }

  get view(): string {
    return this.target.view;
  }

  get commitId(): string {
    return this.namer.commitId;
  }

  /** The Arrow schema of the rows written so far (`null` before the first batch). */
  get writtenSchema(): Schema | null {
    return this.schema;
  }

  async writeBatch(batch: RecordBatch, options?: IoOptions): Promise<void> {
    this.enter('writeBatch');
    try {
      if (batch.numRows === 0) return;
      const schema = (this.schema ??= nullableSchema(batch.schema));
      checkSameColumns(schema, batch.schema);
      const rows = conformBatch(batch, schema, 'a written batch');
      const { event, created } = readTimeColumns(rows);
      for (const part of splitByDay(event, this.partitioning)) {
        const stats = new TimeStats();
        let rowsOfDay: RecordBatch;
        if (part.take === null) {
          rowsOfDay = part.start === 0 && part.end === rows.numRows ? rows : rows.slice(part.start, part.end);
          stats.add(event.subarray(part.start, part.end), {
            micros: created.micros.subarray(part.start, part.end),
            valid: created.valid ? created.valid.subarray(part.start, part.end) : null,
          });
        } else {
          rowsOfDay = takeRows(rows, part.take);
          const t = readTimeColumns(rowsOfDay);
          stats.add(t.event, t.created);
        }
        await this.buffer(part.day, rowsOfDay, stats, options);
      }
    } finally {
      this.leave();
    }
  }

  async flush(options?: IoOptions): Promise<readonly WrittenFile[]> {
    this.enter('flush');
    try {
      for (const day of [...this.buffers.keys()].sort((a, b) => a - b)) await this.flushPartition(day, options);
      return [...this.written];
    } finally {
      this.leave();
    }
  }

  async commit(request: CommitRequest): Promise<Commit> {
    await this.flush(request);
    this.enter('commit');
    try {
      const commit = await this.publish(this, request);
      this.state = 'done';
      return commit;
    } catch (error) {
      if (error instanceof CommitConflictError) this.state = 'done'; // its files were deleted
      throw error; // anything else: the caller may call commit again (same commit id, so no duplicate)
    } finally {
      if (this.state === 'busy') this.state = 'open';
    }
  }

  async abort(): Promise<void> {
    this.state = 'done';
    this.buffers.clear();
    await this.target.objects.delete(this.written.map((f) => dataKey(this.view, f.path)));
  }

  /** Files written so far (uncommitted). */
  files(): readonly WrittenFile[] {
    return [...this.written];
  }

  private async buffer(day: number, part: RecordBatch, stats: TimeStats, options?: IoOptions): Promise<void> {
    let buffer = this.buffers.get(day);
    if (!buffer) this.buffers.set(day, (buffer = { batches: [], bytes: 0, stats: new TimeStats() }));
    const bytes = batchBytes(part);
    buffer.batches.push(part);
    buffer.bytes += bytes;
    buffer.stats.merge(stats);
    this.buffered += bytes;
    if (buffer.bytes >= this.flushBytes) await this.flushPartition(day, options);
    while (this.buffered > this.maxBufferedBytes) {
      let largest = -1;
      let size = -1;
      for (const [d, b] of this.buffers) if (b.bytes > size) [largest, size] = [d, b.bytes];
      await this.flushPartition(largest, options);
    }
  }

  private async flushPartition(day: number, options?: IoOptions): Promise<void> {
    const buffer = this.buffers.get(day);
    if (!buffer) return;
    this.buffers.delete(day);
    this.buffered -= buffer.bytes;
    const partition = this.partitioning === 'month' ? partitionOfDay(day).slice(0, 7) : partitionOfDay(day);
    this.written.push(await writeDataFile(this.target, this.namer.path(partition), partition, this.schema!, buffer.batches, buffer.stats, options));
  }

  private enter(what: string): void {
    if (this.state === 'done') throw new InvalidInputError(`${what}: this writer has already committed or aborted; begin a new write`);
    if (this.state === 'busy') throw new InvalidInputError(`${what}: another call on this writer is still running; await each call`);
    this.state = 'busy';
  }

  private leave(): void {
    if (this.state === 'busy') this.state = 'open';
  }
}

/** The rows of one UTC day: a contiguous range `[start, end)` when `take` is null, else these row indices. */
interface DayPart {
  readonly day: number;
  readonly start: number;
  readonly end: number;
  readonly take: Int32Array | null;
}

/**
 * Splits rows by UTC day. When each day's rows are contiguous (sorted or
 * clustered input, the common case) the parts are zero-copy ranges;
 * otherwise each day's rows are gathered by index.
 */
function splitByDay(event: BigInt64Array, partitioning: 'day' | 'month'): DayPart[] {
  const n = event.length;
  const days = new Float64Array(n);
  for (let i = 0; i < n; i++) days[i] = fastDayOf(event[i]!);
  // Monthly partitions: every day maps to the first day of its month.
  if (partitioning === 'month') for (let i = 0; i < n; i++) days[i] = monthStart(days[i]!);
  const runs: DayPart[] = [];
  const seen = new Set<number>();
  let contiguous = true;
  for (let i = 0; i < n; ) {
    const d = days[i]!;
    let j = i + 1;
    while (j < n && days[j] === d) j++;
    if (seen.has(d)) contiguous = false;
    seen.add(d);
    runs.push({ day: d, start: i, end: j, take: null });
    i = j;
  }
  if (contiguous) return runs;
  const counts = new Map<number, number>();
  for (const d of days) counts.set(d, (counts.get(d) ?? 0) + 1);
  const takes = new Map<number, { take: Int32Array; fill: number }>();
  for (const [d, c] of counts) takes.set(d, { take: new Int32Array(c), fill: 0 });
  for (let i = 0; i < n; i++) {
    const t = takes.get(days[i]!)!;
    t.take[t.fill++] = i;
  }
  return [...takes].map(([day, t]) => ({ day, start: 0, end: 0, take: t.take }));
}

const SAFE = 2n ** 53n;

function monthStart(day: number): number {
  const [y, m] = civilFromDays(day);
  return daysFromCivil(y, m, 1);
}

/** {@link dayOf} without bigint division for instants within ±285 years of 1970 (exact there). */
function fastDayOf(micros: bigint): number {
  return micros < SAFE && micros > -SAFE ? Math.floor(Number(micros) / 86_400_000_000) : dayOf(micros);
}

function checkSameColumns(expected: Schema, actual: Schema): void {
  const want = expected.fields.map((f) => `${f.name}: ${typeKey(f.type)}`).join(', ');
  const got = actual.fields.map((f) => `${f.name}: ${typeKey(f.type)}`).join(', ');
  if (want !== got) {
    const missing = expected.fields.find((f) => !actual.fields.some((g) => g.name === f.name));
    const column = missing?.name ?? actual.fields.find((f) => !expected.fields.some((g) => g.name === f.name))?.name ?? '?';
    throw new SchemaMismatchError(column, `every batch of one write must have the same columns; expected (${want}), got (${got})`);
  }
}
