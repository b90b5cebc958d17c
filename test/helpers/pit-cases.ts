/**
 * Random point-in-time join cases for the property tests: a plain
 * description (`PitCase`), a fast-check arbitrary that makes ties, equal
 * timestamps and exact TTL boundaries common, and converters to Arrow
 * inputs, to oracle inputs, and from a join's output back to plain values.
 */
import fc from 'fast-check';
import { DataType, TimeUnit, type Table, type Vector } from 'apache-arrow';
import type { PointInTimeJoinOptions } from '@asof/core';
import {
  boolVector,
  dateMsVector,
  float64Vector,
  int32Vector,
  int64Vector,
  rechunk,
  tableOf,
  tsVector,
  utf8Vector,
  vectorCells,
  type Cell,
} from './arrow.js';
import type { OracleFeatureRow, OracleKey, OracleOptions, OracleSpineRow } from '../oracles/pit-oracle.js';
import type { DuckFeatureType, DuckKeyType } from '../oracles/duckdb-oracle.js';

export type KeyKind = 'int64' | 'utf8' | 'composite';
export type SpineTimeRepr = 'us' | 'ns' | 'ms' | 's' | 'iso' | 'date_ms';

export const VALUE_COLUMNS = ['v_int', 'v_f', 'v_s', 'v_b'] as const;
export type ValueColumn = (typeof VALUE_COLUMNS)[number];
export const DUCK_TYPES: Record<ValueColumn, DuckFeatureType> = { v_int: 'BIGINT', v_f: 'DOUBLE', v_s: 'VARCHAR', v_b: 'BOOLEAN' };

export interface CaseSpineRow {
  readonly keys: readonly (OracleKey | null)[];
  /** Epoch µs as generated; the spine column may hold it at a coarser unit (see {@link effectiveSpineTime}). */
  readonly t: bigint | null;
  readonly label: string | null;
  readonly n: number | null;
}

export interface CaseRow {
  readonly keys: readonly (OracleKey | null)[];
  readonly eventTs: bigint;
  readonly createdTs: bigint | null;
  readonly deleted: boolean;
  readonly v_int: bigint | null;
  readonly v_f: number | null;
  readonly v_s: string | null;
  readonly v_b: boolean | null;
}

export interface PitCase {
  readonly keyKind: KeyKind;
  readonly spine: readonly CaseSpineRow[];
  readonly rows: readonly CaseRow[];
  readonly spineTimeRepr: SpineTimeRepr;
  /** Minutes east of UTC used when the spine time is written as ISO strings. */
  readonly isoOffsetMinutes: number;
  /** The rows' event-time column: `event_ts`, or `ts` (the spine time column's name). */
  readonly eventTimeName: 'event_ts' | 'ts';
  readonly hasCreated: boolean;
  readonly hasTombstone: boolean;
  readonly ttlMs: number | undefined;
  readonly asKnownAt: { readonly us: bigint; readonly as: 'bigint' | 'date' | 'iso' } | undefined;
  readonly features: readonly ValueColumn[] | undefined;
  readonly prefix: string | undefined;
  readonly eventTimeAs: string | undefined;
  /** Permutations of column order (indices into the natural order). */
  readonly spineColumnOrder: readonly number[];
  readonly rowColumnOrder: readonly number[];
  readonly spineChunks: readonly number[];
  readonly rowChunks: readonly number[];
  readonly chunkMode: 'copy' | 'slice';
}

/** 2023-11-14T22:13:20Z in µs: the centre of the time grid. */
export const BASE_US = 1_700_000_000_000_000n;

const INT_KEYS: readonly bigint[] = [0n, 1n, 2n, 3n, -1n, 9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n];
const STR_KEYS: readonly string[] = ['a', 'b', 'c', '', 'é☃', 'A'];
const COMPOSITE_INTS: readonly bigint[] = [0n, 1n, -1n];
const COMPOSITE_STRS: readonly string[] = ['x', 'y', ''];

export function keyNames(kind: KeyKind): string[] {
  return kind === 'int64' ? ['account_id'] : kind === 'utf8' ? ['sku'] : ['account_id', 'sku'];
}

function keyArb(kind: KeyKind, inSpine: boolean): fc.Arbitrary<(OracleKey | null)[]> {
  const nullable = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
    fc.oneof({ arbitrary: arb, weight: 12 }, { arbitrary: fc.constant(null), weight: 1 });
  const intArb = fc.oneof(
    { arbitrary: fc.constantFrom(...INT_KEYS.slice(0, 4)), weight: 8 },
    { arbitrary: fc.constantFrom(...INT_KEYS.slice(4)), weight: 2 },
    { arbitrary: fc.constant(42n), weight: inSpine ? 1 : 0 },
  );
  const strArb = fc.oneof(
    { arbitrary: fc.constantFrom(...STR_KEYS), weight: 10 },
    { arbitrary: fc.constant('zz'), weight: inSpine ? 1 : 0 },
  );
  if (kind === 'int64') return fc.tuple(nullable(intArb));
  if (kind === 'utf8') return fc.tuple(nullable(strArb));
  return fc.tuple(
    nullable(fc.oneof({ arbitrary: fc.constantFrom(...COMPOSITE_INTS), weight: 10 }, { arbitrary: fc.constant(7n), weight: inSpine ? 1 : 0 })),
    nullable(fc.oneof({ arbitrary: fc.constantFrom(...COMPOSITE_STRS), weight: 10 }, { arbitrary: fc.constant('q'), weight: inSpine ? 1 : 0 })),
  );
}

/** A time on a 1 ms grid of `steps` points, sometimes 1 µs off it: ties and TTL boundaries are common. */
function gridTime(steps: number): fc.Arbitrary<bigint> {
  return fc
    .tuple(
      fc.integer({ min: 0, max: steps - 1 }),
      fc.oneof({ arbitrary: fc.constant(0n), weight: 8 }, { arbitrary: fc.constantFrom(-1n, 1n), weight: 2 }),
    )
    .map(([k, jitter]) => BASE_US + BigInt(k) * 1000n + jitter);
}

const valueArbs = {
  v_int: fc.option(fc.oneof(fc.bigInt({ min: -5n, max: 5n }), fc.constantFrom(9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n)), { nil: null, freq: 5 }),
  v_f: fc.option(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)), fc.constantFrom(Number.NaN, Infinity, -Infinity, 1.5)), { nil: null, freq: 5 }),
  v_s: fc.option(fc.constantFrom('red', 'green', '', 'ünï', 'a longer value string'), { nil: null, freq: 5 }),
  v_b: fc.option(fc.boolean(), { nil: null, freq: 5 }),
};

export interface CaseArbOptions {
  readonly maxSpine?: number;
  readonly maxRows?: number;
  /** Restrict the spine time representation (default: all, mostly µs). */
  readonly spineTimeReprs?: readonly SpineTimeRepr[];
}

export function pitCaseArb(kind: KeyKind, opts: CaseArbOptions = {}): fc.Arbitrary<PitCase> {
  const maxSpine = opts.maxSpine ?? 20;
  const maxRows = opts.maxRows ?? 25;
  const spineRow = fc.record({
    keys: keyArb(kind, true),
    t: fc.oneof({ arbitrary: gridTime(14), weight: 15 }, { arbitrary: fc.constant(null), weight: 1 }),
    label: fc.option(fc.constantFrom('p', 'q', 'r'), { nil: null }),
    n: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null }),
  });
  const row = fc.record({
    keys: keyArb(kind, false),
    eventTs: gridTime(12),
    createdTs: fc.oneof({ arbitrary: gridTime(4), weight: 6 }, { arbitrary: fc.constant(null), weight: 1 }),
    deleted: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
    ...valueArbs,
  });
  const reprs = opts.spineTimeReprs ?? ['us', 'ns', 'ms', 's', 'iso', 'date_ms'];
  const repr: fc.Arbitrary<SpineTimeRepr> = reprs.includes('us') && reprs.length > 1
    ? fc.oneof({ arbitrary: fc.constant('us' as const), weight: reprs.length }, { arbitrary: fc.constantFrom(...reprs), weight: reprs.length })
    : fc.constantFrom(...reprs);
  const nKeys = keyNames(kind).length;
  return fc
    .record({
      spine: fc.oneof(
        { arbitrary: fc.array(spineRow, { maxLength: maxSpine }), weight: 10 },
        // Duplicate spine rows: repeat a few rows.
        { arbitrary: fc.array(spineRow, { minLength: 1, maxLength: 4 }).map((a) => [...a, ...a, ...a]), weight: 2 },
      ),
      rows: fc
        .tuple(
          fc.array(row, { maxLength: maxRows }),
          // Siblings of earlier rows: same keys and event time, the created time kept, nulled or changed,
          // new values. They make ties on event time and full ties (latest write wins) frequent.
          fc.array(
            fc.record({
              of: fc.nat(),
              created: fc.constantFrom('same' as const, 'same' as const, 'null' as const, 'other' as const),
              other: gridTime(4),
              deleted: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
              ...valueArbs,
            }),
            { maxLength: Math.ceil(maxRows / 3) },
          ),
          fc.boolean(),
        )
        .map(([base, siblings, interleave]) => {
          if (base.length === 0) return base;
          const out: CaseRow[] = [...base];
          for (const { of, created, other, ...rest } of siblings) {
            const src = out[of % out.length]!;
            const sib: CaseRow = {
              ...rest,
              keys: src.keys,
              eventTs: src.eventTs,
              createdTs: created === 'same' ? src.createdTs : created === 'null' ? null : other,
            };
            // Either appended (a later write) or inserted before its source (an earlier write).
            if (interleave) out.splice(of % out.length, 0, sib);
            else out.push(sib);
          }
          return out;
        }),
      spineTimeRepr: repr,
      isoOffsetMinutes: fc.constantFrom(0, 120, -300, 330, -570, 765),
      eventTimeName: fc.constantFrom('event_ts' as const, 'ts' as const),
      hasCreated: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
      hasTombstone: fc.boolean(),
      ttlMs: fc.option(fc.constantFrom(0, 1, 2, 3, 5, 12), { nil: undefined }),
      asKnownAtRaw: fc.option(fc.tuple(gridTime(5), fc.constantFrom('bigint' as const, 'date' as const, 'iso' as const)), { nil: undefined, freq: 2 }),
      features: fc.option(fc.shuffledSubarray([...VALUE_COLUMNS]), { nil: undefined, freq: 3 }),
      prefix: fc.option(fc.constantFrom('fv__', 'x.'), { nil: undefined, freq: 3 }),
      eventTimeAs: fc.option(fc.constant('feature_event_ts'), { nil: undefined, freq: 3 }),
      spineColumnOrder: fc.shuffledSubarray([...Array(nKeys + 3).keys()], { minLength: nKeys + 3 }),
      rowColumnOrder: fc.shuffledSubarray([...Array(nKeys + 7).keys()], { minLength: nKeys + 7 }),
      spineChunks: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 5 }),
      rowChunks: fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 5 }),
      chunkMode: fc.constantFrom('copy' as const, 'slice' as const),
    })
    .map(({ asKnownAtRaw, ...c }) => {
      let asKnownAt: PitCase['asKnownAt'];
      if (asKnownAtRaw && c.hasCreated) {
        const [us, as] = asKnownAtRaw;
        // A Date holds only milliseconds: put the instant on the ms grid.
        asKnownAt = { us: as === 'date' ? floorDiv(us, 1000n) * 1000n : us, as };
      }
      return { ...c, keyKind: kind, asKnownAt };
    });
}

/** The spine instant the join must see for row `t`, after the column's unit has floored it. */
export function effectiveSpineTime(c: PitCase, t: bigint | null): bigint | null {
  if (t === null) return null;
  switch (c.spineTimeRepr) {
    case 'ms':
    case 'date_ms':
      return floorDiv(t, 1000n) * 1000n;
    case 's':
      return floorDiv(t, 1_000_000n) * 1_000_000n;
    default:
      return t;
  }
}

function spineTimeVector(c: PitCase): Vector {
  const ts = c.spine.map((s) => s.t);
  switch (c.spineTimeRepr) {
    case 'us':
      return tsVector(ts);
    case 'ns':
      return tsVector(ts.map((t) => (t === null ? null : t * 1000n)), TimeUnit.NANOSECOND, 'Europe/Berlin');
    case 'ms':
      return tsVector(ts.map((t) => (t === null ? null : floorDiv(t, 1000n))), TimeUnit.MILLISECOND, 'UTC');
    case 's':
      return tsVector(ts.map((t) => (t === null ? null : floorDiv(t, 1_000_000n))), TimeUnit.SECOND, '+05:30');
    case 'date_ms':
      return dateMsVector(ts.map((t) => (t === null ? null : floorDiv(t, 1000n))));
    case 'iso':
      return utf8Vector(ts.map((t) => (t === null ? null : isoWithOffset(t, c.isoOffsetMinutes))));
  }
}

/** Formats epoch µs as ISO-8601 with microseconds and the given offset (independent of asof's formatter). */
export function isoWithOffset(us: bigint, offsetMinutes: number): string {
  const local = us + BigInt(offsetMinutes) * 60_000_000n;
  const ms = floorDiv(local, 1000n);
  const subMs = local - ms * 1000n;
  const base = new Date(Number(ms)).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ (years 0..9999)
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const off = offsetMinutes === 0 ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${base.slice(0, -1)}${String(subMs).padStart(3, '0')}${off}`;
}

export interface ArrowCase {
  readonly spine: Table;
  readonly rows: Table;
  readonly options: PointInTimeJoinOptions;
  /** Output feature columns in order: [output name, source column]. */
  readonly outputFeatures: readonly (readonly [string, ValueColumn])[];
}

export function toArrow(c: PitCase): ArrowCase {
  const names = keyNames(c.keyKind);
  const keyVector = (rows: readonly { keys: readonly (OracleKey | null)[] }[], j: number): Vector =>
    c.keyKind === 'utf8' || j === 1
      ? utf8Vector(rows.map((r) => r.keys[j] as string | null))
      : int64Vector(rows.map((r) => r.keys[j] as bigint | null));

  const spineCols: [string, Vector][] = [
    ...names.map((name, j) => [name, keyVector(c.spine, j)] as [string, Vector]),
    ['ts', spineTimeVector(c)],
    ['label', utf8Vector(c.spine.map((s) => s.label))],
    ['n', int32Vector(c.spine.map((s) => s.n))],
  ];
  const rowCols: [string, Vector | null][] = [
    ...names.map((name, j) => [name, keyVector(c.rows, j)] as [string, Vector]),
    [c.eventTimeName, tsVector(c.rows.map((r) => r.eventTs))],
    ['created_ts', c.hasCreated ? tsVector(c.rows.map((r) => r.createdTs)) : null],
    ['is_deleted', c.hasTombstone ? boolVector(c.rows.map((r) => r.deleted)) : null],
    ['v_int', int64Vector(c.rows.map((r) => r.v_int))],
    ['v_f', float64Vector(c.rows.map((r) => r.v_f))],
    ['v_s', utf8Vector(c.rows.map((r) => r.v_s))],
    ['v_b', boolVector(c.rows.map((r) => r.v_b))],
  ];
  const spine = rechunk(tableOf(Object.fromEntries(c.spineColumnOrder.map((i) => spineCols[i]!))), c.spineChunks, c.chunkMode);
  const rowEntries = c.rowColumnOrder.map((i) => rowCols[i]!).filter((e): e is [string, Vector] => e[1] !== null);
  const rows = rechunk(tableOf(Object.fromEntries(rowEntries)), c.rowChunks, c.chunkMode);

  const valueOrder = rowEntries.map(([name]) => name).filter((n): n is ValueColumn => (VALUE_COLUMNS as readonly string[]).includes(n));
  const chosenFeatures = c.features ?? valueOrder;
  const options: PointInTimeJoinOptions = {
    keys: names,
    spineTime: 'ts',
    eventTime: c.eventTimeName,
    ...(c.hasCreated ? { createdTime: 'created_ts' } : {}),
    ...(c.ttlMs !== undefined ? { ttl: c.ttlMs } : {}),
    ...(c.asKnownAt ? { asKnownAt: asKnownAtInput(c.asKnownAt) } : {}),
    ...(c.hasTombstone ? { tombstone: 'is_deleted' } : {}),
    ...(c.features ? { features: c.features } : {}),
    ...(c.prefix !== undefined ? { prefix: c.prefix } : {}),
    ...(c.eventTimeAs !== undefined ? { eventTimeAs: c.eventTimeAs } : {}),
  };
  return {
    spine,
    rows,
    options,
    outputFeatures: chosenFeatures.map((f) => [(c.prefix ?? '') + f, f] as const),
  };
}

function asKnownAtInput(k: NonNullable<PitCase['asKnownAt']>): bigint | Date | string {
  if (k.as === 'bigint') return k.us;
  if (k.as === 'date') return new Date(Number(k.us / 1000n));
  return isoWithOffset(k.us, 0);
}

export interface OracleCase {
  readonly spine: OracleSpineRow[];
  readonly rows: OracleFeatureRow[];
  readonly options: OracleOptions;
  readonly keyTypes: DuckKeyType[];
}

export function toOracle(c: PitCase): OracleCase {
  return {
    spine: c.spine.map((s) => ({ keys: s.keys, t: effectiveSpineTime(c, s.t) })),
    rows: c.rows.map((r) => ({
      keys: r.keys,
      eventTs: r.eventTs,
      createdTs: c.hasCreated ? r.createdTs : null,
      tombstone: c.hasTombstone && r.deleted,
      values: { v_int: r.v_int, v_f: r.v_f, v_s: r.v_s, v_b: r.v_b },
    })),
    options: { ttlMs: c.ttlMs, asKnownAt: c.asKnownAt?.us },
    keyTypes: keyNames(c.keyKind).map((_, j) => (c.keyKind === 'utf8' || j === 1 ? 'VARCHAR' : 'BIGINT')),
  };
}

export interface Expected {
  readonly features: Record<string, unknown[]>;
  readonly eventTs: (bigint | null)[];
  /** Per spine row: the chosen row is a tombstone (its event time may or may not be reported). */
  readonly deleted?: boolean[];
}

/**
 * Checks a join output against the expectation; returns a list of
 * problems (empty when the output is right).
 */
export function checkOutput(c: PitCase, a: ArrowCase, out: Table, expected: Expected): string[] {
  const problems: string[] = [];
  const n = c.spine.length;
  if (out.numRows !== n) problems.push(`numRows ${out.numRows}, expected ${n}`);
  const spineNames = a.spine.schema.fields.map((f) => f.name);
  const featureNames = a.outputFeatures.map(([name]) => name);
  const outNames = out.schema.fields.map((f) => f.name);
  const withoutEventTime = c.eventTimeAs === undefined ? outNames : outNames.filter((x) => x !== c.eventTimeAs);
  const wantNames = [...spineNames, ...featureNames];
  if (JSON.stringify(withoutEventTime) !== JSON.stringify(wantNames)) {
    problems.push(`columns ${JSON.stringify(outNames)}, expected ${JSON.stringify(wantNames)}${c.eventTimeAs ? ` + ${c.eventTimeAs}` : ''}`);
    return problems;
  }
  if (c.eventTimeAs !== undefined && outNames.indexOf(c.eventTimeAs) < spineNames.length) {
    problems.push(`${c.eventTimeAs} is missing or among the spine columns: ${JSON.stringify(outNames)}`);
    return problems;
  }
  for (const field of a.spine.schema.fields) {
    const got = out.schema.fields.find((f) => f.name === field.name)!;
    if (String(got.type) !== String(field.type) || got.typeId !== field.typeId) {
      problems.push(`spine column ${field.name}: type ${String(got.type)}, expected ${String(field.type)}`);
    }
    const gotCells = vectorCells(out.getChild(field.name)!);
    const wantCells = vectorCells(a.spine.getChild(field.name)!);
    const diff = firstDiff(gotCells, wantCells);
    if (diff !== null) problems.push(`spine column ${field.name} changed at row ${diff}: ${show(gotCells[diff])} vs ${show(wantCells[diff])}`);
  }
  for (const [outName, source] of a.outputFeatures) {
    const got = out.schema.fields.find((f) => f.name === outName)!;
    const sourceType = a.rows.schema.fields.find((f) => f.name === source)!.type;
    if (String(got.type) !== String(sourceType)) problems.push(`feature ${outName}: type ${String(got.type)}, expected ${String(sourceType)}`);
    const gotCells = vectorCells(out.getChild(outName)!);
    const diff = firstDiff(gotCells, expected.features[source]! as Cell[]);
    if (diff !== null) {
      problems.push(`feature ${outName} at spine row ${diff}: got ${show(gotCells[diff])}, expected ${show(expected.features[source]![diff])}`);
    }
  }
  if (c.eventTimeAs !== undefined) {
    const field = out.schema.fields.find((f) => f.name === c.eventTimeAs)!;
    const type = field.type as DataType;
    if (!(DataType.isTimestamp(type) && type.unit === TimeUnit.MICROSECOND && type.timezone === 'UTC')) {
      problems.push(`${c.eventTimeAs}: type ${String(type)}, expected Timestamp<MICROSECOND, UTC>`);
    } else {
      const gotCells = vectorCells(out.getChild(c.eventTimeAs)!);
      for (let i = 0; i < n; i++) {
        const want = expected.eventTs[i] ?? null;
        const ok = gotCells[i] === want || (expected.deleted?.[i] === true && gotCells[i] === null);
        if (!ok) {
          problems.push(`${c.eventTimeAs} at spine row ${i}: got ${show(gotCells[i])}, expected ${show(want)}`);
          break;
        }
      }
    }
  }
  return problems;
}

function firstDiff(a: readonly unknown[], b: readonly unknown[]): number | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) return i;
  return null;
}

export function show(v: unknown): string {
  return typeof v === 'bigint' ? `${v}n` : v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** A short, readable description of a case for failure messages. */
export function describeCase(c: PitCase): string {
  return JSON.stringify(
    {
      ...c,
      spine: c.spine.map((s) => [s.keys, s.t === null ? null : s.t - BASE_US]),
      rows: c.rows.map((r) => [r.keys, r.eventTs - BASE_US, r.createdTs === null ? null : r.createdTs - BASE_US, r.deleted, r.v_int]),
      asKnownAt: c.asKnownAt ? { ...c.asKnownAt, us: c.asKnownAt.us - BASE_US } : undefined,
    },
    (_, v) => (typeof v === 'bigint' ? `${v}n` : v),
  );
}
