import type { MicrosColumn } from '../arrow/time-column.js';

/** The kept events grouped by key id and, within a key, in time order. */
export interface EventOrder {
  /** Input row at each sorted position. */
  readonly rows: Int32Array;
  /** Key id `g` owns sorted positions `start[g] .. start[g + 1] - 1`. */
  readonly start: Int32Array;
}

/** Segments up to this length are insertion-sorted: cheaper than a comparator sort's setup. */
const SMALL = 24;

/**
 * Orders the kept events by (key id, event time, created time, input row).
 * A stable counting sort by key id keeps input order inside each key; then
 * each key's segment is sorted by time, skipped when it already is (the
 * usual case for sources read in time order). Comparator sorts over the
 * whole input were the bottleneck of the first join (REFERENCE.md). A null
 * created time sorts before every known one.
 */
export function orderEvents(
  keyIds: Int32Array,
  keyCount: number,
  keep: Uint8Array,
  time: Float64Array,
  created: MicrosColumn | null,
): EventOrder {
  const n = keyIds.length;
  const start = new Int32Array(keyCount + 1);
  for (let i = 0; i < n; i++) if (keep[i]) start[keyIds[i]! + 1]!++;
  for (let g = 0; g < keyCount; g++) start[g + 1]! += start[g]!;
  const rows = new Int32Array(start[keyCount]!);
  const fill = start.slice(0, keyCount);
  for (let i = 0; i < n; i++) if (keep[i]) rows[fill[keyIds[i]!]!++] = i;

  const compare = comparator(time, created);
  for (let g = 0; g < keyCount; g++) {
    const s = start[g]!;
    const e = start[g + 1]!;
    if (e - s < 2 || isSorted(rows, s, e, compare)) continue;
    if (e - s <= SMALL) insertionSort(rows, s, e, compare);
    else rows.subarray(s, e).sort(compare);
  }
  return { rows, start };
}

function comparator(time: Float64Array, created: MicrosColumn | null): (a: number, b: number) => number {
  if (!created) return (a, b) => time[a]! - time[b]! || a - b;
  const halves = new Int32Array(created.micros.buffer, created.micros.byteOffset, created.micros.length * 2);
  const valid = created.valid;
  return (a, b) => {
    const d = time[a]! - time[b]!;
    if (d !== 0) return d;
    const va = valid ? valid[a]! : 1;
    const vb = valid ? valid[b]! : 1;
    if (va !== vb) return va - vb;
    if (va) {
      const hi = halves[2 * a + 1]! - halves[2 * b + 1]!;
      if (hi !== 0) return hi;
      const lo = (halves[2 * a]! >>> 0) - (halves[2 * b]! >>> 0);
      if (lo !== 0) return lo;
    }
    return a - b;
  };
}

function isSorted(rows: Int32Array, s: number, e: number, compare: (a: number, b: number) => number): boolean {
  for (let p = s + 1; p < e; p++) if (compare(rows[p - 1]!, rows[p]!) > 0) return false;
  return true;
}

function insertionSort(rows: Int32Array, s: number, e: number, compare: (a: number, b: number) => number): void {
  for (let p = s + 1; p < e; p++) {
    const x = rows[p]!;
    let q = p - 1;
    while (q >= s && compare(rows[q]!, x) > 0) {
      rows[q + 1] = rows[q]!;
      q--;
    }
    rows[q + 1] = x;
  }
}
