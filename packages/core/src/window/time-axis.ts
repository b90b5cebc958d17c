/**
 * Exact double coordinates for the instants a window evaluation compares:
 * event times and expiries (`event_ts + window`). Microseconds beyond 2^53
 * (year 9999 is 2.5e17 µs) are not exact doubles, and comparing `bigint`s in
 * the hot loops would allocate, so each instant is mapped once to a double
 * that keeps order and equality: its offset from the earliest event when the
 * span fits in 2^53 µs (285 years), else its dense rank among all of them.
 */

const TWO_32 = 2 ** 32;
const INT64_MAX = (1n << 63n) - 1n;
const SAFE_SPAN = 1n << 53n;

/** Coordinates of the kept events' times and expiries. */
export interface TimeAxis {
  /** Coordinate of each event's time, by input row (meaningful for kept rows only). */
  readonly time: Float64Array;
  /**
   * The coordinates in the order of `rows` (input row indices): event times,
   * and per window the expiries `event_ts + window` (`Infinity` past the
   * int64 range).
   */
  inOrder(rows: Int32Array): { time: Float64Array; expiry: Float64Array[] };
  /** Epoch microseconds of coordinates produced by this axis. */
  toMicros(coords: Float64Array): BigInt64Array;
}

/** Builds the axis for the rows with `keep[i] === 1`; `windowsUs` are distinct window lengths in µs. */
export function buildTimeAxis(micros: BigInt64Array, keep: Uint8Array, windowsUs: readonly bigint[]): TimeAxis {
  const n = micros.length;
  const halves = new Int32Array(micros.buffer, micros.byteOffset, n * 2);
  let minRow = -1;
  let maxRow = -1;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    if (minRow < 0 || less(halves, i, minRow)) minRow = i;
    if (maxRow < 0 || less(halves, maxRow, i)) maxRow = i;
  }
  if (minRow < 0) return offsetAxis(halves, keep, windowsUs, 0, 0);
  const maxWindow = windowsUs.reduce((a, b) => (b > a ? b : a), 0n);
  const min = micros[minRow]!;
  const max = micros[maxRow]!;
  if (max - min + maxWindow < SAFE_SPAN && max <= INT64_MAX - maxWindow) {
    return offsetAxis(halves, keep, windowsUs, halves[2 * minRow + 1]!, halves[2 * minRow]! >>> 0);
  }
  return rankAxis(micros, keep, windowsUs);
}

function less(halves: Int32Array, a: number, b: number): boolean {
  const ha = halves[2 * a + 1]!;
  const hb = halves[2 * b + 1]!;
  return ha < hb || (ha === hb && halves[2 * a]! >>> 0 < halves[2 * b]! >>> 0);
}

function offsetAxis(halves: Int32Array, keep: Uint8Array, windowsUs: readonly bigint[], baseHi: number, baseLo: number): TimeAxis {
  const n = keep.length;
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Both terms are exact and so is their sum, which is below 2^53 by the span check.
    if (keep[i]) time[i] = (halves[2 * i + 1]! - baseHi) * TWO_32 + ((halves[2 * i]! >>> 0) - baseLo);
  }
  return {
    time,
    inOrder(rows) {
      const sorted = gatherRows(time, rows);
      const expiry = windowsUs.map((w) => {
        const width = Number(w);
        const out = new Float64Array(rows.length);
        for (let p = 0; p < rows.length; p++) out[p] = sorted[p]! + width;
        return out;
      });
      return { time: sorted, expiry };
    },
    toMicros(coords) {
      const out = new BigInt64Array(coords.length);
      const outHalves = new Int32Array(out.buffer);
      for (let i = 0; i < coords.length; i++) {
        const c = coords[i]!;
        const lo = baseLo + (c % TWO_32);
        // `| 0` keeps the low 32 bits, as two's complement, of the exact doubles.
        outHalves[2 * i] = lo | 0;
        outHalves[2 * i + 1] = (baseHi + Math.floor(c / TWO_32) + (lo >= TWO_32 ? 1 : 0)) | 0;
      }
      return out;
    },
  };
}

// The rare path (instants more than 285 years apart): bigint work per event is acceptable here.
function rankAxis(micros: BigInt64Array, keep: Uint8Array, windowsUs: readonly bigint[]): TimeAxis {
  const n = micros.length;
  const all = new BigInt64Array(n * (1 + windowsUs.length));
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    const t = micros[i]!;
    all[k++] = t;
    for (const w of windowsUs) if (t <= INT64_MAX - w) all[k++] = t + w;
  }
  const sorted = all.subarray(0, k).sort();
  let d = 0;
  for (let i = 0; i < k; i++) if (d === 0 || sorted[i] !== sorted[d - 1]) sorted[d++] = sorted[i]!;
  const distinct = sorted.subarray(0, d);
  const rank = (v: bigint): number => {
    let lo = 0;
    let hi = d - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (distinct[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const time = new Float64Array(n);
  const expiry = windowsUs.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    const t = micros[i]!;
    time[i] = rank(t);
    windowsUs.forEach((w, j) => (expiry[j]![i] = t <= INT64_MAX - w ? rank(t + w) : Infinity));
  }
  return {
    time,
    inOrder(rows) {
      return { time: gatherRows(time, rows), expiry: expiry.map((column) => gatherRows(column, rows)) };
    },
    toMicros(coords) {
      const out = new BigInt64Array(coords.length);
      for (let i = 0; i < coords.length; i++) out[i] = distinct[coords[i]!]!;
      return out;
    },
  };
}

function gatherRows(values: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let p = 0; p < rows.length; p++) out[p] = values[rows[p]!]!;
  return out;
}
