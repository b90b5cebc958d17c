import { Field, makeData, RecordBatch, Schema, Struct, Table, type Vector } from 'apache-arrow';
import { gather } from '../arrow/gather.js';
import { KeyDictionary } from '../arrow/keys.js';
import { microsVector, readMicrosColumn, type MicrosColumn } from '../arrow/time-column.js';
import { isAggregation, type Aggregation, type Predicate } from '../definitions/aggregation.js';
import { InvalidInputError } from '../errors.js';
import { toEpochMicros, type TimeInput } from '../time/timestamp.js';
import { aggregateVector, type WindowContext } from './aggregate-vector.js';
import { changePoints } from './change-points.js';
import { requireColumn, requireFamily } from './columns.js';
import { orderEvents } from './event-order.js';
import { predicateMask } from './predicate-mask.js';
import { rankValues, type RankedValues } from './ranked-values.js';
import { buildTimeAxis } from './time-axis.js';

/** Options of {@link evaluateWindows}. */
export interface EvaluateWindowsOptions {
  /** Entity key columns (integers or strings; several for a composite key). Events with a null key are ignored. */
  readonly keys: readonly string[];
  /** The events' time column: Timestamp with a time zone, Date, or ISO-8601 strings with an offset. Never null. */
  readonly eventTime: string;
  /** The events' created-time column: orders events of equal event time for `last`, and enables `asKnownAt`. */
  readonly createdTime?: string;
  /** Only events with `created_ts <= asKnownAt` exist (null created times never do): "what would we have computed then". */
  readonly asKnownAt?: TimeInput;
  /** Output column name → aggregation. */
  readonly aggregations: Readonly<Record<string, Aggregation>>;
  /** Name of the output time column; default `event_ts`. */
  readonly outputTime?: string;
}

/**
 * Evaluates windowed aggregations exactly (DESIGN §3): the value at `t`
 * aggregates the key's events with `t - window < event_ts <= t` (lifetime
 * windows, `windowMs: null`: `event_ts <= t`) that pass the aggregation's
 * filter. The output is a feature-row table (the key columns, the time
 * column as Timestamp(µs, UTC), one column per aggregation) with a row per
 * key at every change point: each event time and each expiry
 * `event_ts + window`, for every distinct finite window (lifetime windows
 * never expire, so they add none). Rows are ordered by key (first
 * appearance) then time, one per (key, time). So the point-in-time join of
 * this table (latest row at or before `t`, no TTL) gives the exact sliding
 * value at any `t` from the key's first event on; after the last expiry the
 * row shows empty finite windows (count 0, sum null) and full lifetime ones.
 *
 * Cost: O(n log n) for sorting within keys (skipped when already sorted),
 * then O(n·w) per aggregation for w distinct windows; memory O(n·w).
 */
export function evaluateWindows(events: Table, options: EvaluateWindowsOptions): Table {
  const { keys } = options;
  const outputTime = options.outputTime ?? 'event_ts';
  const specs = validateOptions(events, options, outputTime);

  const time = readMicrosColumn(events, options.eventTime);
  if (time.valid) {
    throw new InvalidInputError(`event row ${time.valid.indexOf(0)} has a null '${options.eventTime}'; every event needs an event time`);
  }
  const created = options.createdTime === undefined ? null : readMicrosColumn(events, options.createdTime);
  const keep = new Uint8Array(events.numRows).fill(1);
  if (options.asKnownAt !== undefined) {
    if (!created) throw new InvalidInputError('asKnownAt needs createdTime: the column that says when each event became known');
    keepKnownAt(keep, created, toEpochMicros(options.asKnownAt));
  }
  const dictionary = new KeyDictionary();
  const keyIds = dictionary.encode(events, keys, { insert: true }, 'events');
  for (let i = 0; i < keyIds.length; i++) if (keyIds[i]! < 0) keep[i] = 0;

  const windows = [...new Set(specs.map(([, spec]) => spec.windowMs).filter((ms): ms is number => ms !== null))];
  const axis = buildTimeAxis(time.micros, keep, windows.map((ms) => BigInt(ms) * 1000n));
  const order = orderEvents(keyIds, dictionary.count, keep, axis.time, created);
  const points = changePoints(order, axis);
  // A lifetime window starts at its key's first event: every earlier sorted position belongs to an earlier key.
  let lifetimeStart: Int32Array | null = null;
  const starts = (ms: number | null): Int32Array =>
    ms === null ? (lifetimeStart ??= Int32Array.from(points.key, (g) => order.start[g]!)) : points.start[windows.indexOf(ms)]!;

  const ranked = new Map<string, RankedValues>();
  const masks = new Map<string, Uint8Array>();
  const ctx: WindowContext = {
    events,
    rows: order.rows,
    ranges: (ms) => ({ length: points.length, start: starts(ms), end: points.end }),
    ranked(column, context) {
      let r = ranked.get(column);
      if (!r) {
        const vector = requireColumn(events, column, context);
        r = rankValues(events, column, vector, requireFamily(vector, column, context));
        ranked.set(column, r);
      }
      return r;
    },
    mask(where, context) {
      const id = JSON.stringify(where, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
      let m = masks.get(id);
      if (!m) {
        m = predicateMask(where, events.numRows, (column) => ctx.ranked(column, context), context);
        masks.set(id, m);
      }
      return m;
    },
  };

  // Keys: each key's first sorted event stands for it; gather per key, then per row.
  const firstRow = Int32Array.from({ length: dictionary.count }, (_, g) =>
    order.start[g]! < order.start[g + 1]! ? order.rows[order.start[g]!]! : -1,
  );
  const columns: [string, Vector][] = keys.map((k) => [k, gather(gather(events.getChild(k)!, firstRow), points.key)]);
  columns.push([outputTime, microsVector(axis.toMicros(points.time))]);
  for (const [name, spec] of specs) columns.push([name, aggregateVector(name, spec, ctx)]);
  return assemble(columns, keys.length + 1, points.length);
}

function validateOptions(events: Table, options: EvaluateWindowsOptions, outputTime: string): [string, Aggregation][] {
  const { keys, aggregations } = options;
  if (!Array.isArray(keys) || keys.length === 0) throw new InvalidInputError('evaluateWindows needs at least one key column');
  if (!aggregations || typeof aggregations !== 'object') throw new InvalidInputError('evaluateWindows needs aggregations: { name: aggregation }');
  const specs = Object.entries(aggregations);
  const seen = new Set<string>();
  for (const name of [...keys, outputTime, ...specs.map(([n]) => n)]) {
    if (seen.has(name)) throw new InvalidInputError(`output column '${name}' would appear twice; rename the aggregation or set outputTime`);
    seen.add(name);
  }
  for (const [name, spec] of specs) {
    if (!isAggregation(spec)) throw new InvalidInputError(`aggregations.${name} is not an aggregation; build it with count(), sum(), …`);
    const context = `aggregation '${name}'`;
    if (spec.column !== null) requireColumn(events, spec.column, context);
    for (const p of spec.where as readonly Predicate[]) requireColumn(events, p.column, `${context}, filter`);
  }
  return specs;
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

// Compares through 32-bit halves: no bigint per event.
function keepKnownAt(keep: Uint8Array, created: MicrosColumn, asKnownAt: bigint): void {
  if (asKnownAt < INT64_MIN) return void keep.fill(0);
  const knownAt = asKnownAt > INT64_MAX ? INT64_MAX : asKnownAt;
  const halves = new Int32Array(created.micros.buffer, created.micros.byteOffset, created.micros.length * 2);
  const kHi = Number(BigInt.asIntN(32, knownAt >> 32n));
  const kLo = Number(BigInt.asUintN(32, knownAt));
  for (let i = 0; i < keep.length; i++) {
    const hi = halves[2 * i + 1]!;
    const known = (!created.valid || created.valid[i] === 1) && (hi < kHi || (hi === kHi && halves[2 * i]! >>> 0 <= kLo));
    if (!known) keep[i] = 0;
  }
}

function assemble(columns: readonly [string, Vector][], required: number, length: number): Table {
  const fields = columns.map(([name, v], i) => new Field(name, v.type, i >= required));
  const schema = new Schema(fields);
  const children = columns.map(([, v]) => v.data[0]!);
  return new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length, children, nullCount: 0 }))]);
}
