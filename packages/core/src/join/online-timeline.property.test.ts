/**
 * The online timeline against the brute-force point-in-time oracle of
 * test/oracles/pit-oracle.ts (which shares no code with the join): for
 * random rows (ties, null created times, tombstones), a random publish
 * instant P, horizon end E and TTL, reading the timeline the way the online
 * store does (latest point at or before t, then tombstone, TTL, horizon)
 * gives exactly the oracle's answer at every t in [P, E], and `stale` after E.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { oracleChoose, type OracleFeatureRow } from '../../../../test/oracles/pit-oracle.js';
import { rowsToTable } from '../arrow/rows.js';
import { bool, int64, timestamp } from '../dtypes.js';
import { timelineRows, timelineRowsPerEntity } from './online-timeline.js';
import { latestAtOrBefore, timelineAnswerAt } from './timeline-at.js';

const MS = 1000n;
const row = fc.record({
  id: fc.integer({ min: 1, max: 3 }),
  ets: fc.integer({ min: 0, max: 40 }),
  cts: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 4 }),
  deleted: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
});

interface Point {
  readonly eventTs: bigint;
  readonly tombstone: boolean;
  readonly row: number;
}

describe('online timeline (timelineRows + timelineAnswerAt) against the point-in-time oracle', () => {
  it('answers exactly as the offline join at every instant in [P, E] and stale after E', () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 30 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 30 }),
        fc.option(fc.integer({ min: 0, max: 15 }), { freq: 2 }),
        (input, p, h, ttl) => {
          const rows = input.map((r, i) => ({ account_id: BigInt(r.id), event_ts: BigInt(r.ets) * MS, created_ts: r.cts === null ? null : BigInt(r.cts) * MS, _asof_deleted: r.deleted, v: BigInt(i) }));
          const table = rowsToTable(rows, { account_id: int64(), event_ts: timestamp(), created_ts: timestamp(), _asof_deleted: bool(), v: int64() });
          const P = BigInt(p) * MS;
          const E = P + BigInt(h) * MS;
          const chosen = timelineRows(table, { keys: ['account_id'], eventTime: 'event_ts', createdTime: 'created_ts', publishedAt: P, horizonEnd: E });
          // Per entity, its points in time order; one per instant, at most one at or before P, the rest in (P, E].
          const timelines = new Map<bigint, Point[]>();
          for (const j of chosen) {
            const r = rows[j]!;
            const list = timelines.get(r.account_id) ?? [];
            list.push({ eventTs: r.event_ts, tombstone: r._asof_deleted, row: j });
            timelines.set(r.account_id, list);
          }
          for (const points of timelines.values()) {
            points.sort((a, b) => (a.eventTs < b.eventTs ? -1 : 1));
            expect(new Set(points.map((x) => x.eventTs)).size).toBe(points.length);
            expect(points.filter((x) => x.eventTs <= P).length).toBeLessThanOrEqual(1);
            expect(points.every((x) => x.eventTs <= E)).toBe(true);
          }
          const oracleRows: OracleFeatureRow[] = rows.map((r) => ({ keys: [r.account_id], eventTs: r.event_ts, createdTs: r.created_ts, tombstone: r._asof_deleted, values: { v: r.v } }));
          const ttlMicros = ttl === null ? null : BigInt(ttl) * MS;
          for (const id of [1n, 2n, 3n]) {
            const points = timelines.get(id) ?? [];
            const times = BigInt64Array.from(points, (x) => x.eventTs);
            for (let t = P; t <= E + 2n * MS; t += MS / 2n) {
              const i = latestAtOrBefore(times, t);
              const point = i < 0 ? null : points[i]!;
              const answer = timelineAnswerAt(point, t, ttlMicros, points.length === 0 ? null : E);
              if (t > E && points.length > 0) {
                expect(answer).toBe('stale');
                continue;
              }
              if (t > E) continue; // nothing stored: the store cannot know the key at all
              const [withTtl] = oracleChoose([{ keys: [id], t }], oracleRows, ttl === null ? {} : { ttlMs: ttl });
              const [latest] = oracleChoose([{ keys: [id], t }], oracleRows);
              const expected = latest == null || rows[latest]!._asof_deleted ? 'missing' : withTtl === null ? 'expired' : 'present';
              expect([id, t, answer]).toEqual([id, t, expected]);
              if (expected === 'present') expect(rows[point!.row]!.v).toBe(rows[withTtl as number]!.v);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('per entity: each entity of the list gets the timeline of its own interval, other entities none', () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 30 }),
        fc.array(fc.record({ id: fc.integer({ min: 1, max: 4 }), p: fc.integer({ min: 0, max: 40 }), h: fc.integer({ min: 0, max: 30 }) }), { maxLength: 4 }),
        (input, intervals) => {
          const rows = input.map((r, i) => ({ account_id: BigInt(r.id), event_ts: BigInt(r.ets) * MS, created_ts: r.cts === null ? null : BigInt(r.cts) * MS, v: BigInt(i) }));
          const types = { account_id: int64(), event_ts: timestamp(), created_ts: timestamp(), v: int64() };
          const table = rowsToTable(rows, types);
          const unique = [...new Map(intervals.map((x) => [x.id, x])).values()];
          const entities = rowsToTable(unique.map((x) => ({ account_id: BigInt(x.id) })), { account_id: int64() });
          const got = timelineRowsPerEntity(table, {
            keys: ['account_id'],
            eventTime: 'event_ts',
            createdTime: 'created_ts',
            entities,
            publishedAt: BigInt64Array.from(unique, (x) => BigInt(x.p) * MS),
            horizonEnd: BigInt64Array.from(unique, (x) => BigInt(x.p + x.h) * MS),
          });
          const want: number[] = [];
          for (const x of unique) {
            const mine = rows.map((r, j) => [r, j] as const).filter(([r]) => r.account_id === BigInt(x.id));
            const sub = rowsToTable(mine.map(([r]) => r), types);
            const chosen = timelineRows(sub, { keys: ['account_id'], eventTime: 'event_ts', createdTime: 'created_ts', publishedAt: BigInt(x.p) * MS, horizonEnd: BigInt(x.p + x.h) * MS });
            want.push(...[...chosen].map((k) => mine[k]![1]));
          }
          expect([...got]).toEqual(want.sort((a, b) => a - b));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the current row and only future change points inside the horizon', () => {
    const rows = [
      { account_id: 1n, event_ts: 1n, created_ts: 1n, v: 1n },
      { account_id: 1n, event_ts: 5n, created_ts: 1n, v: 2n },
      { account_id: 1n, event_ts: 5n, created_ts: 2n, v: 3n }, // a later correction of the same instant wins
      { account_id: 1n, event_ts: 12n, created_ts: 1n, v: 4n },
      { account_id: 1n, event_ts: 30n, created_ts: 1n, v: 5n }, // past the horizon
      { account_id: 2n, event_ts: 20n, created_ts: 1n, v: 6n }, // no current row, one future point
      { account_id: 3n, event_ts: 31n, created_ts: 1n, v: 7n }, // nothing inside the horizon
    ];
    const table = rowsToTable(rows, { account_id: int64(), event_ts: timestamp(), created_ts: timestamp(), v: int64() });
    const chosen = timelineRows(table, { keys: ['account_id'], eventTime: 'event_ts', createdTime: 'created_ts', publishedAt: 6n, horizonEnd: 20n });
    expect([...chosen].map((j) => rows[j]!.v)).toEqual([3n, 4n, 6n]);
    expect(() => timelineRows(table, { keys: ['account_id'], eventTime: 'event_ts', publishedAt: 6n, horizonEnd: 5n })).toThrow(/before its publish instant/);
  });
});
