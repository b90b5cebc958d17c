import { Bool, DateDay, Dictionary, Field, Float64, Int32, Int64, makeData, makeVector, Schema, Table, TimeUnit, Timestamp, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decimalCol, float64Col, int64Col, readRows, tsCol } from '../../../../test/helpers/window-arrow.js';
import { avg, collectSet, count, countDistinct, last, max, min, sum, where, type Aggregation } from '../definitions/aggregation.js';
import { bool, date, decimal, float64, int32, int64, string, timestamp } from '../dtypes.js';
import { DefinitionError } from '../errors.js';
import { evaluateWindows, type EvaluateWindowsOptions } from './evaluate-windows.js';

const MS = 1000n;
const YEAR_9999 = 253_402_300_799_000_000n; // 9999-12-31T23:59:59Z
const YEAR_1900 = -2_208_988_800_000_000n; // 1900-01-01T00:00:00Z
const [ts, i64, f64, dec, rows] = [tsCol, int64Col, float64Col, decimalCol, readRows];

const run = (events: Table, aggregations: Record<string, Aggregation>, extra: Partial<EvaluateWindowsOptions> = {}) =>
  rows(evaluateWindows(events, { keys: ['id'], eventTime: 'ts', aggregations, ...extra }));

/** The value a point-in-time lookup (latest row at or before t) gives. */
function at(out: Record<string, unknown>[], id: unknown, t: bigint, column: string): unknown {
  const hits = out.filter((r) => r.id === id && (r.event_ts as bigint) <= t);
  return hits.length ? hits[hits.length - 1]![column] : undefined;
}

describe('evaluateWindows: window bounds', () => {
  const events = new Table({ id: i64([1n, 1n]), ts: ts([10n * MS, 20n * MS]), v: f64([1, 2]) });
  const out = run(events, { n: count({ window: 10 }), total: sum('v', { window: 10 }) });

  it('includes an event exactly at t', () => {
    expect(at(out, 1n, 20n * MS, 'n')).toBe(1n);
    expect(at(out, 1n, 10n * MS, 'total')).toBe(1);
  });

  it('excludes an event exactly at t - window, and emits a row at that expiry', () => {
    expect(out.map((r) => r.event_ts)).toEqual([10n * MS, 20n * MS, 30n * MS]);
    expect(at(out, 1n, 20n * MS - 1n, 'n')).toBe(1n);
    expect(at(out, 1n, 20n * MS, 'total')).toBe(2);
    expect(at(out, 1n, 30n * MS - 1n, 'n')).toBe(1n);
    expect(at(out, 1n, 30n * MS, 'n')).toBe(0n);
    expect(at(out, 1n, 30n * MS, 'total')).toBe(null);
  });
});

describe('evaluateWindows: edge cases', () => {
  it('returns an empty feature-row table for empty input, with the output types', () => {
    const schema = new Schema([new Field('id', new Int64()), new Field('ts', new Timestamp(TimeUnit.MICROSECOND, 'UTC')), new Field('v', new Float64())]);
    for (const events of [new Table(schema), new Table({ id: i64([]), ts: ts([]), v: f64([]) })]) {
      const out = evaluateWindows(events, {
        keys: ['id'],
        eventTime: 'ts',
        aggregations: { n: count({ window: 5 }), s: sum('v', { window: 5 }), set: collectSet('v', { window: 5, type: float64() }) },
      });
      expect(out.numRows).toBe(0);
      expect(out.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
        'id:Int64',
        'event_ts:Timestamp<MICROSECOND, UTC>',
        'n:Int64',
        's:Float64',
        'set:List<Float64>',
      ]);
    }
  });

  it('handles a single event: a row at its time and one at its expiry', () => {
    const out = run(new Table({ id: i64([7n]), ts: ts([5n]), v: f64([2.5]) }), {
      m: max('v', { window: 1, type: float64() }),
      c: countDistinct('v', { window: 1 }),
    });
    expect(out).toEqual([
      { id: 7n, event_ts: 5n, m: 2.5, c: 1n },
      { id: 7n, event_ts: 1005n, m: null, c: 0n },
    ]);
  });

  it("breaks ties in event time by created time, then input order, for 'last'", () => {
    const events = new Table({
      id: i64([1n, 1n, 1n, 1n]),
      ts: ts([MS, MS, MS, MS]),
      created: ts([30n, 10n, null, 30n]),
      v: vectorFromArray(['late-1', 'early', 'unknown', 'late-2'], new Utf8()),
    });
    const out = run(events, { l: last('v', { window: 5, type: string() }) }, { createdTime: 'created' });
    expect(at(out, 1n, MS, 'l')).toBe('late-2');
    const known = run(events, { l: last('v', { window: 5, type: string() }) }, { createdTime: 'created', asKnownAt: 20n });
    expect(at(known, 1n, MS, 'l')).toBe('early');
    // Without a created time, input order decides.
    expect(at(run(events, { l: last('v', { window: 5, type: string() }) }), 1n, MS, 'l')).toBe('late-2');
  });

  it('skips null values, and a null latest value is null rather than an older one', () => {
    const events = new Table({ id: i64([1n, 1n, 1n]), ts: ts([MS, 2n * MS, 3n * MS]), v: i64([4n, null, null]) });
    const out = run(events, {
      n: count({ window: 10 }),
      nv: count('v', { window: 10 }),
      s: sum('v', { window: 10, type: int64() }),
      a: avg('v', { window: 10 }),
      l: last('v', { window: 10, type: int64() }),
    });
    expect(at(out, 1n, 3n * MS, 'n')).toBe(3n);
    expect(at(out, 1n, 3n * MS, 'nv')).toBe(1n);
    expect(at(out, 1n, 3n * MS, 's')).toBe(4n);
    expect(at(out, 1n, 3n * MS, 'a')).toBe(4);
    expect(at(out, 1n, 3n * MS, 'l')).toBe(null);
  });

  it('gives empty-window values for an all-null window', () => {
    const events = new Table({ id: i64([1n, 1n]), ts: ts([MS, 2n * MS]), v: f64([null, null]) });
    const [first] = run(events, {
      n: count('v', { window: 5 }),
      s: sum('v', { window: 5 }),
      a: avg('v', { window: 5 }),
      lo: min('v', { window: 5, type: float64() }),
      hi: max('v', { window: 5, type: float64() }),
      cd: countDistinct('v', { window: 5 }),
      set: collectSet('v', { window: 5, type: float64() }),
    });
    expect(first).toMatchObject({ n: 0n, s: null, a: null, lo: null, hi: null, cd: 0n, set: [] });
  });

  it('is exact before 1970 and in year 9999 (µs beyond 2^53), alone and mixed', () => {
    for (const times of [
      [YEAR_1900, YEAR_1900 + 1n],
      [YEAR_9999 - 1n, YEAR_9999],
      [YEAR_1900, YEAR_9999],
    ]) {
      const out = run(new Table({ id: i64([1n, 1n]), ts: ts(times) }), { n: count({ window: 1 }) });
      const expected = [times[0]!, times[1]!, times[0]! + MS, times[1]! + MS].sort((a, b) => (a < b ? -1 : 1));
      expect(out.map((r) => r.event_ts)).toEqual([...new Set(expected)]);
      expect(at(out, 1n, times[1]!, 'n')).toBe(times[1]! - times[0]! < MS ? 2n : 1n);
      expect(at(out, 1n, times[0]! + MS, 'n')).toBe(times[1]! - times[0]! < MS ? 1n : 0n);
      expect(at(out, 1n, times[1]! + MS, 'n')).toBe(0n);
    }
  });

  it('outputs no row for a key whose events are all unknown at asKnownAt, nor for null keys', () => {
    const events = new Table({ id: i64([1n, 2n, null]), ts: ts([MS, MS, MS]), created: ts([5n, 50n, 5n]) });
    const out = run(events, { n: count({ window: 1 }) }, { createdTime: 'created', asKnownAt: 10n });
    expect(out.map((r) => r.id)).toEqual([1n, 1n]);
    expect(at(out, 2n, 10n * MS, 'n')).toBeUndefined();
  });

  it('counts 0 and sums null when the filter excludes everything, keeping the change points', () => {
    const events = new Table({ id: i64([1n, 1n]), ts: ts([MS, 2n * MS]), v: f64([1, 2]), kind: vectorFromArray(['a', 'b'], new Utf8()) });
    const out = run(events, { n: count({ window: 1, where: { kind: 'zzz' } }), s: sum('v', { window: 1, where: where('v', '>', 100) }) });
    expect(out.map((r) => [r.event_ts, r.n, r.s])).toEqual([
      [MS, 0n, null],
      [2n * MS, 0n, null],
      [3n * MS, 0n, null],
    ]);
  });

  it('sums int64 exactly at large magnitude, and fails on overflow', () => {
    const big = 2n ** 62n;
    const events = new Table({ id: i64([1n, 1n, 1n, 1n]), ts: ts([MS, MS, 2n * MS, 3n * MS]), v: i64([big, 1n, -big, big - 1n]) });
    const out = run(events, { s: sum('v', { window: 10, type: int64() }), f: sum('v', { window: 10 }) });
    expect(out.map((r) => r.s).slice(0, 3)).toEqual([big + 1n, 1n, big]);
    expect(at(out, 1n, MS, 'f')).toBe(Number(big + 1n));
    const overflow = new Table({ id: i64([1n, 1n]), ts: ts([MS, MS]), v: i64([big, big]) });
    expect(() => run(overflow, { s: sum('v', { window: 10, type: int64() }) })).toThrow(/overflows int64/);
    expect(() => run(overflow, { s: sum('v', { window: 10, type: int32() }) })).toThrow(/overflows int32/);
  });

  it('sums decimals exactly, rescaling to the output scale', () => {
    const huge = 10n ** 30n;
    const events = new Table({ id: i64([1n, 1n, 1n]), ts: ts([MS, MS, MS]), amount: dec([10n, 20n, huge]) });
    const [row] = run(events, {
      exact: sum('amount', { window: 5, type: decimal(38, 2) }),
      wider: sum('amount', { window: 5, type: decimal(38, 4) }),
      small: sum('amount', { window: 5, type: decimal(38, 2), where: where('amount', '<', 1) }),
      mx: max('amount', { window: 5, type: decimal(38, 2) }),
    });
    expect(row).toMatchObject({ exact: huge + 30n, wider: (huge + 30n) * 100n, small: 30n, mx: huge });
    expect(() => run(events, { s: sum('amount', { window: 5, type: decimal(38, 1) }) })).toThrow(/scale 2/);
    expect(() => run(events, { s: sum('amount', { window: 5, type: decimal(30, 2) }) })).toThrow(/overflows decimal/);
  });

  it('refuses a sum of decimals as float64 (the default), saying which decimal type to declare', () => {
    const events = new Table({ id: i64([1n, 1n]), ts: ts([MS, MS]), amount: dec([10n, 20n]) });
    expect(() => run(events, { s: sum('amount', { window: 5 }) })).toThrow(DefinitionError);
    expect(() => run(events, { s: sum('amount', { window: 5 }) })).toThrow(/'amount' is decimal\(38, 2\).*declare type: decimal\(38, 2\)/);
    expect(() => run(events, { s: sum('amount', { window: 5, type: float64() }) })).toThrow(/declare type: decimal\(38, 2\)/);
    // avg is a float by nature and stays allowed.
    expect(run(events, { a: avg('amount', { window: 5 }) })[0]!.a).toBe(0.15);
  });

  it('keeps min, max and last of decimals exact, rescaled to the declared scale', () => {
    const events = new Table({ id: i64([1n, 1n, 1n]), ts: ts([MS, 2n * MS, 3n * MS]), amount: dec([-1n, 12_345_678_901_234_567_890_123n, 7n]) });
    const out = run(events, {
      lo: min('amount', { window: 'lifetime', type: decimal(38, 2) }),
      hi: max('amount', { window: 'lifetime', type: decimal(38, 3) }),
      latest: last('amount', { window: 'lifetime', type: decimal(38, 2) }),
    });
    expect(out.at(-1)).toMatchObject({ lo: -1n, hi: 123_456_789_012_345_678_901_230n, latest: 7n });
    expect(() => run(events, { hi: max('amount', { window: 'lifetime', type: decimal(38, 1) }) })).toThrow(/scale 2 cannot be returned as scale 1/);
  });

  it('sums floats exactly: values that left the window leave no rounding error behind', () => {
    // A naive running sum gives 0.25 for `all` at 4 ms and 0 for `s` at 5 ms.
    const events = new Table({ id: i64([1n, 1n, 1n, 1n]), ts: ts([MS, 2n * MS, 3n * MS, 4n * MS]), v: f64([1e16, 0.5, -1e16, 0.25]) });
    const out = run(events, { s: sum('v', { window: 2 }), all: sum('v', { window: 10 }) });
    expect(at(out, 1n, 2n * MS, 's')).toBe(1e16 + 0.5);
    expect(at(out, 1n, 3n * MS, 's')).toBe(-1e16 + 0.5);
    expect(at(out, 1n, 4n * MS, 'all')).toBe(0.75);
    expect(at(out, 1n, 5n * MS, 's')).toBe(0.25);
    expect(at(out, 1n, 6n * MS, 's')).toBe(null);
  });

  it('propagates infinities and NaN as IEEE addition does, while they are in the window', () => {
    const events = new Table({ id: i64([1n, 1n, 1n]), ts: ts([MS, 2n * MS, 3n * MS]), v: f64([Infinity, -Infinity, 2]) });
    const out = run(events, { s: sum('v', { window: 1 }), w: sum('v', { window: 2 }) });
    expect([1n, 2n, 3n, 4n].map((k) => at(out, 1n, k * MS, 's'))).toEqual([Infinity, -Infinity, 2, null]);
    expect(at(out, 1n, 2n * MS, 'w')).toBeNaN();
  });
});

describe('evaluateWindows: types, keys and filters', () => {
  it('groups by composite and dictionary-encoded keys, sorting unsorted input per key', () => {
    const events = new Table({
      a: vectorFromArray([1, 2, 1, 1], new Int32()),
      b: vectorFromArray(['x', 'x', 'x', 'y'], new Dictionary(new Utf8(), new Int32())),
      ts: ts([3n * MS, MS, MS, 2n * MS]),
      v: vectorFromArray(['c', 'b', 'a', 'z'], new Utf8()),
    });
    const out = rows(
      evaluateWindows(events, {
        keys: ['a', 'b'],
        eventTime: 'ts',
        outputTime: 'as_of',
        aggregations: { set: collectSet('v', { window: 5, type: string() }), first: min('v', { window: 5, type: string() }) },
      }),
    );
    expect(out.filter((r) => r.a === 1 && r.b === 'x').map((r) => [r.as_of, r.set])).toEqual([
      [MS, ['a']],
      [3n * MS, ['a', 'c']],
      [6n * MS, ['c']],
      [8n * MS, []],
    ]);
    expect(out[0]).toMatchObject({ a: 1, b: 'x' });
  });

  it('orders strings by code point, booleans false < true, and reads timestamps exactly', () => {
    const events = new Table({
      id: i64([1n, 1n, 1n]),
      ts: ts([MS, MS, MS]),
      s: vectorFromArray(['\uffff', '😀', 'a'], new Utf8()),
      b: vectorFromArray([true, false, true], new Bool()),
      t: ts([YEAR_9999, YEAR_1900, 1n]),
    });
    const [row] = run(events, {
      s: collectSet('s', { window: 1, type: string() }),
      b: collectSet('b', { window: 1, type: bool() }),
      lo: min('t', { window: 1, type: timestamp() }),
      hi: max('t', { window: 1, type: timestamp() }),
    });
    expect(row).toMatchObject({ s: ['a', '\uffff', '😀'], b: [false, true], lo: YEAR_1900, hi: YEAR_9999 });
  });

  it('returns Date(DAY) columns as dates, and rejects them as integers', () => {
    const days = makeVector(makeData({ type: new DateDay(), length: 3, data: new Int32Array([-1, 19000, 3]) }));
    const events = new Table({ id: i64([1n, 1n, 1n]), ts: ts([MS, MS, MS]), day: days });
    const [row] = run(events, { lo: min('day', { window: 1, type: date() }), hi: max('day', { window: 1, type: timestamp() }) });
    expect(row!.lo).toBe(-86_400_000); // Arrow JS reads Date(DAY) as epoch milliseconds
    expect(row!.hi).toBe(19000n * 86_400_000_000n);
    expect(() => run(events, { x: max('day', { window: 1, type: int64() }) })).toThrow(/cannot be returned as int64/);
  });

  it('compares decimals with number literals as written, and integers with fractions exactly', () => {
    const events = new Table({ id: i64([1n, 1n, 1n]), ts: ts([MS, MS, MS]), amount: dec([10n, 11n, 9n]), n: i64([2n, 3n, 2n]) });
    const [row] = run(events, {
      over: count({ window: 1, where: where('amount', '>', 0.1) }),
      atLeast: count({ window: 1, where: where('amount', '>=', 0.1) }),
      frac: count({ window: 1, where: where('n', '<', 2.5) }),
      inList: count({ window: 1, where: where('n', 'in', [3, null]) }),
      notIn: count({ window: 1, where: where('n', 'not in', [3, null]) }),
    });
    expect(row).toMatchObject({ over: 1n, atLeast: 2n, frac: 2n, inList: 1n, notIn: 0n });
  });

  it('accepts several record batches', () => {
    const whole = new Table({ id: i64([1n, 2n, 1n, 2n]), ts: ts([MS, MS, 2n * MS, 2n * MS]), v: f64([1, 2, 3, 4]) });
    const split = whole.slice(0, 1).concat(whole.slice(1, 3), whole.slice(3));
    const aggs = { s: sum('v', { window: 5 }), l: last('v', { window: 5, type: float64() }) };
    expect(run(split, aggs)).toEqual(run(whole, aggs));
  });
});
