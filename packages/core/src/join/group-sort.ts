/**
 * Grouping and ordering of feature rows per key, shared by the point-in-time
 * join and the diff of re-materializations. Typed arrays only.
 */

/**
 * Orders row indices by key, then event time, then created time (null
 * lowest), then input position. A counting sort by key scatters indices and
 * times into contiguous per-key segments (stable, so input order is kept
 * among equal times); each segment not already in order is then sorted by a
 * stable sort on (event, created). Returns segment starts
 * (`start[g]..start[g+1]`), the row order and the event times in that order.
 */
export function groupAndSort(
  group: Int32Array,
  groups: number,
  eventTimes: Float64Array,
  createdTimes: Float64Array | null,
): { start: Int32Array; order: Uint32Array; event: Float64Array } {
  const start = new Int32Array(groups + 1);
  let kept = 0;
  for (let j = 0; j < group.length; j++) {
    const g = group[j]!;
    if (g >= 0) {
      start[g + 1]!++;
      kept++;
    }
  }
  let longest = 0;
  for (let g = 0; g < groups; g++) {
    longest = Math.max(longest, start[g + 1]!);
    start[g + 1]! += start[g]!;
  }
  const cursor = start.slice(0, groups);
  const order = new Uint32Array(kept);
  const event = new Float64Array(kept);
  // Null created times (NaN) become -Infinity: they sort lowest.
  const created = new Float64Array(createdTimes ? kept : 0);
  for (let j = 0; j < group.length; j++) {
    const g = group[j]!;
    if (g < 0) continue;
    const p = cursor[g]!++;
    order[p] = j;
    event[p] = eventTimes[j]!;
    if (createdTimes) {
      const c = createdTimes[j]!;
      created[p] = c === c ? c : -Infinity;
    }
  }
  const sorter = new SegmentSorter(longest, createdTimes !== null);
  for (let g = 0; g < groups; g++) sorter.sort(order, event, created, start[g]!, start[g + 1]!);
  return { start, order, event };
}

/** Stable sort of one segment of (event, created, row) triples; scratch reused across segments. */
class SegmentSorter {
  private readonly rank: Uint32Array;
  private readonly tmp: Uint32Array;
  private readonly o: Uint32Array;
  private readonly e: Float64Array;
  private readonly c: Float64Array;

  constructor(longest: number, private readonly withCreated: boolean) {
    this.rank = new Uint32Array(longest);
    this.tmp = new Uint32Array(longest);
    this.o = new Uint32Array(longest);
    this.e = new Float64Array(longest);
    this.c = new Float64Array(withCreated ? longest : 0);
  }

  sort(order: Uint32Array, event: Float64Array, created: Float64Array, s: number, end: number): void {
    const c = this.withCreated;
    let inOrder = true;
    for (let p = s + 1; p < end; p++) {
      if (event[p]! < event[p - 1]! || (c && event[p] === event[p - 1] && created[p]! < created[p - 1]!)) {
        inOrder = false;
        break;
      }
    }
    if (inOrder) return;
    const len = end - s;
    // Sort local positions 0..len-1 (merge sort, stable), then permute the three arrays.
    let src = this.rank;
    let dst = this.tmp;
    for (let i = 0; i < len; i++) src[i] = i;
    for (let width = 1; width < len; width *= 2) {
      for (let lo = 0; lo < len; lo += 2 * width) {
        const mid = Math.min(lo + width, len);
        const hi = Math.min(lo + 2 * width, len);
        let a = lo;
        let b = mid;
        let k = lo;
        while (a < mid && b < hi) {
          const x = src[a]!;
          const y = src[b]!;
          const ex = event[s + x]!;
          const ey = event[s + y]!;
          // Take from the right only if strictly before: keeps the sort stable.
          if (ey < ex || (c && ey === ex && created[s + y]! < created[s + x]!)) {
            dst[k++] = y;
            b++;
          } else {
            dst[k++] = x;
            a++;
          }
        }
        while (a < mid) dst[k++] = src[a++]!;
        while (b < hi) dst[k++] = src[b++]!;
      }
      const swap = src;
      src = dst;
      dst = swap;
    }
    for (let i = 0; i < len; i++) {
      const from = s + src[i]!;
      this.o[i] = order[from]!;
      this.e[i] = event[from]!;
      if (c) this.c[i] = created[from]!;
    }
    order.set(this.o.subarray(0, len), s);
    event.set(this.e.subarray(0, len), s);
    if (c) created.set(this.c.subarray(0, len), s);
  }
}
