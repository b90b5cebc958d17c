import { Bool, Float64, Int64, makeData, makeVector, Table } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { microsVector } from '../arrow/time-column.js';
import { Instant } from '../time/instant.js';
import { diffFeatureRows, sameValue, TOMBSTONE_COLUMN } from './diff-rows.js';

const RUNS = process.env.CI ? 1000 : 300;

interface Row {
  key: number;
  t: number;
  created: number;
  v: number | null;
  deleted?: boolean;
}

function table(rows: readonly Row[], withCreated: boolean): Table {
  const n = rows.length;
  const cols: Record<string, ReturnType<typeof makeVector>> = {
    k: makeVector(makeData({ type: new Int64(), length: n, data: BigInt64Array.from(rows, (r) => BigInt(r.key)) })),
    event_ts: microsVector(BigInt64Array.from(rows, (r) => BigInt(r.t))),
  };
  if (withCreated) cols.created_ts = microsVector(BigInt64Array.from(rows, (r) => BigInt(r.created)));
  const valid = Uint8Array.from(rows, (r) => (r.v === null ? 0 : 1));
  const bits = new Uint8Array(((n + 63) & ~63) >> 3);
  valid.forEach((b, i) => b && (bits[i >> 3]! |= 1 << (i & 7)));
  cols.v = makeVector(
    makeData({ type: new Float64(), length: n, data: Float64Array.from(rows, (r) => r.v ?? 0), nullBitmap: bits, nullCount: n - valid.reduce((a, b) => a + b, 0) }),
  );
  if (withCreated) {
    const deleted = new Uint8Array(((n + 63) & ~63) >> 3);
    rows.forEach((r, i) => r.deleted && (deleted[i >> 3]! |= 1 << (i & 7)));
    cols[TOMBSTONE_COLUMN] = makeVector(makeData({ type: new Bool(), length: n, data: deleted }));
  }
  return new Table(cols);
}

function rowsOf(t: Table): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < t.numRows; i++) {
    out.push({
      key: Number(t.getChild('k')!.get(i)),
      t: Number(t.getChild('event_ts')!.data[0]!.values[i]),
      created: Number(t.getChild('created_ts')!.data[0]!.values[i]),
      v: t.getChild('v')!.get(i) as number | null,
      deleted: t.getChild(TOMBSTONE_COLUMN)?.get(i) === true,
    });
  }
  return out;
}

/** Brute force: the value a lookup at `at` sees (latest event, then latest created, then last written); undefined = nothing. */
function lookup(rows: readonly Row[], key: number, at: number, knownAt = Infinity): number | null | undefined {
  let best: Row | undefined;
  let bestIndex = -1;
  rows.forEach((r, i) => {
    if (r.key !== key || r.t > at || r.created > knownAt) return;
    if (!best || r.t > best.t || (r.t === best.t && (r.created > best.created || (r.created === best.created && i > bestIndex)))) {
      best = r;
      bestIndex = i;
    }
  });
  if (!best || best.deleted) return undefined;
  return best.v;
}

const rowArb = fc.record({
  key: fc.integer({ min: 1, max: 3 }),
  t: fc.integer({ min: 0, max: 12 }),
  created: fc.integer({ min: 0, max: 50 }),
  v: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  deleted: fc.boolean(),
});
const nextArb = fc
  .array(fc.record({ key: fc.integer({ min: 1, max: 4 }), t: fc.integer({ min: 0, max: 12 }), v: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }) }), { maxLength: 25 })
  .map((rows) => {
    const seen = new Set<string>();
    return rows.filter((r) => !seen.has(`${r.key}@${r.t}`) && seen.add(`${r.key}@${r.t}`)).map((r) => ({ ...r, created: 0 }));
  });

const options = (createdAt: bigint) => ({
  keys: ['k'],
  features: ['v'],
  eventTime: 'event_ts',
  createdTime: 'created_ts',
  createdAt,
});

describe('diffFeatureRows', () => {
  it('after appending the diff, every lookup equals the new rows; earlier knowledge is unchanged; a second diff is empty (property)', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 30 }), nextArb, (currentRows, nextRows) => {
        const current = table(currentRows, true);
        const appended = rowsOf(diffFeatureRows(current, table(nextRows, false), options(100n)));
        const after = [...currentRows, ...appended];
        for (const key of [1, 2, 3, 4]) {
          for (let at = -1; at <= 13; at++) {
            const want = lookup(nextRows, key, at);
            expect(lookup(after, key, at) ?? null).toEqual(want ?? null);
            for (const k of [0, 10, 25, 50]) expect(lookup(after, key, at, k)).toEqual(lookup(currentRows, key, at, k));
          }
        }
        const again = diffFeatureRows(table(after, true), table(nextRows, false), options(200n));
        expect(again.numRows).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('with an interval: every lookup inside it equals the new rows, outside it nothing changes, a second diff is empty (property)', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 30 }), nextArb, fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 13 }), (currentRows, nextRows, a, b) => {
        const interval = { start: BigInt(Math.min(a, b)), end: BigInt(Math.max(a, b)) };
        const current = table(currentRows, true);
        const appended = rowsOf(diffFeatureRows(current, table(nextRows, false), { ...options(100n), interval }));
        for (const r of appended) expect(r.t >= Number(interval.start) && r.t < Number(interval.end)).toBe(true);
        const after = [...currentRows, ...appended];
        for (const key of [1, 2, 3, 4]) {
          for (let at = -1; at <= 13; at++) {
            // Inside [start, end) the view answers as the new rows do (the start itself included, whatever lies before it).
            if (at >= interval.start && at < interval.end) expect(lookup(after, key, at) ?? null).toEqual(lookup(nextRows, key, at) ?? null);
            if (at < interval.start) expect(lookup(after, key, at) ?? null).toEqual(lookup(currentRows, key, at) ?? null);
          }
        }
        expect(diffFeatureRows(table(after, true), table(nextRows, false), { ...options(200n), interval }).numRows).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('appends nothing when the new rows equal the visible ones', () => {
    const rows = [{ key: 1, t: 5, created: 1, v: 2 }];
    expect(diffFeatureRows(table(rows, true), table(rows, false), options(9n)).numRows).toBe(0);
  });

  it('tombstones the change points of an entity that disappeared', () => {
    const current = table([{ key: 1, t: 5, created: 1, v: 2 }, { key: 1, t: 8, created: 1, v: 3 }], true);
    const out = rowsOf(diffFeatureRows(current, table([], false), options(9n)));
    expect(out.map((r) => [r.key, r.t, r.created, r.deleted])).toEqual([
      [1, 5, 9, true],
      [1, 8, 9, true],
    ]);
  });

  it('carries the new value over a vanished change point instead of letting the old one shadow it', () => {
    const current = table([{ key: 1, t: 5, created: 1, v: 2 }, { key: 1, t: 8, created: 1, v: 3 }], true);
    const next = table([{ key: 1, t: 5, created: 0, v: 2 }], false);
    const out = rowsOf(diffFeatureRows(current, next, options(9n)));
    expect(out.map((r) => [r.t, r.v, r.deleted])).toEqual([[8, 2, false]]);
  });

  it('writes only inside the interval, and only for entities in next when scope is next', () => {
    const current = table([{ key: 1, t: 5, created: 1, v: 2 }, { key: 2, t: 5, created: 1, v: 2 }], true);
    const next = table([{ key: 1, t: 3, created: 0, v: 1 }, { key: 1, t: 9, created: 0, v: 4 }], false);
    const out = rowsOf(diffFeatureRows(current, next, { ...options(9n), interval: { start: 4n, end: 9n }, scope: 'next' }));
    // At the start (4) the view showed nothing while the new rows say 1 (from their point at 3): that value is written at 4.
    expect(out.map((r) => [r.key, r.t, r.v])).toEqual([[1, 4, 1], [1, 5, 1]]);
  });

  it('refuses a createdAt that is not later than the current rows', () => {
    const current = table([{ key: 1, t: 5, created: 10, v: 2 }], true);
    expect(() => diffFeatureRows(current, table([], false), options(10n))).toThrow(/createdAt/);
  });
});

describe('sameValue', () => {
  it('tells apart instants a microsecond apart (their getTime() is equal)', () => {
    expect(sameValue(new Instant(1_000_001n), new Instant(1_000_002n))).toBe(false);
    expect(sameValue(new Instant(1_000_001n), new Instant(1_000_001n))).toBe(true);
    expect(sameValue(new Date(1000), new Instant(1_000_000n))).toBe(true);
  });
  it('treats NaN as NaN and compares lists element-wise', () => {
    expect(sameValue(Number.NaN, Number.NaN)).toBe(true);
    expect(sameValue(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameValue(['a'], ['a', 'b'])).toBe(false);
    expect(sameValue(null, null)).toBe(true);
    expect(sameValue(0, null)).toBe(false);
  });
});
