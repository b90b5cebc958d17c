import { Table } from 'apache-arrow';
import { microsVector, readMicrosColumn } from '../arrow/time-column.js';
import { InvalidInputError } from '../errors.js';
import { takeTable } from '../arrow/batch-ops.js';
import { KeyDictionary } from '../arrow/keys.js';
import { chooseRows } from './point-in-time-join.js';

/** Options of {@link timelineRows}. */
export interface TimelineRowsOptions {
  /** Join key columns of `rows`, in key order. */
  readonly keys: readonly string[];
  /** Event time column (Timestamp µs). */
  readonly eventTime: string;
  /** Created time column, the tie-break on equal event times. */
  readonly createdTime?: string | undefined;
  /** The publish instant P (µs). */
  readonly publishedAt: bigint;
  /** The last instant the timeline answers for (µs), `>= publishedAt`. */
  readonly horizonEnd: bigint;
}

const AT = '__asof_timeline_at';

/**
 * The rows that make up each entity's online timeline at publish instant P
 * with horizon end E (DESIGN §3, §6): per entity, the row a point-in-time
 * lookup chooses at P (if any), then, for every distinct event time in
 * `(P, E]`, the row the lookup chooses at that instant. Returned as row
 * indices in ascending order.
 *
 * The choice is the offline join's own `chooseRows` (greatest event time at
 * or before the instant, then created time, then input position), without
 * TTL or tombstone filtering: tombstones are points of the timeline and the
 * TTL is applied when it is read, from the chosen point's event time, as
 * the join applies it. So a read at any `t` in `[P, E]` that takes the
 * latest point at or before `t` gets exactly the row the join picks at `t`.
 */
export function timelineRows(rows: Table, options: TimelineRowsOptions): Int32Array {
  const { publishedAt: p, horizonEnd: e } = options;
  if (e < p) throw new InvalidInputError(`a timeline's horizon end (${e} µs) is before its publish instant (${p} µs)`);
  const n = rows.numRows;
  const event = n === 0 ? new BigInt64Array(0) : readMicrosColumn(rows, options.eventTime).micros;
  // One lookup per row: at its own event time when that is a future change point, else at P.
  const at = new BigInt64Array(n);
  for (let j = 0; j < n; j++) {
    const t = event[j]!;
    at[j] = t > p && t <= e ? t : p;
  }
  return choose(rows, null, at, options);
}

/** Options of {@link timelineRowsPerEntity}. */
export interface TimelineRowsPerEntityOptions extends Omit<TimelineRowsOptions, 'publishedAt' | 'horizonEnd'> {
  /** The entities (their key columns), one row each. */
  readonly entities: Table;
  /** Per entity row, its publish instant (µs). */
  readonly publishedAt: BigInt64Array;
  /** Per entity row, its horizon end (µs). */
  readonly horizonEnd: BigInt64Array;
}

/**
 * {@link timelineRows} with an interval per entity, for the entities of
 * `options.entities` only (rows of other entities are left out): what each
 * entity's timeline published at its own instant would hold today.
 */
export function timelineRowsPerEntity(rows: Table, options: TimelineRowsPerEntityOptions): Int32Array {
  const m = options.entities.numRows;
  if (options.publishedAt.length !== m || options.horizonEnd.length !== m) throw new InvalidInputError(`timelineRowsPerEntity needs one publish instant and one horizon end per entity (${m})`);
  const dictionary = new KeyDictionary();
  const entity = dictionary.encode(options.entities, options.keys, { insert: true }, 'entities');
  const from = new BigInt64Array(dictionary.count);
  const to = new BigInt64Array(dictionary.count);
  for (let i = 0; i < m; i++) {
    if (entity[i]! < 0) continue;
    if (options.horizonEnd[i]! < options.publishedAt[i]!) throw new InvalidInputError(`entity row ${i}: a timeline's horizon end is before its publish instant`);
    from[entity[i]!] = options.publishedAt[i]!;
    to[entity[i]!] = options.horizonEnd[i]!;
  }
  const group = dictionary.encode(rows, options.keys, { insert: false }, 'feature rows');
  const n = rows.numRows;
  const event = n === 0 ? new BigInt64Array(0) : readMicrosColumn(rows, options.eventTime).micros;
  const keep = new Uint8Array(n);
  const at = new BigInt64Array(n);
  for (let j = 0; j < n; j++) {
    const g = group[j]!;
    if (g < 0) continue;
    keep[j] = 1;
    const t = event[j]!;
    at[j] = t > from[g]! && t <= to[g]! ? t : from[g]!;
  }
  return choose(rows, keep, at, options);
}

/** The distinct rows the lookups at `at[j]` (rows with `keep[j]`, or all) choose, ascending. */
function choose(rows: Table, keep: Uint8Array | null, at: BigInt64Array, options: Pick<TimelineRowsOptions, 'keys' | 'eventTime' | 'createdTime'>): Int32Array {
  const n = rows.numRows;
  if (n === 0) return new Int32Array(0);
  let spineRows: Int32Array | null = null;
  if (keep) {
    spineRows = new Int32Array(keep.reduce((a, b) => a + b, 0));
    for (let j = 0, k = 0; j < n; j++) if (keep[j]) spineRows[k++] = j;
  }
  const keyColumns = options.keys.map((k) => [k, rows.getChild(k)!] as const);
  const spineKeys = spineRows ? takeTable(rows.select(options.keys as string[]), spineRows) : null;
  const times = spineRows ? BigInt64Array.from(spineRows, (j) => at[j]!) : at;
  const spine = new Table({ ...Object.fromEntries(spineKeys ? options.keys.map((k) => [k, spineKeys.getChild(k)!]) : keyColumns), [AT]: microsVector(times) });
  const take = chooseRows(spine, rows, { keys: options.keys, spineTime: AT, eventTime: options.eventTime, createdTime: options.createdTime });
  const chosen = new Uint8Array(n);
  for (const j of take) if (j >= 0) chosen[j] = 1;
  let count = 0;
  for (let j = 0; j < n; j++) count += chosen[j]!;
  const out = new Int32Array(count);
  for (let j = 0, k = 0; j < n; j++) if (chosen[j]) out[k++] = j;
  return out;
}
