/**
 * Sliding-window kernels over events in sorted order. Output row `r` covers
 * sorted positions `start[r] .. end[r] - 1`; both bounds never decrease, so
 * each kernel adds and removes every event once (two pointers), or answers
 * from a prefix array. Values are ranks (see `RankedValues`), `-1` meaning
 * "not in any window" (null value or filtered out). No allocation per row.
 */
import type { WindowRanges } from './change-points.js';

/** Per row: how many positions of its window have `include[p] === 1`. */
export function windowCounts(include: Uint8Array, ranges: WindowRanges): Int32Array {
  const prefix = new Int32Array(include.length + 1);
  for (let p = 0; p < include.length; p++) prefix[p + 1] = prefix[p]! + include[p]!;
  const out = new Int32Array(ranges.length);
  for (let r = 0; r < ranges.length; r++) out[r] = prefix[ranges.end[r]!]! - prefix[ranges.start[r]!]!;
  return out;
}

/**
 * Per row: the latest included position of its window, or -1. Sorted order
 * is (event time, created time, input order), so that is the event `last`
 * reports.
 */
export function windowLast(include: Uint8Array, ranges: WindowRanges): Int32Array {
  const latest = new Int32Array(include.length);
  let last = -1;
  for (let p = 0; p < include.length; p++) {
    if (include[p]) last = p;
    latest[p] = last;
  }
  const out = new Int32Array(ranges.length);
  for (let r = 0; r < ranges.length; r++) {
    const e = ranges.end[r]!;
    const q = e > 0 ? latest[e - 1]! : -1;
    out[r] = q >= ranges.start[r]! ? q : -1;
  }
  return out;
}

/** Per row: the smallest (or largest) rank in its window, or -1; a monotonic deque of positions. */
export function windowExtreme(ranks: Int32Array, ranges: WindowRanges, largest: boolean): Int32Array {
  const deque = new Int32Array(ranks.length);
  const out = new Int32Array(ranges.length);
  let head = 0;
  let tail = 0;
  let added = 0;
  for (let r = 0; r < ranges.length; r++) {
    const e = ranges.end[r]!;
    for (; added < e; added++) {
      const v = ranks[added]!;
      if (v < 0) continue;
      // Drop values the newcomer outlives and beats: they can never be the answer again.
      while (tail > head && (largest ? ranks[deque[tail - 1]!]! <= v : ranks[deque[tail - 1]!]! >= v)) tail--;
      deque[tail++] = added;
    }
    const s = ranges.start[r]!;
    while (head < tail && deque[head]! < s) head++;
    out[r] = head < tail ? ranks[deque[head]!]! : -1;
  }
  return out;
}

/** Per row: the number of distinct ranks in its window; a multiset of counts per rank. */
export function windowDistinctCounts(ranks: Int32Array, size: number, ranges: WindowRanges): Int32Array {
  const counts = new Int32Array(size);
  const out = new Int32Array(ranges.length);
  let distinct = 0;
  let added = 0;
  let removed = 0;
  for (let r = 0; r < ranges.length; r++) {
    for (const e = ranges.end[r]!; added < e; added++) {
      const v = ranks[added]!;
      if (v >= 0 && counts[v]!++ === 0) distinct++;
    }
    for (const s = ranges.start[r]!; removed < s; removed++) {
      const v = ranks[removed]!;
      if (v >= 0 && --counts[v]! === 0) distinct--;
    }
    out[r] = distinct;
  }
  return out;
}

/**
 * Per row: the distinct ranks of its window, ascending, as list offsets and
 * items. The present ranks are kept in a sorted array (insert and delete by
 * binary search and a block move): O(set size) per event, which the output
 * (O(set size) per row, at least one row per event) already costs.
 */
export function windowSets(ranks: Int32Array, size: number, ranges: WindowRanges): { offsets: Int32Array; items: Int32Array } {
  const counts = new Int32Array(size);
  const present = new Int32Array(size);
  const offsets = new Int32Array(ranges.length + 1);
  let items = new Int32Array(Math.max(16, ranks.length));
  let len = 0;
  let added = 0;
  let removed = 0;
  for (let r = 0; r < ranges.length; r++) {
    for (const e = ranges.end[r]!; added < e; added++) {
      const v = ranks[added]!;
      if (v < 0 || counts[v]!++ > 0) continue;
      const at = lowerBound(present, len, v);
      present.copyWithin(at + 1, at, len);
      present[at] = v;
      len++;
    }
    for (const s = ranges.start[r]!; removed < s; removed++) {
      const v = ranks[removed]!;
      if (v < 0 || --counts[v]! > 0) continue;
      const at = lowerBound(present, len, v);
      present.copyWithin(at, at + 1, len);
      len--;
    }
    const from = offsets[r]!;
    if (from + len > 0x7fffffff) throw new RangeError('collect_set output exceeds 2^31 items');
    if (from + len > items.length) {
      const next = new Int32Array(Math.max(from + len, items.length * 2));
      next.set(items.subarray(0, from));
      items = next;
    }
    items.set(present.subarray(0, len), from);
    offsets[r + 1] = from + len;
  }
  return { offsets, items: items.subarray(0, offsets[ranges.length]!) };
}

function lowerBound(sorted: Int32Array, len: number, v: number): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
