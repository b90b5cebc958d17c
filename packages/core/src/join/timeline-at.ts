/**
 * DESIGN §3's lookup for one entity's timeline (its rows ordered by event
 * time, one per instant), as the online read applies it: the latest row at
 * or before `at`, a tombstone reading as missing, the TTL measured from
 * that row's event time (`at - ttl <= event_ts`, inclusive), and nothing
 * known after the horizon. The vectorised `chooseRows` applies the same
 * rule to whole tables; a test proves the two agree.
 */

/** What a timeline answers at an instant. */
export type TimelineAnswer = 'present' | 'missing' | 'expired' | 'stale';

/** The index of the last of `times` (strictly increasing, µs) at or before `at`, or -1. */
export function latestAtOrBefore(times: BigInt64Array, at: bigint): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The answer at `at` given the chosen point (`null`: no point at or before
 * `at`), the TTL in µs (`null`: unbounded) and the horizon end (`null`:
 * unbounded). `present` means the point's values are the answer.
 */
export function timelineAnswerAt(
  point: { readonly eventTs: bigint; readonly tombstone: boolean } | null,
  at: bigint,
  ttlMicros: bigint | null,
  horizonEnd: bigint | null,
): TimelineAnswer {
  if (horizonEnd !== null && at > horizonEnd) return 'stale';
  if (point === null || point.tombstone) return 'missing';
  if (ttlMicros !== null && point.eventTs < at - ttlMicros) return 'expired';
  return 'present';
}
