import { Bool, Field, makeData, makeVector, RecordBatch, Schema, Struct, Table, type Vector } from 'apache-arrow';
import { gather } from '../arrow/gather.js';
import { KeyDictionary } from '../arrow/keys.js';
import { microsVector, readMicrosColumn } from '../arrow/time-column.js';
import { isDecimal } from '../decimal.js';
import { InvalidInputError } from '../errors.js';
import { dateMicros } from '../time/instant.js';
import { groupAndSort } from './group-sort.js';
import { toOrderKeys } from './time-order.js';

/** `timeFrom` of an output row written at the interval's start rather than at a row's own time. */
const START = -1;

/** The boolean column that marks a feature row as a delete (a tombstone). */
export const TOMBSTONE_COLUMN = '_asof_deleted';

/** Options of {@link diffFeatureRows}. */
export interface DiffFeatureRowsOptions {
  /** Entity key columns, in both tables. */
  readonly keys: readonly string[];
  /** Feature columns to compare and write, in both tables. */
  readonly features: readonly string[];
  /** Event-time column of both tables (the change points). */
  readonly eventTime: string;
  /** Created-time column of `current`; appended rows get `createdAt` in it. */
  readonly createdTime: string;
  /** Created time of every appended row (µs); must exceed every created time in `current`. */
  readonly createdAt: bigint;
  /** Only append rows with `start <= event_ts < end` (µs). */
  readonly interval?: { readonly start: bigint; readonly end: bigint };
  /**
   * Entities that `next` describes completely: those absent from `next` get
   * tombstones at their visible change points. Default: every entity of
   * `current` (a full recomputation).
   */
  readonly scope?: 'all' | 'next';
}

/**
 * What to append to a view's rows (`current`, every version written so far)
 * so that, for lookups without `asKnownAt`, the view answers exactly as the
 * freshly computed rows `next` do at every instant, while lookups with
 * `asKnownAt` before `createdAt` keep answering what `current` said. This
 * is how a re-materialization stays bi-temporal and idempotent: unchanged
 * rows are not written again, so computing the same thing twice appends
 * nothing.
 *
 * Per entity it walks the union of the visible change points (the newest
 * version per `(keys, event_ts)` of `current`) and the points of `next`, in
 * time order, and appends a row where the visible row differs from what
 * `next` says there: `next`'s row at its own points; at a point only
 * `current` has, `next`'s value carried from its latest earlier point, or a
 * tombstone if `next` has none. With an `interval`, its start is such a
 * point too, so every instant of `[start, end)` answers as `next` does even
 * where `next`'s latest point before it lies outside the interval. Exact for
 * views without a TTL (a carried value restarts the TTL clock at the carried
 * point).
 *
 * `next` must have at most one row per `(keys, event_ts)`.
 */
export function diffFeatureRows(current: Table, next: Table, options: DiffFeatureRowsOptions): Table {
  const { keys, features, eventTime, createdTime } = options;
  const dictionary = new KeyDictionary();
  const nextGroup = dictionary.encode(next, keys, { insert: true }, 'next rows');
  const curGroup = dictionary.encode(current, keys, { insert: options.scope !== 'next' }, 'current rows');
  const groups = dictionary.count;
  const curCreated = readMicrosColumn(current, createdTime);
  for (let i = 0; i < curCreated.micros.length; i++) {
    if (curCreated.valid?.[i] !== 0 && curCreated.micros[i]! >= options.createdAt) {
      throw new InvalidInputError(`createdAt must be later than every created time of the current rows (row ${i} is not older)`);
    }
  }
  const order = toOrderKeys(
    [readMicrosColumn(current, eventTime), readMicrosColumn(next, eventTime), curCreated],
    options.interval ? [options.interval.start, options.interval.end] : [],
  );
  const [curEvent, nextEvent, curCreatedOrder] = order.columns as [Float64Array, Float64Array, Float64Array];
  const cur = groupAndSort(curGroup, groups, curEvent, curCreatedOrder);
  const nxt = groupAndSort(nextGroup, groups, nextEvent, null);
  const equal = rowComparator(current, next, features);
  const curDeleted = booleanColumn(current, TOMBSTONE_COLUMN);
  const [from, to] = options.interval ? [order.scalars[0]!, order.scalars[1]!] : [-Infinity, Infinity];

  // Output rows: which next row gives the values (-1: a tombstone), which
  // table gives the keys (next row j, or current row n + i), and the time.
  const valueRow: number[] = [];
  const keyRow: number[] = [];
  const timeFrom: number[] = []; // index into `times` sources, as for keyRow; START: the interval's start
  const nNext = next.numRows;
  const emit = (value: number, key: number, time: number, at: number) => {
    if (at < from || at >= to) return;
    valueRow.push(value);
    keyRow.push(key);
    timeFrom.push(time);
  };

  for (let g = 0; g < groups; g++) {
    let c = cur.start[g]!;
    const cEnd = cur.start[g + 1]!;
    let n = nxt.start[g]!;
    const nEnd = nxt.start[g + 1]!;
    let carried = -1; // latest next row at or before the walk position
    let lastVisible = -1; // latest visible current row before the walk position
    let startChecked = from === -Infinity;
    // The interval's start is a change point of its own: rows before it are not written, so where the visible row in
    // force at `start` differs from what `next` says there, the value `next` holds at `start` (or a tombstone) is.
    const checkStart = () => {
      startChecked = true;
      const visibleLive = lastVisible >= 0 && !curDeleted[lastVisible];
      if (carried >= 0 && (!visibleLive || !equal(lastVisible, carried))) emit(carried, carried, START, from);
      else if (carried < 0 && visibleLive) emit(-1, nNext + lastVisible, START, from);
    };
    while (c < cEnd || n < nEnd) {
      const ct = c < cEnd ? cur.event[c]! : Infinity;
      const nt = n < nEnd ? nxt.event[n]! : Infinity;
      if (!startChecked && Math.min(ct, nt) >= from) {
        if (ct === from || nt === from) startChecked = true; // a point at `start` itself is compared below
        else checkStart();
      }
      // The visible current row at ct is the last of its equal-time run.
      let visible = -1;
      if (ct <= nt) {
        while (c + 1 < cEnd && cur.event[c + 1] === ct) c++;
        visible = cur.order[c]!;
        lastVisible = visible;
        c++;
      }
      if (nt <= ct) {
        const j = nxt.order[n]!;
        if (n + 1 < nEnd && nxt.event[n + 1] === nt) {
          throw new InvalidInputError(`next rows have two rows for one key at one event time (rows ${j} and ${nxt.order[n + 1]})`);
        }
        n++;
        carried = j;
        if (visible < 0 || curDeleted[visible] || !equal(visible, j)) emit(j, j, j, nt);
      } else if (carried >= 0) {
        if (curDeleted[visible] || !equal(visible, carried)) emit(carried, nNext + visible, nNext + visible, ct);
      } else if (!curDeleted[visible]) {
        emit(-1, nNext + visible, nNext + visible, ct);
      }
    }
    if (!startChecked) checkStart();
  }
  return buildOutput(current, next, options, valueRow, keyRow, timeFrom);
}

function buildOutput(
  current: Table,
  next: Table,
  options: DiffFeatureRowsOptions,
  valueRow: number[],
  keyRow: number[],
  timeFrom: number[],
): Table {
  const { keys, features, eventTime, createdTime } = options;
  const both = (name: string): Vector => makeVector([...next.getChild(name)!.data, ...current.getChild(name)!.data]);
  const keyTake = Int32Array.from(keyRow);
  const columns: Vector[] = keys.map((k) => gather(both(k), keyTake));
  const times = readMicrosColumn(new Table({ t: both(eventTime) }), 't').micros;
  const start = options.interval?.start ?? 0n;
  columns.push(microsVector(BigInt64Array.from(timeFrom, (i) => (i === START ? start : times[i]!))));
  columns.push(microsVector(new BigInt64Array(valueRow.length).fill(options.createdAt)));
  const valueTake = Int32Array.from(valueRow);
  for (const f of features) columns.push(gather(next.getChild(f)!, valueTake));
  columns.push(boolVector(valueRow));
  const names = [...keys, eventTime, createdTime, ...features, TOMBSTONE_COLUMN];
  const schema = new Schema(names.map((name, i) => new Field(name, columns[i]!.type, true)));
  const data = makeData({
    type: new Struct(schema.fields),
    length: valueRow.length,
    nullCount: 0,
    children: columns.map((c) => c.data[0]!),
  });
  return new Table(schema, [new RecordBatch(schema, data)]);
}

function boolVector(valueRow: number[]): Vector<Bool> {
  const n = valueRow.length;
  const bits = new Uint8Array(((n + 63) & ~63) >> 3);
  for (let i = 0; i < n; i++) if (valueRow[i]! < 0) bits[i >> 3]! |= 1 << (i & 7);
  return makeVector(makeData({ type: new Bool(), length: n, data: bits }));
}

/** `1` where the named boolean column is true; all zero if the table has no such column. */
function booleanColumn(table: Table, name: string): Uint8Array {
  const out = new Uint8Array(table.numRows);
  const column = table.getChild(name);
  if (!column) return out;
  for (let i = 0; i < out.length; i++) out[i] = column.get(i) === true ? 1 : 0;
  return out;
}

/** Compares feature values of current row `i` and next row `j`, column by column. */
function rowComparator(current: Table, next: Table, features: readonly string[]): (i: number, j: number) => boolean {
  const pairs = features.map((f) => {
    const a = current.getChild(f);
    const b = next.getChild(f);
    if (!a || !b) throw new InvalidInputError(`feature column '${f}' is missing from the ${a ? 'next' : 'current'} rows`);
    return [a, b] as const;
  });
  return (i, j) => pairs.every(([a, b]) => sameValue(a.get(i), b.get(j)));
}

/** Value equality across Arrow's and asof's JS representations: NaN equals NaN; instants to the µs; Decimals by value; lists and raw decimal words element-wise. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  // Microseconds, not getTime(): two Instants a microsecond apart are different values.
  if (a instanceof Date && b instanceof Date) return dateMicros(a) === dateMicros(b);
  if (isDecimal(a) || isDecimal(b)) return isDecimal(a) && isDecimal(b) && a.equals(b);
  if (typeof a === 'object' && typeof b === 'object') {
    const xs = Array.from(a as Iterable<unknown>);
    const ys = Array.from(b as Iterable<unknown>);
    return xs.length === ys.length && xs.every((x, k) => sameValue(x, ys[k]));
  }
  return false;
}
