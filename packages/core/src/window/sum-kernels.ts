/**
 * Sliding-window sums, exact for every input type. Output row `r` sums the
 * included positions `start[r] .. end[r] - 1` (see `WindowRanges`).
 */
import type { WindowRanges } from './change-points.js';
import { ExactSum } from './exact-sum.js';

const TWO_32 = 2 ** 32;

/**
 * Sums of integers given as limbs `hi * 2^32 + lo` (see `readIntLimbs`).
 * The running sum is two doubles, a high part and a low part kept in
 * `[0, 2^32)` by carrying: exact while the high part stays below 2^53, i.e.
 * for any window sum below 2^85 (more than 2^21 int64 values at full scale).
 * No `bigint` per event. Per row: the window sum as the same limbs.
 */
export function windowIntSums(
  hi: Float64Array,
  lo: Float64Array,
  include: Uint8Array,
  ranges: WindowRanges,
): { hi: Float64Array; lo: Float64Array } {
  const outHi = new Float64Array(ranges.length);
  const outLo = new Float64Array(ranges.length);
  let H = 0;
  let L = 0;
  let added = 0;
  let removed = 0;
  for (let r = 0; r < ranges.length; r++) {
    for (const e = ranges.end[r]!; added < e; added++) {
      if (!include[added]) continue;
      H += hi[added]!;
      L += lo[added]!;
      if (L >= TWO_32) {
        L -= TWO_32;
        H += 1;
      }
    }
    for (const s = ranges.start[r]!; removed < s; removed++) {
      if (!include[removed]) continue;
      H -= hi[removed]!;
      L -= lo[removed]!;
      if (L < 0) {
        L += TWO_32;
        H -= 1;
      }
    }
    outHi[r] = H;
    outLo[r] = L;
  }
  return { hi: outHi, lo: outLo };
}

/**
 * Sums of doubles, kept exactly in an {@link ExactSum} and rounded once per
 * row, so no rounding error of an expired value lingers. Infinities and NaN
 * are counted apart and decide the result as IEEE addition would (NaN, or
 * +Infinity with -Infinity, give NaN). Should an intermediate overflow the
 * double range, the window is re-summed from its values.
 */
export function windowFloatSums(values: Float64Array, include: Uint8Array, ranges: WindowRanges): Float64Array {
  const out = new Float64Array(ranges.length);
  const sum = new ExactSum();
  // Per kind of value in the window: finite, NaN, +Infinity, -Infinity.
  const members = new Int32Array(4);
  let broken = false;
  let added = 0;
  let removed = 0;
  for (let r = 0; r < ranges.length; r++) {
    for (const e = ranges.end[r]!; added < e; added++) {
      if (!include[added]) continue;
      const x = values[added]!;
      const kind = classify(x);
      members[kind]!++;
      if (kind === 0 && !sum.add(x)) broken = true;
    }
    for (const s = ranges.start[r]!; removed < s; removed++) {
      if (!include[removed]) continue;
      const x = values[removed]!;
      const kind = classify(x);
      members[kind]!--;
      if (kind === 0 && !sum.add(-x)) broken = true;
    }
    if (members[0] === 0) {
      // No finite value left: reset to an exact zero, whatever happened before.
      sum.clear();
      broken = false;
    }
    if (members[1]! > 0 || (members[2]! > 0 && members[3]! > 0)) out[r] = NaN;
    else if (members[2]! > 0) out[r] = Infinity;
    else if (members[3]! > 0) out[r] = -Infinity;
    else {
      if (broken) broken = !resum(sum, values, include, removed, added);
      out[r] = broken ? naiveSum(values, include, removed, added) : sum.value();
    }
  }
  return out;
}

function classify(x: number): number {
  return x - x === 0 ? 0 : x !== x ? 1 : x > 0 ? 2 : 3;
}

function resum(sum: ExactSum, values: Float64Array, include: Uint8Array, from: number, to: number): boolean {
  sum.clear();
  let ok = true;
  for (let p = from; p < to; p++) {
    const x = values[p]!;
    if (include[p] && Number.isFinite(x)) ok = sum.add(x) && ok;
  }
  return ok;
}

// Only reached when the exact window sum itself is beyond the double range: IEEE gives ±Infinity.
function naiveSum(values: Float64Array, include: Uint8Array, from: number, to: number): number {
  let total = 0;
  for (let p = from; p < to; p++) if (include[p]) total += values[p]!;
  return total;
}

/** Sums of `bigint`s (decimal inputs, as scaled integers). Per row: the window sum. */
export function windowBigIntSums(values: readonly bigint[], include: Uint8Array, ranges: WindowRanges): bigint[] {
  const out: bigint[] = new Array(ranges.length);
  let total = 0n;
  let added = 0;
  let removed = 0;
  for (let r = 0; r < ranges.length; r++) {
    for (const e = ranges.end[r]!; added < e; added++) if (include[added]) total += values[added]!;
    for (const s = ranges.start[r]!; removed < s; removed++) if (include[removed]) total -= values[removed]!;
    out[r] = total;
  }
  return out;
}
