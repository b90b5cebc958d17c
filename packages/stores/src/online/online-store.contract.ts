/**
 * The contract every online store passes (DESIGN §6), run against each
 * backend with real storage: `describeOnlineStore('lmdb', factory)`.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  binary,
  bool,
  date,
  decimal,
  Decimal,
  defineEntity,
  defineFeatureView,
  FeatureNotFoundError,
  float64,
  Instant,
  int32,
  int64,
  InvalidInputError,
  InvalidKeyError,
  list,
  parquetSource,
  string,
  timestamp,
  TOMBSTONE_COLUMN,
  type DType,
  type OnlineStore,
  type OnlineView,
} from '@asof/core';
import { plain, plainRows, tableOf } from '../testing/online-fixtures.js';

/** A fresh, empty store; every `open` is a new handle on the same storage (as another process would have). */
export interface OnlineStoreHarness {
  open(): Promise<OnlineStore>;
}

/** 2024-03-01T00:00:00Z in µs. */
const T0 = 1_709_251_200_000_000n;
const MAX = 2n ** 63n - 1n;
const MIN = -(2n ** 63n);

const ALL_TYPES = {
  i32: int32(),
  i64: int64(),
  f64: float64(),
  flag: bool(),
  name: string(),
  at: timestamp(),
  day: date(),
  blob: binary(),
  amount: decimal(38, 10),
  tags: list(string()),
  counts: list(int64()),
  times: list(timestamp()),
  prices: list(decimal(12, 2)),
} as const;

/** Every dtype at its edges, one row per key (keys 1..n). */
const EDGE_VALUES: Record<keyof typeof ALL_TYPES, unknown[]> = {
  i32: [2147483647, -2147483648, 0, null, 7, 1, -1, 3],
  i64: [MAX, MIN, 0n, null, 9_007_199_254_740_993n, -1n, 1n, 42n],
  f64: [0.1, -0, Number.NaN, null, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324, 1.7976931348623157e308],
  flag: [true, false, true, null, false, true, false, true],
  name: ['', 'ünïcödé #"\\ 🚀', 'a'.repeat(3000), null, 'x', '#', '"', 'null'],
  at: [new Instant(T0 + 123n), new Instant(-62_135_596_800_000_000n), new Instant(253_402_300_799_999_999n), null, new Instant(1n), new Instant(-1n), new Instant(0n), new Instant(T0)],
  day: ['2024-02-29', '0001-01-01', '9999-12-31', null, '1970-01-01', '1969-12-31', '2000-01-01', '2024-03-01'],
  blob: [new Uint8Array([0, 1, 255]), new Uint8Array(0), new Uint8Array([7]), null, new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3]), new Uint8Array([4])],
  amount: ['12.3000000000', '-1234567890123456789012345678.0123456789', '0.0000000001', null, '0.0000000000', '9999999999999999999999999999.9999999999', '-0.5000000000', '1.0000000000'].map(
    (v) => v && Decimal.from(v),
  ),
  tags: [['a', '', '#'], [], [null, 'x'], null, ['y'], [], ['z', 'z'], ['ü']],
  counts: [[MAX, MIN, 0n], [], [null], null, [1n], [2n], [3n], [4n]],
  times: [[new Instant(T0 + 1n), new Instant(T0 - 1n)], [], [null, new Instant(5n)], null, [new Instant(T0)], [], [], []],
  prices: [['12.30', '-0.01', null], [], ['9999999999.99'], null, ['0.00'], [], [], []].map((l) => l && l.map((v) => v && Decimal.from(v))),
};

let unique = 0;
/** A view name no other test (or earlier run on a shared table) uses. */
function viewName(label: string): string {
  return `${label}_${Date.now().toString(36)}_${(unique++).toString(36)}`;
}

function view(label: string, features: Record<string, DType>, ttlMs: number | null = null, keys: OnlineView['keys'] = { account_id: int64() }): OnlineView {
  return { name: viewName(label), keys, features, ttlMs };
}

/** Rows of a view with one int64 key and an int64 feature `v`. */
function rowsOf(rows: readonly { id: bigint; ets: bigint; cts: bigint | null; v: bigint | null; deleted?: boolean }[]) {
  return tableOf({
    account_id: [int64(), rows.map((r) => r.id)],
    event_ts: [timestamp(), rows.map((r) => r.ets)],
    created_ts: [timestamp(), rows.map((r) => r.cts)],
    v: [int64(), rows.map((r) => r.v)],
    [TOMBSTONE_COLUMN]: [bool(), rows.map((r) => r.deleted ?? false)],
  });
}

/** Registers the online store contract for one backend. */
export function describeOnlineStore(name: string, factory: () => Promise<OnlineStoreHarness>): void {
  describe(`online store contract: ${name}`, () => {
    const opened: OnlineStore[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    const fresh = async () => {
      const harness = await factory();
      const open = async () => {
        const store = await harness.open();
        opened.push(store);
        return store;
      };
      return { harness, open, store: await open() };
    };
    const readV = async (store: OnlineStore, v: OnlineView, id: bigint, at: bigint = T0 + 1_000_000n * 86_400n) =>
      (await store.read(v, [{ account_id: id }], { at, consistent: true })).rows[0]!;

    it('round-trips every dtype exactly: int64 at ±(2^63-1) and -2^63, µs timestamps, decimals, doubles, lists, binaries, nulls', async () => {
      const { store } = await fresh();
      const v = view('all_types', { ...ALL_TYPES });
      const n = EDGE_VALUES.i32.length;
      const ids = Array.from({ length: n }, (_, i) => BigInt(i + 1));
      const columns = Object.fromEntries(Object.entries(ALL_TYPES).map(([f, dtype]) => [f, [dtype, EDGE_VALUES[f as keyof typeof ALL_TYPES]] as const]));
      const result = await store.write(
        v,
        tableOf({ account_id: [int64(), ids], event_ts: [timestamp(), ids.map(() => T0)], created_ts: [timestamp(), ids.map(() => T0)], ...columns }),
      );
      expect(result).toEqual({ written: n, stale: 0, statuses: ids.map(() => 'written') });
      const read = await store.read(v, ids.map((id) => ({ account_id: id })), { at: T0, consistent: true });
      expect(read.features).toEqual(Object.keys(ALL_TYPES));
      const rows = plainRows(read);
      for (let i = 0; i < n; i++) {
        expect(rows[i]!.key).toEqual({ account_id: ids[i] });
        expect(rows[i]!.values).toEqual(Object.fromEntries(Object.keys(ALL_TYPES).map((f) => [f, plain(EDGE_VALUES[f as keyof typeof ALL_TYPES][i] ?? null)])));
        expect(Object.values(rows[i]!.status)).toEqual(Object.keys(ALL_TYPES).map(() => 'present'));
      }
      expect(read.rows[0]!.eventTs).toBe(T0);
      expect(read.rows[0]!.createdTs).toBe(T0);
    });

    it('keeps the newest row: an older event_ts is stale, ties go to the newer created_ts, equal pairs keep the stored row, null created_ts is lowest', async () => {
      const { store } = await fresh();
      const v = view('newer_wins', { v: int64() });
      const write = async (ets: bigint, cts: bigint | null, value: bigint) => (await store.write(v, rowsOf([{ id: 1n, ets, cts, v: value }]))).statuses[0];
      expect(await write(T0 + 10n, T0 + 5n, 1n)).toBe('written');
      expect(await write(T0 + 9n, T0 + 99n, 2n)).toBe('stale'); // older event, however new its created time
      expect(await write(T0 + 10n, T0 + 4n, 3n)).toBe('stale'); // same event, older created
      expect(await write(T0 + 10n, T0 + 5n, 4n)).toBe('stale'); // equal pair: the stored row stays
      expect((await readV(store, v, 1n)).values.v).toBe(1n);
      expect(await write(T0 + 10n, T0 + 6n, 5n)).toBe('written'); // same event, newer created
      expect(await write(T0 + 10n, null, 6n)).toBe('stale');
      expect((await readV(store, v, 1n)).values.v).toBe(5n);
      expect(await write(T0 + 11n, null, 7n)).toBe('written'); // newer event, even without a created time
      expect(await write(T0 + 11n, null, 8n)).toBe('stale');
      expect(await write(T0 + 11n, MIN + 1n, 9n)).toBe('written');
      const row = await readV(store, v, 1n);
      expect([row.values.v, row.eventTs, row.createdTs]).toEqual([9n, T0 + 11n, MIN + 1n]);
    });

    it('several rows of a key in one write: the newest is stored, the first of equals, the rest are stale', async () => {
      const { store } = await fresh();
      const v = view('in_batch', { v: int64() });
      const result = await store.write(
        v,
        rowsOf([
          { id: 1n, ets: T0, cts: T0, v: 1n },
          { id: 2n, ets: T0, cts: T0, v: 10n },
          { id: 1n, ets: T0 + 1n, cts: T0, v: 2n },
          { id: 2n, ets: T0, cts: T0, v: 11n },
          { id: 1n, ets: T0 + 1n, cts: T0, v: 3n },
          { id: 1n, ets: T0, cts: T0 + 9n, v: 4n },
        ]),
      );
      expect(result).toEqual({ written: 2, stale: 4, statuses: ['stale', 'written', 'written', 'stale', 'stale', 'stale'] });
      expect((await readV(store, v, 1n)).values.v).toBe(2n);
      expect((await readV(store, v, 2n)).values.v).toBe(10n);
      expect(await store.write(v, rowsOf([]))).toEqual({ written: 0, stale: 0, statuses: [] });
    });

    it('applies the TTL exactly as the offline join: event_ts == at - ttl is present, one µs older expired, newer than at missing', async () => {
      const { store } = await fresh();
      const ttlMs = 3_600_000;
      const ttlUs = BigInt(ttlMs) * 1000n;
      const v = view('ttl', { v: int64() }, ttlMs);
      const e = BigInt(Date.now()) * 1000n; // recent, so DynamoDB's own expiry leaves the item alone
      await store.write(v, rowsOf([{ id: 1n, ets: e, cts: e, v: 1n }]));
      const status = async (at: bigint, options: { ttlMs?: number | null } = {}) =>
        (await store.read(v, [{ account_id: 1n }], { at, consistent: true, ...options })).rows[0]!.status.v;
      expect(await status(e)).toBe('present');
      expect(await status(e + ttlUs)).toBe('present');
      expect(await status(e + ttlUs + 1n)).toBe('expired');
      expect(await status(e - 1n)).toBe('missing');
      expect(await status(e + ttlUs + 1n, { ttlMs: null })).toBe('present');
      expect(await status(e + 2000n, { ttlMs: 1 })).toBe('expired');
      expect(await status(e + 1000n, { ttlMs: 1 })).toBe('present');
      expect(await status(e, { ttlMs: 0 })).toBe('present');
      const expired = (await store.read(v, [{ account_id: 1n }], { at: e + ttlUs + 1n, consistent: true })).rows[0]!;
      expect(expired).toMatchObject({ values: { v: null }, eventTs: e });
      // `at` as a Date or an ISO string; the default is now
      expect((await store.read(v, [{ account_id: 1n }], { at: new Date(Number(e / 1000n) + 1), consistent: true })).rows[0]!.status.v).toBe('present');
      expect((await store.read(v, [{ account_id: 1n }], { consistent: true })).rows[0]!.status.v).toBe('present');
      await expect(store.read(v, [{ account_id: 1n }], { ttlMs: -1 })).rejects.toThrow(InvalidInputError);
    });

    it('tombstones read as missing, keep older rows out and give way to newer ones', async () => {
      const { store } = await fresh();
      const v = view('tombstones', { v: int64() });
      await store.write(v, rowsOf([{ id: 1n, ets: T0, cts: T0, v: 1n }, { id: 2n, ets: T0, cts: T0, v: 2n }]));
      expect((await store.write(v, rowsOf([{ id: 1n, ets: T0 + 5n, cts: T0, v: null, deleted: true }]))).statuses).toEqual(['written']);
      const deleted = await readV(store, v, 1n);
      expect(deleted).toMatchObject({ values: { v: null }, status: { v: 'missing' }, eventTs: T0 + 5n });
      expect((await store.write(v, rowsOf([{ id: 1n, ets: T0 + 4n, cts: T0 + 100n, v: 3n }]))).statuses).toEqual(['stale']);
      expect((await readV(store, v, 1n)).status.v).toBe('missing');
      expect((await readV(store, v, 2n)).values.v).toBe(2n);
      expect((await store.write(v, rowsOf([{ id: 1n, ets: T0 + 6n, cts: T0, v: 4n }]))).statuses).toEqual(['written']);
      expect((await readV(store, v, 1n)).values.v).toBe(4n);
      // a tombstone-only batch needs no feature columns
      const bare = tableOf({ account_id: [int64(), [2n]], event_ts: [timestamp(), [T0 + 1n]], created_ts: [timestamp(), [T0]], [TOMBSTONE_COLUMN]: [bool(), [true]] });
      expect((await store.write(v, bare)).statuses).toEqual(['written']);
      expect((await readV(store, v, 2n)).status.v).toBe('missing');
    });

    it('returns only the requested features, in the order asked; features written before they existed are missing', async () => {
      const { store } = await fresh();
      const old = view('projection', { a: int64(), b: string() });
      await store.write(old, tableOf({ account_id: [int64(), [1n]], event_ts: [timestamp(), [T0]], created_ts: [timestamp(), [T0]], a: [int64(), [5n]], b: [string(), ['x']] }));
      const read = await store.read(old, [{ account_id: 1n }], { features: ['b'], at: T0 });
      expect(read.features).toEqual(['b']);
      expect(read.rows[0]!.values).toEqual({ b: 'x' });
      expect(read.rows[0]!.status).toEqual({ b: 'present' });
      expect(Object.keys((await store.read(old, [{ account_id: 1n }], { features: ['b', 'a'], at: T0 })).rows[0]!.values)).toEqual(['b', 'a']);
      const grown: OnlineView = { ...old, features: { ...old.features, c: float64() } };
      const wider = await store.read(grown, [{ account_id: 1n }], { at: T0, consistent: true });
      expect(wider.rows[0]!.status).toEqual({ a: 'present', b: 'present', c: 'missing' });
      expect(wider.rows[0]!.values.c).toBeNull();
      await expect(store.read(old, [{ account_id: 1n }], { features: ['nope'] })).rejects.toThrow(FeatureNotFoundError);
    });

    it('reads more than 100 keys in one call: request order, duplicates and absent keys kept', async () => {
      const { store } = await fresh();
      const v = view('many', { v: int64() });
      const ids = Array.from({ length: 250 }, (_, i) => BigInt(i));
      await store.write(v, rowsOf(ids.map((id) => ({ id, ets: T0, cts: T0, v: id * 10n }))));
      const asked = [...ids.slice(0, 240).reverse(), 1000n, 5n, 5n, 1001n, ...ids.slice(240), 0n, -7n];
      const read = await store.read(v, asked.map((id) => ({ account_id: id })), { at: T0, consistent: true });
      expect(read.rows.map((r) => r.key.account_id)).toEqual(asked);
      expect(read.rows.map((r) => r.values.v)).toEqual(asked.map((id) => (id >= 0n && id < 250n ? id * 10n : null)));
      expect(read.rows.map((r) => r.status.v)).toEqual(asked.map((id) => (id >= 0n && id < 250n ? 'present' : 'missing')));
      expect(read.rows.find((r) => r.key.account_id === 1000n)).toMatchObject({ eventTs: null, createdTs: null });
      expect((await store.read(v, [], { at: T0 })).rows).toEqual([]);
    });

    it('keeps composite keys (int64 + string) apart and exact, read by plain rows or by a table', async () => {
      const { store } = await fresh();
      const v = view('composite', { v: int64() }, null, { account_id: int64(), sku: string() });
      const keys: [bigint, string][] = [[1n, 'x'], [1n, 'x#2'], [12n, 'x'], [1n, ''], [MIN, '"quoted"\\'], [MAX, 'ünï#cödé'], [1n, '2#x'], [12n, '#x']];
      await store.write(
        v,
        tableOf({
          account_id: [int64(), keys.map((k) => k[0])],
          sku: [string(), keys.map((k) => k[1])],
          event_ts: [timestamp(), keys.map(() => T0)],
          created_ts: [timestamp(), keys.map(() => T0)],
          v: [int64(), keys.map((_, i) => BigInt(i))],
        }),
      );
      const byTable = await store.read(v, tableOf({ account_id: [int64(), keys.map((k) => k[0])], sku: [string(), keys.map((k) => k[1])] }), { at: T0 });
      expect(byTable.rows.map((r) => r.values.v)).toEqual(keys.map((_, i) => BigInt(i)));
      expect(byTable.rows.map((r) => [r.key.account_id, r.key.sku])).toEqual(keys);
      // int64 keys as numbers or decimal strings
      const loose = await store.read(v, [{ account_id: 12, sku: 'x' }, { account_id: '9223372036854775807', sku: 'ünï#cödé' }, { account_id: 2, sku: 'x' }], { at: T0 });
      expect(loose.rows.map((r) => r.values.v)).toEqual([2n, 5n, null]);
      await expect(store.read(v, [{ account_id: 1.5, sku: 'x' }])).rejects.toThrow(InvalidInputError);
      await expect(store.read(v, [{ account_id: 1n }])).rejects.toThrow(/sku/);
      // Never wrapped: 2^64 + 1 is not key 1, and the error names the row and the range.
      for (const wide of [2n ** 64n + 1n, '18446744073709551617', MAX + 1n, MIN - 1n]) {
        const error = await store.read(v, [{ account_id: 1n, sku: 'x' }, { account_id: wide, sku: 'x' }]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidKeyError);
        expect((error as InvalidKeyError).message).toMatch(/column 'account_id', row 1: .* is not an int64 key \(a bigint or a whole number in -2\^63\.\.2\^63-1\)/);
      }
    });

    it('keeps its data across close and reopen', async () => {
      const { open, store } = await fresh();
      const v = view('reopen', { v: int64() });
      await store.write(v, rowsOf([{ id: 1n, ets: T0, cts: T0, v: 7n }]));
      await store.close();
      await store.close(); // idempotent
      const again = await open();
      expect((await readV(again, v, 1n)).values.v).toBe(7n);
      expect(again.describe()).toBe(store.describe());
    });

    it('takes a feature view definition: its keys, output dtypes and TTL', async () => {
      const { store } = await fresh();
      const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
      const source = parquetSource({ name: 'src', path: 'x.parquet', timestampField: 'event_ts', columns: { account_id: int64(), event_ts: timestamp(), v: int64() } });
      const fv = defineFeatureView({ name: viewName('defined'), entities: [account], source, features: { v: int64() }, ttl: '1h' });
      const e = BigInt(Date.now()) * 1000n;
      await store.write(fv, rowsOf([{ id: 3n, ets: e, cts: e, v: 30n }]));
      const read = await store.read(fv, [{ account_id: 3n }], { at: e + 3_600_000_001n, consistent: true });
      expect(read.rows[0]!.status.v).toBe('expired');
    });

    it('rejects malformed rows before writing any of them', async () => {
      const { store } = await fresh();
      const v = view('invalid', { v: int64() });
      const ok = { id: 1n, ets: T0, cts: T0, v: 1n };
      await expect(store.write(v, tableOf({ account_id: [int64(), [1n]], created_ts: [timestamp(), [T0]], v: [int64(), [1n]] }))).rejects.toThrow(/event_ts/);
      await expect(store.write(v, tableOf({ account_id: [int64(), [1n, 2n]], event_ts: [timestamp(), [T0, null]], v: [int64(), [1n, 2n]] }))).rejects.toThrow(/null event_ts/);
      await expect(store.write(v, tableOf({ account_id: [int64(), [1n, null]], event_ts: [timestamp(), [T0, T0]], v: [int64(), [1n, 2n]] }))).rejects.toThrow(/account_id/);
      await expect(store.write(v, tableOf({ account_id: [int64(), [1n]], event_ts: [timestamp(), [T0]] }))).rejects.toThrow(/feature column 'v'/);
      await expect(store.write(v, tableOf({ account_id: [int64(), [1n, 2n]], event_ts: [timestamp(), [T0, T0]], v: [string(), ['1', 'x']] }))).rejects.toThrow(/feature 'v', row 1: "x" is not an int64/);
      expect((await readV(store, v, 1n)).status.v).toBe('missing');
      // created_ts may be absent: it orders lowest
      expect((await store.write(v, tableOf({ account_id: [int64(), [1n]], event_ts: [timestamp(), [T0]], v: [int64(), [1n]] }))).statuses).toEqual(['written']);
      expect((await store.write(v, rowsOf([ok]))).statuses).toEqual(['written']);
    });

    it('property: after any interleaving of concurrent writers, each key holds a row with the greatest (event_ts, created_ts)', async () => {
      const { open } = await fresh();
      const handles = await Promise.all([open(), open(), open()]);
      const row = fc.record({
        id: fc.integer({ min: 1, max: 3 }),
        ets: fc.integer({ min: 0, max: 3 }),
        cts: fc.option(fc.integer({ min: 0, max: 2 }), { freq: 4 }),
      });
      const writer = fc.array(fc.array(row, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 });
      await fc.assert(
        fc.asyncProperty(fc.array(writer, { minLength: 2, maxLength: 4 }), async (writers) => {
          const v = view('prop', { v: int64() });
          let serial = 0n;
          const batches = writers.map((w) => w.map((b) => b.map((r) => ({ id: BigInt(r.id), ets: T0 + BigInt(r.ets), cts: r.cts === null ? null : T0 + BigInt(r.cts), v: serial++ }))));
          const results = await Promise.all(
            batches.map(async (w, i) => {
              const out = [];
              for (const b of w) out.push(await handles[i % handles.length]!.write(v, rowsOf(b)));
              return out;
            }),
          );
          const all = batches.flat(2);
          const read = await handles[0]!.read(v, [1n, 2n, 3n].map((id) => ({ account_id: id })), { at: T0 + 10n, consistent: true });
          for (const got of read.rows) {
            const mine = all.filter((r) => r.id === got.key.account_id);
            if (mine.length === 0) {
              expect(got.status.v).toBe('missing');
              continue;
            }
            const top = mine.reduce((a, b) => (b.ets > a.ets || (b.ets === a.ets && (b.cts ?? MIN) > (a.cts ?? MIN)) ? b : a));
            const tied = mine.filter((r) => r.ets === top.ets && (r.cts ?? MIN) === (top.cts ?? MIN));
            expect(tied.map((r) => r.v)).toContain(got.values.v);
            expect([got.eventTs, got.createdTs]).toEqual([top.ets, top.cts]);
          }
          // every row got a status, and each stored row was reported written
          const statuses = results.flat().flatMap((r) => r.statuses);
          expect(statuses).toHaveLength(all.length);
          expect(statuses.filter((s) => s === 'written').length).toBeGreaterThanOrEqual(read.rows.filter((r) => r.status.v === 'present').length);
        }),
        { numRuns: 40 },
      );
    });
  });
}
