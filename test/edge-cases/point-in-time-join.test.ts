/**
 * Named edge cases of pointInTimeJoin (DESIGN §3), one `it` each, written
 * from the contract. Inputs are built exactly (µs from BigInt64Array).
 */
import { describe, expect, it } from 'vitest';
import { Dictionary, Field, Float32, Int16, Int32, LargeUtf8, List, Schema, Struct, Table, TimeUnit, Uint32, Uint64, Utf8, Vector as ArrowVector, vectorFromArray, type Vector } from 'apache-arrow';
import { InvalidInputError, InvalidTimestampError, pointInTimeJoin, type PointInTimeJoinOptions } from '@asof/core';
import {
  boolVector,
  dateDayVector,
  dateMsVector,
  float64Vector,
  int32Vector,
  int64Vector,
  rechunk,
  tableCells,
  tableOf,
  tsUs,
  tsVector,
  utf8Vector,
  vectorCells,
  type Cell,
} from '../helpers/arrow.js';

/** Epoch µs of an ISO instant with `Z`, plus extra µs (independent of asof's parser). */
function us(iso: string, extraMicros = 0n): bigint {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return BigInt(ms) * 1000n + extraMicros;
}

const T = us('2024-03-01T12:00:00Z');
const SEC = 1_000_000n;
const MIN = 60n * SEC;

interface F {
  id: bigint | null;
  ev: bigint;
  cr?: bigint | null;
  v?: number | null;
  s?: string | null;
  del?: boolean;
}

/** Feature rows: account_id Int64, event_ts, created_ts, v Float64, s Utf8 (+ is_deleted when any row sets `del`). */
function featureTable(rows: readonly F[]): Table {
  const cols: Record<string, Vector> = {
    account_id: int64Vector(rows.map((r) => r.id)),
    event_ts: tsUs(rows.map((r) => r.ev)),
    created_ts: tsUs(rows.map((r) => (r.cr === undefined ? r.ev : r.cr))),
    v: float64Vector(rows.map((r) => (r.v === undefined ? null : r.v))),
    s: utf8Vector(rows.map((r) => (r.s === undefined ? null : r.s))),
  };
  if (rows.some((r) => r.del !== undefined)) cols['is_deleted'] = boolVector(rows.map((r) => r.del ?? false));
  return tableOf(cols);
}

function spineTable(rows: readonly { id: bigint | null; t: bigint | null }[]): Table {
  return tableOf({ account_id: int64Vector(rows.map((r) => r.id)), ts: tsUs(rows.map((r) => r.t)) });
}

const OPTS: PointInTimeJoinOptions = { keys: ['account_id'], spineTime: 'ts', eventTime: 'event_ts', createdTime: 'created_ts' };

function join(spine: Table, rows: Table, extra: Partial<PointInTimeJoinOptions> = {}): Table {
  return pointInTimeJoin(spine, rows, { ...OPTS, ...extra });
}

/** Values as plain data: list elements as arrays, struct rows as objects, Int64 and timestamps exact (raw bigint). */
function plainValues(vector: Vector): unknown[] {
  const type = String(vector.type);
  if (type.startsWith('Timestamp') || type === 'Int64') return vectorCells(vector);
  return [...Array(vector.length).keys()].map((i) => toPlain(vector.get(i)));
}

function toPlain(x: unknown): unknown {
  if (x === null || x === undefined) return null;
  if (x instanceof ArrowVector) return [...Array(x.length).keys()].map((i) => toPlain(x.get(i)));
  if (typeof x === 'object' && 'toJSON' in x) return (x as { toJSON(): unknown }).toJSON();
  return x;
}

function col(table: Table, name: string): Cell[] {
  const v = table.getChild(name);
  if (!v) throw new Error(`no column ${name} in ${table.schema.fields.map((f) => f.name).join(', ')}`);
  return vectorCells(v);
}

describe('pointInTimeJoin edge cases', () => {
  it('equal timestamps: a row whose event_ts equals the spine time is seen', () => {
    const out = join(spineTable([{ id: 1n, t: T }]), featureTable([{ id: 1n, ev: T - MIN, v: 1 }, { id: 1n, ev: T, v: 2 }, { id: 1n, ev: T + 1n, v: 3 }]));
    expect(col(out, 'v')).toEqual([2]);
  });

  it('TTL boundary: event_ts == t - ttl is included, one µs older is excluded', () => {
    const ttl = 60_000; // 1 minute
    const spine = spineTable([
      { id: 1n, t: T },
      { id: 2n, t: T },
    ]);
    const rows = featureTable([
      { id: 1n, ev: T - MIN, v: 1 },
      { id: 2n, ev: T - MIN - 1n, v: 2 },
    ]);
    expect(col(join(spine, rows, { ttl }), 'v')).toEqual([1, null]);
    expect(col(join(spine, rows), 'v')).toEqual([1, 2]); // no ttl: unbounded
    // ttl 0: only event_ts == t qualifies.
    const rows0 = featureTable([{ id: 1n, ev: T, v: 7 }, { id: 2n, ev: T - 1n, v: 8 }]);
    expect(col(join(spine, rows0, { ttl: 0 }), 'v')).toEqual([7, null]);
  });

  it('TTL never falls back to an older row when the newest is expired', () => {
    const out = join(spineTable([{ id: 1n, t: T }]), featureTable([{ id: 1n, ev: T - 3n * MIN, v: 1 }, { id: 1n, ev: T - 2n * MIN, v: 2 }]), { ttl: 60_000 });
    expect(col(out, 'v')).toEqual([null]);
  });

  it('no prior row: features are null', () => {
    const out = join(spineTable([{ id: 1n, t: T }]), featureTable([{ id: 1n, ev: T + 1n, v: 1 }]));
    expect(out.numRows).toBe(1);
    expect(col(out, 'v')).toEqual([null]);
    expect(col(out, 's')).toEqual([null]);
  });

  it('duplicate spine rows are all kept, in spine order', () => {
    const spine = spineTable([
      { id: 1n, t: T },
      { id: 2n, t: T },
      { id: 1n, t: T },
      { id: 1n, t: T - MIN },
      { id: 1n, t: T },
    ]);
    const rows = featureTable([{ id: 1n, ev: T - MIN, v: 1 }, { id: 1n, ev: T, v: 2 }, { id: 2n, ev: T, v: 5 }]);
    const out = join(spine, rows);
    expect(col(out, 'account_id')).toEqual([1n, 2n, 1n, 1n, 1n]);
    expect(col(out, 'v')).toEqual([2, 5, 2, 1, 2]);
  });

  it('ties on event time: the greater created time wins, whatever the write order', () => {
    const spine = spineTable([{ id: 1n, t: T }]);
    const late = { id: 1n, ev: T - MIN, cr: T - 10n, v: 2 };
    const early = { id: 1n, ev: T - MIN, cr: T - 20n, v: 1 };
    expect(col(join(spine, featureTable([late, early])), 'v')).toEqual([2]);
    expect(col(join(spine, featureTable([early, late])), 'v')).toEqual([2]);
  });

  it('ties on event time: a null created time sorts lowest', () => {
    const spine = spineTable([{ id: 1n, t: T }]);
    const rows = featureTable([{ id: 1n, ev: T - MIN, cr: T - 20n, v: 1 }, { id: 1n, ev: T - MIN, cr: null, v: 2 }]);
    expect(col(join(spine, rows), 'v')).toEqual([1]);
  });

  it('ties on event and created time: the later write wins (also across record batches)', () => {
    const spine = spineTable([{ id: 1n, t: T }]);
    const rows = featureTable([
      { id: 1n, ev: T - MIN, cr: T - 10n, v: 1 },
      { id: 1n, ev: T - MIN, cr: T - 10n, v: 2 },
      { id: 1n, ev: T - MIN, cr: T - 10n, v: 3 },
    ]);
    expect(col(join(spine, rows), 'v')).toEqual([3]);
    expect(col(join(spine, rechunk(rows, [1, 1, 1])), 'v')).toEqual([3]);
    expect(col(join(spine, rechunk(rows, [2, 1], 'slice')), 'v')).toEqual([3]);
    // Without a created-time column, equal event times are settled by write order alone.
    const out = pointInTimeJoin(spine, rows.select(['account_id', 'event_ts', 'v']), { keys: ['account_id'], spineTime: 'ts', eventTime: 'event_ts' });
    expect(col(out, 'v')).toEqual([3]);
  });

  it('a null value in the chosen row yields null, with no fall-back to an older row', () => {
    const out = join(spineTable([{ id: 1n, t: T }]), featureTable([{ id: 1n, ev: T - MIN, v: 1, s: 'old' }, { id: 1n, ev: T, v: null, s: 'new' }]));
    expect(col(out, 'v')).toEqual([null]);
    expect(col(out, 's')).toEqual(['new']);
  });

  it('tombstones null every feature; a newer row after the tombstone is seen again', () => {
    const rows = featureTable([
      { id: 1n, ev: T - 3n * MIN, v: 1, s: 'a', del: false },
      { id: 1n, ev: T - 2n * MIN, v: 9, s: 'z', del: true },
      { id: 1n, ev: T - MIN, v: 3, s: 'c', del: false },
    ]);
    const spine = spineTable([
      { id: 1n, t: T - 3n * MIN },
      { id: 1n, t: T - 2n * MIN },
      { id: 1n, t: T - 2n * MIN + 1n },
      { id: 1n, t: T - MIN },
    ]);
    const out = join(spine, rows, { tombstone: 'is_deleted' });
    expect(out.schema.fields.map((f) => f.name)).toEqual(['account_id', 'ts', 'v', 's']);
    expect(col(out, 'v')).toEqual([1, null, null, 3]);
    expect(col(out, 's')).toEqual(['a', null, null, 'c']);
  });

  it('a tombstone at the same event time wins over a value row when it was created later', () => {
    const rows = featureTable([
      { id: 1n, ev: T - MIN, cr: T - 5n, v: 1, del: true },
      { id: 1n, ev: T - MIN, cr: T - 9n, v: 2, del: false },
    ]);
    expect(col(join(spineTable([{ id: 1n, t: T }]), rows, { tombstone: 'is_deleted' }), 'v')).toEqual([null]);
  });

  it('composite keys (int64 and string) match on every key', () => {
    const rows = tableOf({
      account_id: int64Vector([1n, 1n, 2n, null]),
      sku: utf8Vector(['a', 'b', 'a', 'a']),
      event_ts: tsUs([T - MIN, T - MIN, T - MIN, T - MIN]),
      v: float64Vector([11, 12, 21, 99]),
    });
    const spine = tableOf({
      sku: utf8Vector(['a', 'b', 'a', 'c', 'a', null]),
      account_id: int64Vector([1n, 1n, 2n, 1n, null, 1n]),
      ts: tsUs([T, T, T, T, T, T]),
    });
    const out = pointInTimeJoin(spine, rows, { keys: ['account_id', 'sku'], spineTime: 'ts', eventTime: 'event_ts' });
    expect(out.schema.fields.map((f) => f.name)).toEqual(['sku', 'account_id', 'ts', 'v']);
    expect(col(out, 'v')).toEqual([11, 12, 21, null, null, null]);
  });

  it('null keys never match, not even a null key in the rows', () => {
    const out = join(spineTable([{ id: null, t: T }, { id: 1n, t: T }]), featureTable([{ id: null, ev: T - MIN, v: 1 }, { id: 1n, ev: T - MIN, v: 2 }]));
    expect(col(out, 'v')).toEqual([null, 2]);
  });

  it('a spine row with a null time gets null features', () => {
    const out = join(spineTable([{ id: 1n, t: null }, { id: 1n, t: T }]), featureTable([{ id: 1n, ev: T - MIN, v: 1 }]));
    expect(col(out, 'v')).toEqual([null, 1]);
    expect(col(out, 'ts')).toEqual([null, T]);
  });

  it('spine keys absent from the rows get null features', () => {
    const out = join(spineTable([{ id: 5n, t: T }, { id: 1n, t: T }, { id: 6n, t: T }]), featureTable([{ id: 1n, ev: T - MIN, v: 1 }]));
    expect(col(out, 'v')).toEqual([null, 1, null]);
  });

  it('empty spine: zero rows with the spine columns and typed feature columns', () => {
    const out = join(spineTable([]), featureTable([{ id: 1n, ev: T, v: 1, s: 'x' }]));
    expect(out.numRows).toBe(0);
    expect(out.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['account_id', 'Int64'],
      ['ts', 'Timestamp<MICROSECOND, UTC>'],
      ['v', 'Float64'],
      ['s', 'Utf8'],
    ]);
  });

  it('empty spine with no record batches at all', () => {
    const spine = new Table(new Schema([new Field('account_id', int64Vector([]).type, true), new Field('ts', tsUs([]).type, true)]));
    const out = join(spine, featureTable([{ id: 1n, ev: T, v: 1 }]));
    expect(out.numRows).toBe(0);
    expect(out.schema.fields.map((f) => f.name)).toEqual(['account_id', 'ts', 'v', 's']);
  });

  it('empty rows: every feature is null, with the rows\' types', () => {
    const out = join(spineTable([{ id: 1n, t: T }, { id: 2n, t: T }]), featureTable([]));
    expect(out.numRows).toBe(2);
    expect(out.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['account_id', 'Int64'],
      ['ts', 'Timestamp<MICROSECOND, UTC>'],
      ['v', 'Float64'],
      ['s', 'Utf8'],
    ]);
    expect(tableCells(out)).toEqual({ account_id: [1n, 2n], ts: [T, T], v: [null, null], s: [null, null] });
  });

  it('times before 1970 and far in the future (year 0001 and 9999) stay exact to the µs', () => {
    const y1 = us('0001-01-01T00:00:00Z'); // -62135596800000000: beyond 2^53
    const y9999 = us('9999-12-31T23:59:59.999Z', 999n); // 253402300799999999
    const pre1970 = us('1969-07-20T20:17:40Z');
    expect(y1 < -(2n ** 53n) && y9999 > 2n ** 53n).toBe(true);
    const rows = featureTable([
      { id: 1n, ev: y1, v: 1 },
      { id: 1n, ev: y1 + 1n, v: 2 },
      { id: 2n, ev: pre1970 - 1n, v: 3 },
      { id: 2n, ev: pre1970, v: 4 },
      { id: 3n, ev: y9999 - 1n, v: 5 },
      { id: 3n, ev: y9999, v: 6 },
    ]);
    const spine = spineTable([
      { id: 1n, t: y1 },
      { id: 1n, t: y1 + 1n },
      { id: 2n, t: pre1970 - 1n },
      { id: 2n, t: pre1970 },
      { id: 3n, t: y9999 - 1n },
      { id: 3n, t: y9999 },
      { id: 1n, t: y1 - 1n },
    ]);
    const out = join(spine, rows, { eventTimeAs: 'feature_ts' });
    expect(col(out, 'v')).toEqual([1, 2, 3, 4, 5, 6, null]);
    expect(col(out, 'feature_ts')).toEqual([y1, y1 + 1n, pre1970 - 1n, pre1970, y9999 - 1n, y9999, null]);
    expect(col(out, 'ts')).toEqual([y1, y1 + 1n, pre1970 - 1n, pre1970, y9999 - 1n, y9999, y1 - 1n]);
    // A TTL across the epoch and at the far end.
    const withTtl = join(spine, rows, { ttl: 0 });
    expect(col(withTtl, 'v')).toEqual([1, 2, 3, 4, 5, 6, null]);
  });

  it('a string spine time without an offset throws InvalidTimestampError', () => {
    const spine = tableOf({ account_id: int64Vector([1n]), ts: utf8Vector(['2024-03-01T12:00:00']) });
    expect(() => join(spine, featureTable([{ id: 1n, ev: T, v: 1 }]))).toThrow(InvalidTimestampError);
  });

  it('ISO string spine times with an offset are read as instants', () => {
    const spine = tableOf({
      account_id: int64Vector([1n, 1n, 1n]),
      ts: utf8Vector(['2024-03-01T14:00:00+02:00', '2024-03-01T06:59:59.999999-05:00', '2024-03-01T12:00:00.000001Z']),
    });
    const rows = featureTable([{ id: 1n, ev: T - 1n, v: 1 }, { id: 1n, ev: T, v: 2 }, { id: 1n, ev: T + 1n, v: 3 }]);
    expect(col(join(spine, rows), 'v')).toEqual([2, 1, 3]);
    expect(col(join(spine, rows), 'ts')).toEqual(['2024-03-01T14:00:00+02:00', '2024-03-01T06:59:59.999999-05:00', '2024-03-01T12:00:00.000001Z']);
  });

  it('a Timestamp without a time zone throws InvalidInputError (spine or rows)', () => {
    const naive = tableOf({ account_id: int64Vector([1n]), ts: tsVector([T], TimeUnit.MICROSECOND, null) });
    expect(() => join(naive, featureTable([{ id: 1n, ev: T, v: 1 }]))).toThrow(InvalidInputError);
    const naiveRows = tableOf({ account_id: int64Vector([1n]), event_ts: tsVector([T], TimeUnit.MICROSECOND, null), v: float64Vector([1]) });
    expect(() => pointInTimeJoin(spineTable([{ id: 1n, t: T }]), naiveRows, { keys: ['account_id'], spineTime: 'ts', eventTime: 'event_ts' })).toThrow(
      InvalidInputError,
    );
  });

  it('an int32 spine key matches an int64 rows key of equal value (and the other way round)', () => {
    const spine = tableOf({ account_id: int32Vector([1, 2, -3, 7]), ts: tsUs([T, T, T, T]) });
    const rows = featureTable([{ id: 1n, ev: T, v: 1 }, { id: 2n, ev: T, v: 2 }, { id: -3n, ev: T, v: 3 }, { id: 7n + 2n ** 32n, ev: T, v: 4 }]);
    const out = join(spine, rows);
    expect(col(out, 'v')).toEqual([1, 2, 3, null]);
    expect(String(out.getChild('account_id')!.type)).toBe('Int32');
    const rows32 = tableOf({ account_id: int32Vector([1]), event_ts: tsUs([T]), v: float64Vector([5]) });
    const out2 = pointInTimeJoin(spineTable([{ id: 1n, t: T }]), rows32, { keys: ['account_id'], spineTime: 'ts', eventTime: 'event_ts' });
    expect(col(out2, 'v')).toEqual([5]);
  });

  it('unsigned integer keys match signed ones only on equal values (uint64 2^64-1 is not int64 -1)', () => {
    const rows = featureTable([{ id: -1n, ev: T, v: 1 }, { id: 5n, ev: T, v: 2 }]);
    const spine = tableOf({ account_id: vectorFromArray([2n ** 64n - 1n, 5n], new Uint64()), ts: tsUs([T, T]) });
    expect(col(join(spine, rows), 'v')).toEqual([null, 2]);
    const spine32 = tableOf({ account_id: vectorFromArray([2 ** 32 - 1, 5], new Uint32()), ts: tsUs([T, T]) });
    expect(col(join(spine32, rows), 'v')).toEqual([null, 2]);
  });

  it('a string spine key against an integer rows key throws InvalidInputError', () => {
    const spine = tableOf({ account_id: utf8Vector(['1']), ts: tsUs([T]) });
    expect(() => join(spine, featureTable([{ id: 1n, ev: T, v: 1 }]))).toThrow(InvalidInputError);
    const intSpine = spineTable([{ id: 1n, t: T }]);
    const strRows = tableOf({ account_id: utf8Vector(['1']), event_ts: tsUs([T]), v: float64Vector([1]) });
    expect(() => pointInTimeJoin(intSpine, strRows, { keys: ['account_id'], spineTime: 'ts', eventTime: 'event_ts' })).toThrow(InvalidInputError);
  });

  it('asKnownAt excludes a row created after it (and rows with a null created time)', () => {
    const rows = featureTable([
      { id: 1n, ev: T - 10n * MIN, cr: T - 9n * MIN, v: 1 },
      { id: 1n, ev: T - 5n * MIN, cr: T + MIN, v: 2 }, // newer event, learned later
      { id: 1n, ev: T - 4n * MIN, cr: null, v: 3 }, // never known
    ]);
    const spine = spineTable([{ id: 1n, t: T }]);
    expect(col(join(spine, rows), 'v')).toEqual([3]);
    expect(col(join(spine, rows, { asKnownAt: new Date(Number(T / 1000n)) }), 'v')).toEqual([1]);
    expect(col(join(spine, rows, { asKnownAt: '2024-03-01T13:01:00+01:00' }), 'v')).toEqual([2]); // == T + MIN, inclusive
    expect(col(join(spine, rows, { asKnownAt: T + MIN - 1n }), 'v')).toEqual([1]); // bigint µs
    expect(col(join(spine, rows, { asKnownAt: T - 9n * MIN - 1n }), 'v')).toEqual([null]);
  });

  it('a Timestamp(ms) spine column (and Timestamp(s) with a zone, Date) is read as its instant', () => {
    const rows = featureTable([{ id: 1n, ev: T - 1000n, v: 1 }, { id: 1n, ev: T - 999n, v: 2 }, { id: 1n, ev: T, v: 3 }, { id: 1n, ev: T + 1n, v: 4 }]);
    const ms = tableOf({ account_id: int64Vector([1n, 1n]), ts: tsVector([T / 1000n, T / 1000n - 1n], TimeUnit.MILLISECOND, 'UTC') });
    const out = join(ms, rows);
    expect(col(out, 'v')).toEqual([3, 1]);
    expect(String(out.getChild('ts')!.type)).toBe('Timestamp<MILLISECOND, UTC>');
    expect(col(out, 'ts')).toEqual([T / 1000n, T / 1000n - 1n]);
    const s = tableOf({ account_id: int64Vector([1n]), ts: tsVector([T / SEC], TimeUnit.SECOND, 'Asia/Tokyo') });
    expect(col(join(s, rows), 'v')).toEqual([3]);
    const dms = tableOf({ account_id: int64Vector([1n]), ts: dateMsVector([T / 1000n]) });
    expect(col(join(dms, rows), 'v')).toEqual([3]);
    const day = us('2024-03-01T00:00:00Z');
    const dday = tableOf({ account_id: int64Vector([1n]), ts: dateDayVector([Number(day / (86_400n * SEC))]) });
    expect(col(join(dday, featureTable([{ id: 1n, ev: day, v: 5 }, { id: 1n, ev: day + 1n, v: 6 }])), 'v')).toEqual([5]);
  });

  it('the output keeps every spine column, its type, its values and its order, then the features', () => {
    const spine = tableOf({
      label: utf8Vector(['x', null, 'z']),
      weight: float64Vector([0.5, Number.NaN, null]),
      ts: tsVector([T / 1000n, T / 1000n, null], TimeUnit.MILLISECOND, 'Europe/Paris'),
      flag: boolVector([true, null, false]),
      account_id: int32Vector([1, 2, 1]),
      day: dateDayVector([19000, null, -1]),
      big: int64Vector([2n ** 63n - 1n, null, -(2n ** 63n)]),
    });
    const rows = featureTable([{ id: 1n, ev: T, v: 1, s: 'one' }, { id: 2n, ev: T - MIN, v: 2, s: 'two' }]);
    const out = join(spine, rows);
    expect(out.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ...spine.schema.fields.map((f) => [f.name, String(f.type)]),
      ['v', 'Float64'],
      ['s', 'Utf8'],
    ]);
    const cells = tableCells(out);
    for (const f of spine.schema.fields) expect(cells[f.name], f.name).toEqual(vectorCells(spine.getChild(f.name)!));
    expect(cells['v']).toEqual([1, 2, null]);
    expect(cells['s']).toEqual(['one', 'two', null]);
  });

  it('feature columns of any type are copied with their type and exact values (List<Utf8>, Dictionary, Timestamp, Struct, ...)', () => {
    const features: Record<string, Vector> = {
      tags: vectorFromArray([['a', 'b'], null, ['z', null], []], new List(new Field('item', new Utf8(), true))),
      color: vectorFromArray(['red', null, 'blue', 'red'], new Dictionary(new Utf8(), new Int32())),
      paid_at: tsUs([us('0001-01-01T00:00:00Z', 1n), null, T + 1n, 2n ** 62n + 1n]),
      small: vectorFromArray([1, null, -3, 4], new Int16()),
      ratio: vectorFromArray([1.5, null, -0.25, 4], new Float32()),
      note: vectorFromArray(['n1', null, 'n3', ''], new LargeUtf8()),
      addr: vectorFromArray([{ zip: 1 }, null, { zip: 3 }, { zip: null }], new Struct([new Field('zip', new Int32(), true)])),
    };
    const rows = tableOf({ account_id: int64Vector([1n, 2n, 1n, 3n]), event_ts: tsUs([T - 5n, T - 4n, T - 20n, T]), ...features });
    const spine = spineTable([{ id: 1n, t: T }, { id: 2n, t: T }, { id: 4n, t: T }, { id: 1n, t: T - 10n }, { id: 3n, t: T }]);
    const out = pointInTimeJoin(spine, rows, { keys: ['account_id'], spineTime: 'ts', eventTime: 'event_ts' });
    const picks = [0, 1, null, 2, 3]; // chosen row per spine row
    for (const [name, vector] of Object.entries(features)) {
      expect.soft(String(out.getChild(name)!.type), name).toBe(String(vector.type));
      const got = plainValues(out.getChild(name)!);
      const input = plainValues(vector);
      expect.soft(got, name).toEqual(picks.map((r) => (r === null ? null : input[r])));
    }
  });

  it('features, prefix and eventTimeAs shape the output', () => {
    const rows = featureTable([{ id: 1n, ev: T - MIN, v: 1, s: 'a' }]);
    const out = join(spineTable([{ id: 1n, t: T }, { id: 2n, t: T }]), rows, { features: ['s'], prefix: 'acct__', eventTimeAs: 'acct__event_ts' });
    expect(out.schema.fields.map((f) => f.name).sort()).toEqual(['account_id', 'acct__event_ts', 'acct__s', 'ts']);
    expect(out.schema.fields.slice(0, 2).map((f) => f.name)).toEqual(['account_id', 'ts']);
    expect(String(out.getChild('acct__event_ts')!.type)).toBe('Timestamp<MICROSECOND, UTC>');
    expect(col(out, 'acct__s')).toEqual(['a', null]);
    expect(col(out, 'acct__event_ts')).toEqual([T - MIN, null]);
  });

  it('a feature column whose name collides with a spine column throws InvalidInputError', () => {
    const spine = tableOf({ account_id: int64Vector([1n]), ts: tsUs([T]), v: float64Vector([0]) });
    expect(() => join(spine, featureTable([{ id: 1n, ev: T, v: 1 }]))).toThrow(InvalidInputError);
    // A prefix resolves it.
    expect(col(join(spine, featureTable([{ id: 1n, ev: T, v: 1 }]), { prefix: 'f_' }), 'f_v')).toEqual([1]);
    // eventTimeAs colliding with a spine column as well.
    expect(() => join(spineTable([{ id: 1n, t: T }]), featureTable([{ id: 1n, ev: T, v: 1 }]), { eventTimeAs: 'ts' })).toThrow(InvalidInputError);
  });

  it('the rows\' event-time column may share the spine time column\'s name', () => {
    const rows = tableOf({ account_id: int64Vector([1n, 1n]), ts: tsUs([T - MIN, T + MIN]), v: float64Vector([1, 2]) });
    const out = pointInTimeJoin(spineTable([{ id: 1n, t: T }]), rows, { keys: ['account_id'], spineTime: 'ts', eventTime: 'ts' });
    expect(out.schema.fields.map((f) => f.name)).toEqual(['account_id', 'ts', 'v']);
    expect(col(out, 'v')).toEqual([1]);
    expect(col(out, 'ts')).toEqual([T]);
  });

  it('a missing column is an InvalidInputError', () => {
    expect(() => join(spineTable([{ id: 1n, t: T }]), featureTable([]), { spineTime: 'nope' })).toThrow(InvalidInputError);
    expect(() => join(spineTable([{ id: 1n, t: T }]), featureTable([]), { keys: ['nope'] })).toThrow(InvalidInputError);
  });
});
