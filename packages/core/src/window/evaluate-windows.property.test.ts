/**
 * Property test of evaluateWindows against the brute-force oracle of
 * test/oracles/window-oracle.ts, which shares no code with it. For random
 * events and query times it compares the aggregate computed from the
 * definition with a point-in-time lookup (latest output row at or before t,
 * same key) done by a brute-force scan of evaluateWindows' output. Windows
 * are a few ms or lifetime (`null`), often mixed in one call.
 */
import fc from 'fast-check';
import { Bool, Dictionary, Float64, Int32, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decimalCol, int64Col, readCells, tsCol } from '../../../../test/helpers/window-arrow.js';
import { windowOracle, type OracleAggregation, type OracleColumns, type OracleEvent } from '../../../../test/oracles/window-oracle.js';
import { avg, collectSet, count, countDistinct, last, max, min, sum, where } from '../definitions/aggregation.js';
import type { Aggregation, Predicate, PredicateOp, ScalarValue, WindowOptions } from '../definitions/aggregation.js';
import { bool, decimal, float64, int64, string, timestamp, type DType } from '../dtypes.js';
import { evaluateWindows } from './evaluate-windows.js';

type Column = 'f' | 'i' | 's' | 'd' | 'b' | 't' | 'cat';
type Key = bigint | number | string;
type KeyShape = 'int' | 'string' | 'composite';
type Era = 'normal' | 'pre1970' | 'y9999' | 'mixed';

/** One event: key index, time slot (ms) with µs jitter, era (for 'mixed'), created slot, then the value columns. */
interface Row {
  key: number | null;
  slot: number;
  jitter: number;
  era: number;
  created: number | null;
  f: number | null;
  i: bigint | null;
  s: string | null;
  d: bigint | null;
  b: boolean | null;
  t: bigint | null;
  cat: string | null;
}

interface Case {
  rows: Row[];
  shape: KeyShape;
  era: Era;
  dictionaryCat: boolean;
  split: number;
  asKnownAt: number | null;
  aggs: AggChoice[];
}

interface AggChoice {
  fn: Aggregation['fn'];
  column: Column | null;
  windowMs: number | null;
  where: Predicate[];
  sumAs: 'default' | 'int64' | 'decimal';
}

// Times sit on a 1 ms grid (windows are whole ms), with ±1 µs jitter: ties and exact boundaries are common.
const BASES = { normal: 1_700_000_000_000_000n, pre1970: -2_000_000_000_000_000n, y9999: 253_402_300_000_000_000n };
const CREATED_BASE = 1_700_000_000_000_000n;
const COLUMNS: OracleColumns = {
  f: { kind: 'float' },
  i: { kind: 'int' },
  s: { kind: 'string' },
  d: { kind: 'decimal', scale: 2 },
  b: { kind: 'bool' },
  t: { kind: 'time' },
  cat: { kind: 'string' },
};

const eventMicros = (c: Case, r: Row): bigint => {
  const base = c.era === 'mixed' ? (r.era ? BASES.y9999 : BASES.pre1970) : BASES[c.era];
  return base + BigInt(r.slot) * 1000n + BigInt(r.jitter);
};
const createdMicros = (r: Row): bigint | null => (r.created === null ? null : CREATED_BASE + BigInt(r.created) * 1000n);
const knownAtMicros = (k: number): bigint => CREATED_BASE + BigInt(k) * 1000n;

function keyTuple(shape: KeyShape, k: number): Key[] {
  if (shape === 'int') return [BigInt(k * 7 - 3)];
  if (shape === 'string') return [['a', 'b', 'é', '', 'z'][k]!];
  return [k % 2, k < 2 ? 'x' : 'y'];
}
const keyNames = (shape: KeyShape): string[] => (shape === 'int' ? ['id'] : shape === 'string' ? ['name'] : ['ka', 'kb']);
const tupleId = (t: readonly unknown[]): string => JSON.stringify(t, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

function buildTable(c: Case): Table {
  const rows = c.rows;
  const tuples = rows.map((r) => (r.key === null ? null : keyTuple(c.shape, r.key)));
  const cols: Record<string, Vector> = {};
  if (c.shape === 'int') cols.id = int64Col(tuples.map((t) => (t ? (t[0] as bigint) : null)));
  else if (c.shape === 'string') cols.name = vectorFromArray(tuples.map((t) => (t ? (t[0] as string) : null)), new Utf8());
  else {
    cols.ka = vectorFromArray(tuples.map((t) => (t ? (t[0] as number) : null)), new Int32());
    cols.kb = vectorFromArray(tuples.map((t) => (t ? (t[1] as string) : null)), new Utf8());
  }
  cols.ts = tsCol(rows.map((r) => eventMicros(c, r)));
  cols.created = tsCol(rows.map(createdMicros));
  cols.f = vectorFromArray(rows.map((r) => r.f), new Float64());
  cols.i = int64Col(rows.map((r) => r.i));
  cols.s = vectorFromArray(rows.map((r) => r.s), new Utf8());
  cols.d = decimalCol(rows.map((r) => r.d));
  cols.b = vectorFromArray(rows.map((r) => r.b), new Bool());
  cols.t = tsCol(rows.map((r) => r.t));
  cols.cat = vectorFromArray(rows.map((r) => r.cat), c.dictionaryCat ? new Dictionary(new Utf8(), new Int32()) : new Utf8());
  const table = new Table(cols);
  if (c.split <= 0 || c.split >= rows.length) return table;
  return table.slice(0, c.split).concat(table.slice(c.split));
}

const TYPED = { min, max, last, collect_set: collectSet } as Record<string, (column: string, o: WindowOptions & { type: DType }) => Aggregation>;

function toAggregation(a: AggChoice): Aggregation {
  const w = { window: a.windowMs ?? ('lifetime' as const), where: a.where };
  const col = a.column ?? '';
  const types: Record<Column, DType> = { f: float64(), i: int64(), s: string(), d: decimal(38, 2), b: bool(), t: timestamp(), cat: string() };
  if (a.fn === 'count') return a.column === null ? count(w) : count(col, w);
  if (a.fn === 'sum') return a.sumAs === 'default' ? sum(col, w) : sum(col, { ...w, type: a.sumAs === 'int64' ? int64() : (decimal(38, 2) as DType) });
  if (a.fn === 'avg') return avg(col, w);
  if (a.fn === 'count_distinct') return countDistinct(col, w);
  return TYPED[a.fn]!(col, { ...w, type: types[a.column!] });
}

function toOracle(c: Case): OracleEvent[] {
  return c.rows.map((r) => ({
    keys: r.key === null ? [null] : keyTuple(c.shape, r.key),
    eventTs: eventMicros(c, r),
    createdTs: createdMicros(r),
    values: { f: r.f, i: r.i, s: r.s, d: r.d, b: r.b, t: r.t, cat: r.cat },
  }));
}

const oracleAggregation = (a: AggChoice): OracleAggregation => ({
  fn: a.fn,
  column: a.column,
  windowUs: a.windowMs === null ? null : BigInt(a.windowMs) * 1000n,
  where: a.where,
  sumAs: a.sumAs === 'default' ? 'float64' : a.sumAs === 'int64' ? 'int64' : { decimalScale: 2 },
});

// ---------- generators ----------

const option = <T>(arb: fc.Arbitrary<T>, nullFreq = 4): fc.Arbitrary<T | null> => fc.option(arb, { freq: nullFreq });

const rowArb = (keys: number): fc.Arbitrary<Row> =>
  fc.record({
    key: option(fc.nat(keys - 1), 12),
    slot: fc.nat(12),
    jitter: fc.constantFrom(0, 0, 0, 0, 1, -1),
    era: fc.nat(1),
    created: option(fc.nat(5), 6),
    // Multiples of 1/4, some huge: a naive sliding double sum would lose the small ones.
    f: option(fc.constantFrom(-2.5, -1, -0.25, -0, 0, 0.5, 1, 1.5, 3, 10.75, 1e16, -1e16, 2 ** 60)),
    i: option(fc.oneof(fc.bigInt(-5n, 5n), fc.bigInt(-(2n ** 57n), 2n ** 57n))),
    s: option(fc.constantFrom('a', 'b', 'B', 'ab', '', 'é', '😀', '\uffff')),
    d: option(fc.oneof(fc.bigInt(-1000n, 1000n), fc.bigInt(-(10n ** 30n), 10n ** 30n))),
    b: option(fc.boolean()),
    t: option(fc.oneof(fc.bigInt(-5n, 5n), fc.bigInt(-(2n ** 62n), 2n ** 62n))),
    cat: option(fc.constantFrom('x', 'y', 'z')),
  });

const OPS: PredicateOp[] = ['=', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'is null', 'is not null'];

const literalArb: Record<Column, fc.Arbitrary<ScalarValue>> = {
  f: fc.constantFrom(-1, 0, 0.5, 1, 2, 1.25),
  i: fc.oneof(fc.bigInt(-5n, 5n), fc.constantFrom(0, 2, -1.5, 2.5)),
  s: fc.constantFrom('a', 'b', 'é', ''),
  d: fc.oneof(fc.bigInt(-10n, 10n), fc.constantFrom(0, 0.5, -1.25, 3)),
  b: fc.boolean(),
  t: fc.bigInt(-5n, 5n),
  cat: fc.constantFrom('x', 'y', 'z'),
};

const predicateArb: fc.Arbitrary<Predicate> = fc
  .record({ column: fc.constantFrom<Column>('f', 'i', 's', 'd', 'b', 't', 'cat'), op: fc.constantFrom(...OPS) })
  .chain(({ column, op }) => {
    const op2: PredicateOp = column === 'b' && ['<', '<=', '>', '>='].includes(op) ? '!=' : op;
    const lit = fc.oneof({ weight: 8, arbitrary: literalArb[column] }, { weight: 1, arbitrary: fc.constant(null) });
    if (op2 === 'is null' || op2 === 'is not null') return fc.constant(where(column, op2));
    if (op2 === 'in' || op2 === 'not in') return fc.array(lit, { minLength: 1, maxLength: 3 }).map((l) => where(column, op2, l));
    return lit.map((l) => where(column, op2, l));
  });

const aggArb: fc.Arbitrary<AggChoice> = fc
  .record({
    fn: fc.constantFrom<Aggregation['fn']>('count', 'sum', 'avg', 'min', 'max', 'last', 'count_distinct', 'collect_set'),
    any: fc.constantFrom<Column | null>(null, 'f', 'i', 's', 'd', 'b', 't', 'cat'),
    numeric: fc.constantFrom<Column>('f', 'i', 'd'),
    windowMs: fc.constantFrom(1, 2, 3, 5, null),
    where: fc.oneof(
      { weight: 2, arbitrary: fc.constant<Predicate[]>([]) },
      { weight: 3, arbitrary: fc.array(predicateArb, { minLength: 1, maxLength: 2 }) },
    ),
    sumAs: fc.constantFrom<AggChoice['sumAs']>('default', 'int64', 'decimal'),
  })
  .map(({ fn, any, numeric, windowMs, where, sumAs }): AggChoice => {
    const column = fn === 'sum' || fn === 'avg' ? numeric : fn === 'count' ? any : (any ?? 's');
    // Floats sum as float64 only; decimals as decimals only (a float64 sum of decimals is refused).
    const as = fn !== 'sum' || numeric === 'f' ? 'default' : numeric === 'd' ? 'decimal' : sumAs;
    return { fn, column, windowMs, where, sumAs: as };
  });

const caseArb: fc.Arbitrary<Case> = fc
  .record({ keys: fc.integer({ min: 1, max: 5 }), shape: fc.constantFrom<KeyShape>('int', 'string', 'composite') })
  .chain(({ keys, shape }) =>
    fc.record({
      rows: fc.array(rowArb(keys), { maxLength: 30 }),
      shape: fc.constant(shape),
      era: fc.constantFrom<Era>('normal', 'normal', 'pre1970', 'y9999', 'mixed'),
      dictionaryCat: fc.boolean(),
      split: fc.nat(30),
      asKnownAt: option(fc.integer({ min: -1, max: 6 }), 2),
      aggs: fc.array(aggArb, { minLength: 1, maxLength: 5 }),
    }),
  );

// ---------- the property ----------

function check(c: Case): void {
  const aggregations: Record<string, Aggregation> = {};
  c.aggs.forEach((a, k) => (aggregations[`agg${k}`] = toAggregation(a)));
  const keys = keyNames(c.shape);
  const asKnownAt = c.asKnownAt === null ? undefined : knownAtMicros(c.asKnownAt);
  const out = evaluateWindows(buildTable(c), { keys, eventTime: 'ts', createdTime: 'created', asKnownAt, aggregations });

  const outKeys = keys.map((k) => readCells(out.getChild(k)!));
  const outRows = (readCells(out.getChild('event_ts')!) as bigint[]).map((time, r) => ({ key: tupleId(outKeys.map((col) => col[r])), time }));

  // Kept events per key, keys in order of first appearance in the input.
  const firstSeen: string[] = [];
  const kept = new Map<string, { tuple: Key[]; times: bigint[] }>();
  for (const row of c.rows) {
    if (row.key === null) continue;
    const tuple = keyTuple(c.shape, row.key);
    const id = tupleId(tuple);
    if (!firstSeen.includes(id)) firstSeen.push(id);
    const created = createdMicros(row);
    if (asKnownAt !== undefined && (created === null || created > asKnownAt)) continue;
    kept.set(id, { tuple, times: [...(kept.get(id)?.times ?? []), eventMicros(c, row)] });
  }

  // Structure: keys contiguous in first-appearance order; per key exactly the change points (lifetime windows add none), ascending.
  const windows = [...new Set(c.aggs.flatMap((a) => (a.windowMs === null ? [] : [BigInt(a.windowMs) * 1000n])))];
  const expectedOrder = firstSeen.filter((id) => kept.has(id));
  expect(outRows.map((r) => r.key).filter((id, r, all) => r === 0 || all[r - 1] !== id)).toEqual(expectedOrder);
  for (const id of expectedOrder) {
    const points = new Set<bigint>();
    for (const e of kept.get(id)!.times) [0n, ...windows].forEach((w) => points.add(e + w));
    const times = outRows.filter((r) => r.key === id).map((r) => r.time);
    expect(times).toEqual([...points].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  }

  // Values: a PIT lookup into the output equals the oracle at every interesting t.
  const events = toOracle(c);
  const columns = c.aggs.map((_, k) => readCells(out.getChild(`agg${k}`)!));
  for (const id of expectedOrder) {
    const { tuple, times } = kept.get(id)!;
    const first = times.reduce((x, y) => (y < x ? y : x));
    const queries = new Set<bigint>();
    for (const e of times) for (const w of [0n, ...windows]) for (const dt of [0n, 1n, -1n]) queries.add(e + w + dt);
    queries.add(times.reduce((x, y) => (y > x ? y : x)) + 1_000_000n); // long after: finite windows empty, lifetime ones full
    for (const t of queries) {
      if (t < first) continue;
      let hit = -1;
      outRows.forEach((r, k) => {
        if (r.key === id && r.time <= t && (hit < 0 || r.time > outRows[hit]!.time)) hit = k;
      });
      c.aggs.forEach((a, k) => {
        const expected = windowOracle(events, COLUMNS, oracleAggregation(a), tuple, t, asKnownAt);
        const actual = columns[k]![hit];
        // Float sums of 'f' are exact; int64 and decimals summed as float64, and averages, may round differently.
        const float = a.fn === 'avg' || (a.fn === 'sum' && a.sumAs === 'default' && a.column !== 'f');
        if (!same(actual, expected, float)) {
          const window = a.windowMs === null ? 'lifetime' : `${a.windowMs}ms`;
          throw new Error(`agg${k} ${a.fn}(${a.column}) ${window}, key ${id}, t=${t}: expected ${fmt(expected)}, got ${fmt(actual)}`);
        }
      });
    }
  }
}

function same(x: unknown, y: unknown, float: boolean): boolean {
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, k) => same(v, y[k], float));
  if (float && typeof x === 'number' && typeof y === 'number') return x === y || Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
  return x === y;
}

const fmt = (v: unknown): string => JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

describe('evaluateWindows against a brute-force oracle', () => {
  it('a point-in-time lookup into the output equals the sliding aggregate at every t', () => {
    fc.assert(
      fc.property(caseArb, (c) => check(c)),
      { numRuns: 1000 },
    );
  });
});
