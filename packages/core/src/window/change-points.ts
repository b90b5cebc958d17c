import type { EventOrder } from './event-order.js';
import type { TimeAxis } from './time-axis.js';

/**
 * The output rows of a window evaluation, one per key and change point (an
 * event time or an expiry `event_ts + window`), by key id then time. Each
 * row carries, as sorted positions, the window it aggregates.
 */
export interface ChangePoints {
  readonly length: number;
  /** Key id of each row. */
  readonly key: Int32Array;
  /** Time coordinate of each row (see {@link TimeAxis}). */
  readonly time: Float64Array;
  /** Sorted positions below `end[r]` are events at or before the row's time (this key or an earlier one). */
  readonly end: Int32Array;
  /** Per window: sorted positions below `start[j][r]` have expired (`event_ts + window <= time`) or belong to an earlier key. */
  readonly start: readonly Int32Array[];
}

/** A window of one output row: sorted positions `start[r] .. end[r] - 1`; both never decrease with `r`. */
export interface WindowRanges {
  readonly length: number;
  readonly start: Int32Array;
  readonly end: Int32Array;
}

/**
 * Merges, per key, the sorted event times with the sorted expiries of every
 * window (they are sorted because the times are), emitting each distinct
 * instant once. The merge pointers are exactly the window bounds: the events
 * at or before the instant, and those expired by it.
 */
export function changePoints(order: EventOrder, axis: TimeAxis): ChangePoints {
  const { rows, start: keyStart } = order;
  // Copies in sorted order, so the merge below reads memory sequentially.
  const { time, expiry } = axis.inOrder(rows);
  const windows = expiry.length;
  const capacity = rows.length * (1 + windows);
  const key = new Int32Array(capacity);
  const at = new Float64Array(capacity);
  const end = new Int32Array(capacity);
  const starts = expiry.map(() => new Int32Array(capacity));
  const ptr = new Int32Array(windows);
  let r = 0;
  for (let g = 0; g + 1 < keyStart.length; g++) {
    const s = keyStart[g]!;
    const e = keyStart[g + 1]!;
    if (s === e) continue;
    let hi = s;
    ptr.fill(s);
    for (;;) {
      let c = hi < e ? time[hi]! : Infinity;
      for (let j = 0; j < windows; j++) {
        const p = ptr[j]!;
        if (p < e && expiry[j]![p]! < c) c = expiry[j]![p]!;
      }
      // Expiries past the int64 range are Infinity: they never happen.
      if (c === Infinity) break;
      while (hi < e && time[hi]! <= c) hi++;
      for (let j = 0; j < windows; j++) {
        const column = expiry[j]!;
        let p = ptr[j]!;
        while (p < e && column[p]! <= c) p++;
        ptr[j] = p;
        starts[j]![r] = p;
      }
      key[r] = g;
      at[r] = c;
      end[r] = hi;
      r++;
    }
  }
  return {
    length: r,
    key: key.subarray(0, r),
    time: at.subarray(0, r),
    end: end.subarray(0, r),
    start: starts.map((s) => s.subarray(0, r)),
  };
}
