import { type RecordBatch } from 'apache-arrow';
import { InvalidInputError, readMicrosVector, type MicrosColumn } from '@asof/core';

/** The time columns every stored row carries (DESIGN §3). */
export const EVENT_TS = 'event_ts';
export const CREATED_TS = 'created_ts';

/** Running min/max of the time columns over the rows of one file. */
export class TimeStats {
  rows = 0;
  minEvent: bigint | null = null;
  maxEvent: bigint | null = null;
  minCreated: bigint | null = null;
  maxCreated: bigint | null = null;

  /** Adds rows whose `event_ts` and `created_ts` are already read. */
  add(event: BigInt64Array, created: MicrosColumn): void {
    this.rows += event.length;
    for (let i = 0; i < event.length; i++) {
      const e = event[i]!;
      if (this.minEvent === null || e < this.minEvent) this.minEvent = e;
      if (this.maxEvent === null || e > this.maxEvent) this.maxEvent = e;
      if (created.valid && !created.valid[i]) continue;
      const c = created.micros[i]!;
      if (this.minCreated === null || c < this.minCreated) this.minCreated = c;
      if (this.maxCreated === null || c > this.maxCreated) this.maxCreated = c;
    }
  }

  /** Merges another file's stats (for a file written from several). */
  merge(other: TimeStats): void {
    this.rows += other.rows;
    this.minEvent = min(this.minEvent, other.minEvent);
    this.maxEvent = max(this.maxEvent, other.maxEvent);
    this.minCreated = min(this.minCreated, other.minCreated);
    this.maxCreated = max(this.maxCreated, other.maxCreated);
  }

  /** The stats fields of a file entry (µs as decimal strings). */
  entryFields(): { minEventTs: string; maxEventTs: string; minCreatedTs: string | null; maxCreatedTs: string | null } {
    return {
      minEventTs: String(this.minEvent ?? 0n),
      maxEventTs: String(this.maxEvent ?? 0n),
      minCreatedTs: this.minCreated === null ? null : String(this.minCreated),
      maxCreatedTs: this.maxCreated === null ? null : String(this.maxCreated),
    };
  }
}

/** Reads and checks the time columns of a batch about to be stored. */
export function readTimeColumns(batch: RecordBatch): { event: BigInt64Array; created: MicrosColumn } {
  const event = timeColumn(batch, EVENT_TS);
  if (event.valid && event.valid.includes(0)) {
    throw new InvalidInputError(`column '${EVENT_TS}' has nulls; every stored row needs an event time`);
  }
  return { event: event.micros, created: timeColumn(batch, CREATED_TS) };
}

function timeColumn(batch: RecordBatch, name: string): MicrosColumn {
  const vector = batch.getChild(name);
  if (!vector) {
    throw new InvalidInputError(
      `a stored batch needs column '${name}' (Timestamp(MICROSECOND, "UTC")); it has ${batch.schema.fields.map((f) => f.name).join(', ')}`,
    );
  }
  if (String(vector.type) !== 'Timestamp<MICROSECOND, UTC>') {
    throw new InvalidInputError(`column '${name}' is ${String(vector.type)}; the offline store stores Timestamp(MICROSECOND, "UTC") (convert before writing)`);
  }
  return readMicrosVector(vector, name);
}

function min(a: bigint | null, b: bigint | null): bigint | null {
  return a === null ? b : b === null ? a : a < b ? a : b;
}

function max(a: bigint | null, b: bigint | null): bigint | null {
  return a === null ? b : b === null ? a : a > b ? a : b;
}
