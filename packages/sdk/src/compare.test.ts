/** `compare` in its long format (one row per changed entity and feature), and the wide format's change detection, on a store of every dtype. */
import { bool, date, decimal, defineFeatureView, isDecimal, float64, InvalidInputError, int32, int64, Instant, list, parquetSource, rowsToTable, string, tableToRows, timestamp } from '@asof/core';
import { DataType, Table } from 'apache-arrow';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { longComparison } from './compare-long.js';
import { FeatureStore } from './feature-store.js';
import type { ViewRequest } from './plan.js';
import { featureChanges } from './snapshot.js';
import { account, commitRows, oracle, removeRoots, tempRoot, writeRegistry, type StoredRow } from './testing/fixture.js';

const events = parquetSource({ name: 'kinds_events', path: 'events.parquet', timestampField: 'ts' });
const kinds = defineFeatureView({
  name: 'kinds',
  entities: [account],
  source: events,
  features: {
    i64: int64(),
    i32: int32(),
    f64: float64(),
    dec: decimal(12, 2),
    s: string(),
    b: bool(),
    paid_at: timestamp(),
    tags: list(string()),
    day: date(),
  },
});

const T1 = 1_709_251_200_000_000n; // 2024-03-01T00:00:00Z
const T2 = T1 + 86_400_000_000n;
const X = 1_700_000_000_123_456n;
const stored = (id: number, at: bigint, features: Record<string, unknown>): StoredRow => ({ account_id: BigInt(id), event_ts: at, created_ts: at, _asof_deleted: false, ...features });
const all = (v: Partial<Record<keyof typeof kinds.features, unknown>>) => ({ i64: null, i32: null, f64: null, dec: null, s: null, b: null, paid_at: null, tags: null, day: null, ...v });
const first = all({ i64: 10n, i32: 1, f64: 0.5, dec: '1.25', s: 'a', b: true, paid_at: new Instant(X), tags: ['x'], day: '2024-01-01' });

let store: FeatureStore;

beforeAll(async () => {
  const root = await tempRoot();
  await writeRegistry(root, [kinds], false);
  await commitRows(root, kinds, [
    [
      stored(1, T1 - 10n, first),
      stored(2, T1 - 10n, first),
      stored(4, T1 - 10n, first),
      stored(5, T1 - 10n, all({ i64: 9_223_372_036_854_775_807n, f64: Number.NaN })),
    ],
    [
      // Everything moves, the timestamp by one microsecond.
      stored(1, T2 - 10n, all({ i64: 7n, i32: 4, f64: 0.75, dec: '1.35', s: 'b', b: false, paid_at: new Instant(X + 1n), tags: ['x', 'y'], day: '2024-01-02' })),
      stored(2, T2 - 10n, all({ i64: 10n })),
      stored(3, T2 - 10n, first),
      stored(4, T2 - 10n, first),
      stored(5, T2 - 10n, all({ i64: -9_223_372_036_854_775_808n, f64: 1 })),
    ],
  ]);
  store = await FeatureStore.open({ root });
});
afterAll(removeRoots);

describe('compare, long format', () => {
  it('lists each changed (entity, feature) with before, after and the change', async () => {
    const long = await store.compare(T1, T2, { features: [kinds], format: 'long' });
    // Decimals come back as exact Decimals; compared here by their text.
    const text = (v: unknown) => (isDecimal(v) ? v.toString() : v);
    const rows = long.toArray().map((r) => [r.account_id, r.feature, text(r.before), text(r.after), text(r.change)]);
    const words = ['s', 'b', 'paid_at', 'tags', 'day'];
    expect(rows).toEqual([
      [1n, 'i64', 10n, 7n, -3n],
      [1n, 'i32', 1, 4, 3],
      [1n, 'f64', 0.5, 0.75, 0.25],
      [1n, 'dec', '1.25', '1.35', '0.10'],
      [1n, 's', 'a', 'b', 'changed'],
      [1n, 'b', true, false, 'changed'],
      [1n, 'paid_at', new Instant(X), new Instant(X + 1n), 'changed'],
      [1n, 'tags', ['x'], ['x', 'y'], 'changed'],
      [1n, 'day', '2024-01-01', '2024-01-02', 'changed'],
      // Account 2 keeps i64; the rest became null.
      ...['i32', 'f64', 'dec', ...words].map((f) => [2n, f, first[f as keyof typeof first], null, 'removed']),
      // Account 3 had no row at t1.
      ...Object.keys(first).map((f) => [3n, f, null, first[f as keyof typeof first], 'added']),
      // Account 4 did not change. Account 5: an int64 difference past 2^63, and NaN.
      [5n, 'i64', 9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n, 'changed'],
      [5n, 'f64', Number.NaN, 1, Number.NaN],
    ]);
    // The timestamps keep their microseconds.
    const ts = long.toArray().find((r) => r.account_id === 1n && r.feature === 'paid_at')!;
    expect([(ts.before as Instant).micros, (ts.after as Instant).micros]).toEqual([X, X + 1n]);
  });

  it('keeps each feature in its Arrow type; the schema follows the request, not the data', async () => {
    const long = await store.compare(T1, T2, { features: ['kinds:i64', 'kinds:dec', 'kinds:s'], format: 'long' });
    const type = (name: string) => long.schema.fields.find((f) => f.name === name)!.type as DataType;
    expect(long.schema.fields.map((f) => f.name)).toEqual(['account_id', 'feature', 'before', 'after', 'change']);
    expect(String(type('before'))).toBe('Union<Int64 | Decimal[12e+2] | Utf8>');
    expect(String(type('change'))).toBe('Union<Int64 | Decimal[38e+2] | Utf8>');
    // One feature: plain columns. No numeric feature: `change` is text.
    const one = await store.compare(T1, T2, { features: ['kinds:s'], format: 'long' });
    expect(one.schema.fields.map((f) => String(f.type))).toEqual(['Int64', 'Utf8', 'Utf8', 'Utf8', 'Utf8']);
    // Nothing changed: no rows, the same schema.
    const none = await store.compare(T1, T1, { features: ['kinds:i64', 'kinds:dec', 'kinds:s'], format: 'long' });
    expect(none.numRows).toBe(0);
    expect(none.schema.fields.map((f) => String(f.type))).toEqual(long.schema.fields.map((f) => String(f.type)));
  });

  it('shows as text and HTML with exact values', async () => {
    const long = await store.compare(T1, T2, { features: ['kinds:paid_at', 'kinds:dec'], format: 'long', entities: [{ account_id: 1n }] });
    expect(long.format()).toContain('2023-11-14T22:13:20.123457Z');
    const html = long.toHTML();
    expect(html).toContain('<td>2023-11-14T22:13:20.123456Z</td><td>2023-11-14T22:13:20.123457Z</td><td>changed</td>');
    expect(html).toContain('<td>1.25</td><td>1.35</td><td>0.10</td>');
  });

  it('refuses an unknown format and `all` with the long format', async () => {
    await expect(store.compare(T1, T2, { features: [kinds], format: 'tall' as 'long' })).rejects.toThrow(InvalidInputError);
    await expect(store.compare(T1, T2, { features: [kinds], format: 'long', all: true as false })).rejects.toThrow(/all: true.*wide format/);
  });

  it('equals the point-in-time oracle on random histories (property)', async () => {
    const view = defineFeatureView({ name: 'random', entities: [account], source: events, features: { n: int64(), x: float64() } });
    const value = fc.option(fc.record({ n: fc.bigInt({ min: -5n, max: 5n }), x: fc.constantFrom(0, 0.5, 1.5, -2) }), { nil: null });
    const history = fc.array(fc.record({ id: fc.integer({ min: 1, max: 4 }), at: fc.bigInt({ min: 0n, max: 20n }), value }), { maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(history, fc.bigInt({ min: 0n, max: 20n }), fc.bigInt({ min: 0n, max: 20n }), async (events, t1, t2) => {
        const root = await tempRoot();
        await writeRegistry(root, [view], false);
        const rows = events.map((e, k) => ({ ...stored(e.id, e.at, e.value ?? { n: null, x: null }), created_ts: BigInt(k) }));
        await commitRows(root, view, [rows]);
        const s = await FeatureStore.open({ root });
        const entities = [1, 2, 3, 4].map((id) => ({ account_id: BigInt(id) }));
        const got = (await s.compare(t1, t2, { features: ['random:n', 'random:x'], entities, format: 'long' })).toArray();
        const expected: unknown[] = [];
        for (const e of entities) {
          const [a, b] = [t1, t2].map((t) => oracle(rows, ['account_id'], e, t, null, null));
          for (const f of ['n', 'x'] as const) {
            const x = (a?.[f] ?? null) as bigint | number | null;
            const y = (b?.[f] ?? null) as bigint | number | null;
            if (x === y) continue;
            const change = x === null ? 'added' : y === null ? 'removed' : f === 'n' ? (y as bigint) - (x as bigint) : (y as number) - (x as number);
            expected.push({ account_id: e.account_id, feature: f, before: x, after: y, change });
          }
        }
        expect(got).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe('longComparison', () => {
  it("says 'changed' where a decimal difference needs more than 38 digits", () => {
    const big = '9'.repeat(38);
    const dtypes = { d: decimal(38, 0) };
    const spine = rowsToTable([{ account_id: 1n }, { account_id: 2n }], { account_id: int64() });
    const before = rowsToTable([{ d: `-${big}` }, { d: '1' }], dtypes);
    const after = rowsToTable([{ d: big }, { d: big }], dtypes);
    const views: ViewRequest[] = [{ view: kinds, features: ['d'], names: ['d'], dtypes, positions: [0] }];
    const long = longComparison(spine, featureChanges(before, after, views), new Map(Object.entries(dtypes)));
    expect(tableToRows(long).map((r) => (isDecimal(r.change) ? r.change.toString() : r.change))).toEqual(['changed', `${'9'.repeat(37)}8`]);
  });
});

describe('compare, wide format', () => {
  it('sees a timestamp feature that moved by one microsecond', async () => {
    const wide = await store.compare(T1, T2, { features: ['kinds:paid_at'], entities: [{ account_id: 1n }] });
    expect(wide.toArray()).toEqual([{ account_id: 1n, paid_at__t1: new Instant(X), paid_at__t2: new Instant(X + 1n), paid_at__changed: true }]);
  });
  it('is still the default', async () => {
    const wide = await store.compare(T1, T2, { features: ['kinds:i64'] });
    expect(wide).toBeInstanceOf(Table);
    expect(wide.schema.fields.map((f) => f.name)).toEqual(['account_id', 'i64__t1', 'i64__t2', 'i64__changed']);
  });
});
