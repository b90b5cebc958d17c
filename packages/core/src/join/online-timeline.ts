import { Table } from 'apache-arrow';
import { microsVector, readMicrosColumn } from '../arrow/time-column.js';
import { InvalidInputError } from '../errors.js';
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
  if (n === 0) return new Int32Array(0);
  const event = readMicrosColumn(rows, options.eventTime).micros;
  // One lookup per row: at its own event time when that is a future change point, else at P.
  const at = new BigInt64Array(n);
  for (let j = 0; j < n; j++) {
    const t = event[j]!;
    at[j] = t > p && t <= e ? t : p;
  }
  const spine = new Table({ ...Object.fromEntries(options.keys.map((k) => [k, rows.getChild(k)!])), [AT]: microsVector(at) });
  const take = chooseRows(spine, rows, { keys: options.keys, spineTime: AT, eventTime: options.eventTime, createdTime: options.createdTime });
  const chosen = new Uint8Array(n);
  for (const j of take) if (j >= 0) chosen[j] = 1;
  let count = 0;
  for (let j = 0; j < n; j++) count += chosen[j]!;
  const out = new Int32Array(count);
  for (let j = 0, k = 0; j < n; j++) if (chosen[j]) out[k++] = j;
  return out;
}
