/**
 * The timeline half of the online store contract (DESIGN §6, issue 13), run
 * against each backend with real storage: a timeline written at P with
 * horizon E answers every read at t in [P, E] exactly as the offline
 * point-in-time join (the brute-force oracle of test/oracles), says `stale`
 * after E, splits over several items when large, keeps items from before
 * timelines honest, and orders concurrent publishes.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bool,
  InvalidInputError,
  int64,
  rowsToTable,
  string,
  StoreWriteError,
  timelineRows,
  timestamp,
  TOMBSTONE_COLUMN,
  takeTable,
  type OnlineStore,
  type OnlineTimelineOptions,
  type OnlineView,
} from '@asof/core';
import { oracleChoose, type OracleFeatureRow } from '../../../../test/oracles/pit-oracle.js';
import type { Item } from './item-codec.js';

/** A fresh, empty store, opened as often as needed (another process would have its own handle), and raw access to its items. */
export interface OnlineTimelineHarness {
  open(limits?: { readonly maxItemBytes?: number; readonly maxParts?: number }): Promise<OnlineStore>;
  /** Stores an item exactly as given (as writers before timelines left them). */
  putRaw(item: Item): Promise<void>;
  /** The partition keys stored that start with `prefix`, sorted. */
  keys(prefix: string): Promise<string[]>;
}

/** The start of the run, whole seconds (µs): recent, so DynamoDB's own expiry leaves TTL views' items alone. */
const T0 = BigInt(Math.floor(Date.now() / 1000)) * 1_000_000n;
const MS = 1000n;
const FEATURES = { v: int64(), s: string() } as const;
const TYPES = { account_id: int64(), event_ts: timestamp(), created_ts: timestamp(), [TOMBSTONE_COLUMN]: bool(), v: int64(), s: string() };

interface Row {
  readonly id: bigint;
  readonly ets: bigint;
  readonly cts: bigint | null;
  readonly deleted: boolean;
  readonly v: bigint | null;
  readonly s: string | null;
}

let unique = 0;
function view(label: string, ttlMs: number | null = null): OnlineView {
  return { name: `${label}_${Date.now().toString(36)}_${(unique++).toString(36)}`, keys: { account_id: int64() }, features: FEATURES, ttlMs };
}

function table(rows: readonly Row[]) {
  return rowsToTable(
    rows.map((r) => ({ account_id: r.id, event_ts: r.ets, created_ts: r.cts, [TOMBSTONE_COLUMN]: r.deleted, v: r.v, s: r.s })),
    TYPES,
  );
}

/** The timeline rows of `rows` at (P, E], by the offline join's own rule (core's `timelineRows`). */
function timelineOf(rows: readonly Row[], p: bigint, e: bigint) {
  const all = table(rows);
  return takeTable(all, timelineRows(all, { keys: ['account_id'], eventTime: 'event_ts', createdTime: 'created_ts', publishedAt: p, horizonEnd: e }));
}

/** What the offline join answers for `id` at `t`: per-feature status and values, from the oracle. */
function expected(rows: readonly Row[], id: bigint, t: bigint, ttlMs: number | null): { status: string; v: bigint | null; s: string | null } {
  const oracle: OracleFeatureRow[] = rows.map((r) => ({ keys: [r.id], eventTs: r.ets, createdTs: r.cts, tombstone: r.deleted, values: { v: r.v, s: r.s } }));
  const [latest] = oracleChoose([{ keys: [id], t }], oracle);
  const [withTtl] = oracleChoose([{ keys: [id], t }], oracle, ttlMs === null ? {} : { ttlMs });
  if (latest == null || rows[latest]!.deleted) return { status: 'missing', v: null, s: null };
  if (withTtl == null) return { status: 'expired', v: null, s: null };
  return { status: 'present', v: rows[withTtl]!.v, s: rows[withTtl]!.s };
}

/** Registers the timeline contract for one backend. */
export function describeOnlineTimelines(name: string, factory: () => Promise<OnlineTimelineHarness>): void {
  describe(`online store timeline contract: ${name}`, () => {
    const opened: OnlineStore[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    const fresh = async (limits?: { maxItemBytes?: number; maxParts?: number }) => {
      const harness = await factory();
      const open = async (more?: { maxItemBytes?: number; maxParts?: number }) => {
        const store = await harness.open(more ?? limits);
        opened.push(store);
        return store;
      };
      return { harness, open, store: await open() };
    };
    const readAt = async (store: OnlineStore, v: OnlineView, ids: readonly bigint[], at: bigint) =>
      (await store.read(v, ids.map((account_id) => ({ account_id })), { at, consistent: true })).rows;

    it('property: a timeline published at P answers every read in [P, E] as the offline join does, and is stale after E', async () => {
      const { store: plain } = await fresh();
      const { store: small } = await fresh({ maxItemBytes: 700 }); // a few points an item: long timelines split
      const row = fc.record({
        id: fc.integer({ min: 1, max: 3 }),
        ets: fc.integer({ min: 0, max: 60 }),
        cts: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 4 }),
        deleted: fc.integer({ min: 0, max: 5 }).map((x) => x === 0),
        v: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { freq: 6 }),
        s: fc.option(fc.string({ maxLength: 6 }), { freq: 6 }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(row, { maxLength: 40 }),
          fc.integer({ min: 0, max: 50 }),
          fc.integer({ min: 0, max: 30 }),
          fc.option(fc.integer({ min: 0, max: 20 }), { freq: 2 }),
          fc.boolean(),
          fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 3, maxLength: 6 }),
          async (input, p, h, ttl, split, picks) => {
            const rows: Row[] = input.map((r) => ({ id: BigInt(r.id), ets: T0 + BigInt(r.ets) * MS, cts: r.cts === null ? null : T0 + BigInt(r.cts) * MS, deleted: r.deleted, v: r.v, s: r.s }));
            const P = T0 + BigInt(p) * MS;
            const E = P + BigInt(h) * MS;
            const v = view('prop', ttl);
            const store = split ? small : plain;
            const points = timelineOf(rows, P, E);
            const result = await store.write(v, points, { timeline: { publishedAt: P, horizonEnd: E, version: 1 } });
            expect(result.timeline?.shortened).toEqual([]);
            const ids = [1n, 2n, 3n];
            const published = new Set(rows.filter((r) => r.ets <= E).map((r) => r.id));
            // Every change point's instant, the edges, and a few picked at random inside [P, E].
            const instants = new Set<bigint>([P, E, ...rows.map((r) => r.ets).filter((t) => t >= P && t <= E), ...picks.map((x) => P + ((E - P) * BigInt(x)) / 1000n)]);
            for (const t of instants) {
              const got = await readAt(store, v, ids, t);
              for (const [i, id] of ids.entries()) {
                const want = expected(rows, id, t, ttl);
                expect([id, t, got[i]!.status.v, got[i]!.values.v, got[i]!.values.s]).toEqual([id, t, want.status, want.v, want.s]);
                expect(got[i]!.status.s).toBe(want.status);
              }
            }
            for (const [i, row] of (await readAt(store, v, ids, E + 1n)).entries()) {
              // Past the horizon: stale for every key published; a key never published is unknown to the store.
              expect([ids[i], row.status.v, row.values.v]).toEqual([ids[i], published.has(ids[i]!) ? 'stale' : 'missing', null]);
              if (published.has(ids[i]!)) expect(row.timeline).toEqual({ publishedAt: P, horizonEnd: E, digest: expect.any(String) });
            }
          },
        ),
        { numRuns: 30 },
      );
    });

    it('is stale after its horizon, reports its current row then, and a row written without a timeline holds until replaced', async () => {
      const { store } = await fresh();
      const v = view('stale');
      const rows = [
        { id: 1n, ets: T0, cts: T0, deleted: false, v: 1n, s: 'a' },
        { id: 1n, ets: T0 + 10n * MS, cts: T0, deleted: false, v: 2n, s: 'b' },
      ];
      const P = T0 + 5n * MS;
      const E = P + 20n * MS;
      expect((await store.write(v, timelineOf(rows, P, E), { timeline: { publishedAt: P, horizonEnd: E } })).timeline).toEqual({ written: 1, stale: 0, split: 0, shortened: [] });
      expect((await readAt(store, v, [1n], E))[0]).toMatchObject({ values: { v: 2n, s: 'b' }, status: { v: 'present', s: 'present' }, eventTs: T0 + 10n * MS });
      expect((await readAt(store, v, [1n], P))[0]).toMatchObject({ values: { v: 1n }, eventTs: T0 });
      expect((await readAt(store, v, [1n], T0 - 1n))[0]).toMatchObject({ values: { v: null }, status: { v: 'missing' }, eventTs: T0 });
      expect((await readAt(store, v, [1n], E + 1n))[0]).toMatchObject({ values: { v: null, s: null }, status: { v: 'stale', s: 'stale' }, eventTs: T0, createdTs: T0 });
      // a read with features [] still says what is stored (what a publisher compares)
      const bare = (await store.read(v, [{ account_id: 1n }], { at: P, features: [], consistent: true })).rows[0]!;
      expect(bare.timeline).toEqual({ publishedAt: P, horizonEnd: E, digest: expect.stringMatching(/^[0-9a-f]{32}$/) });
      const direct = view('direct');
      await store.write(direct, table([{ id: 1n, ets: T0, cts: T0, deleted: false, v: 7n, s: 'x' }]));
      const later = (await readAt(store, direct, [1n], T0 + 10n ** 12n))[0]!;
      expect([later.status.v, later.values.v, later.timeline]).toEqual(['present', 7n, { publishedAt: null, horizonEnd: null, digest: expect.any(String) }]);
    });

    it('stores an empty timeline for a key whose first row is after the horizon: missing until then, stale after', async () => {
      const { store } = await fresh();
      const v = view('empty');
      const P = T0;
      const E = T0 + 10n * MS;
      const rows = [{ id: 1n, ets: T0, cts: T0, deleted: false, v: 1n, s: 'a' }];
      const result = await store.write(v, timelineOf(rows, P, E), { timeline: { publishedAt: P, horizonEnd: E, emptyKeys: [{ account_id: 2n }] } });
      expect([result.statuses, result.timeline]).toEqual([['written'], { written: 2, stale: 0, split: 0, shortened: [] }]);
      const [, inside] = await readAt(store, v, [1n, 2n], E);
      expect([inside!.status.v, inside!.eventTs, inside!.timeline]).toEqual(['missing', null, { publishedAt: P, horizonEnd: E, digest: expect.any(String) }]);
      expect((await readAt(store, v, [2n], E + 1n))[0]!.status).toEqual({ v: 'stale', s: 'stale' });
      await expect(store.write(v, timelineOf(rows, P, E), { timeline: { publishedAt: P, horizonEnd: E, emptyKeys: [{ account_id: 1n }] } })).rejects.toThrow(/emptyKeys but has rows/);
    });

    it('orders publishes: a newer current row wins, then the newer snapshot version, then the later publish, then the longer horizon; an older one is stale', async () => {
      const { store } = await fresh();
      const v = view('order');
      const rows = [
        { id: 1n, ets: T0, cts: T0, deleted: false, v: 1n, s: null },
        { id: 1n, ets: T0 + 50n * MS, cts: T0, deleted: false, v: 2n, s: null },
      ];
      const publish = async (p: bigint, e: bigint, version: number) => (await store.write(v, timelineOf(rows, p, e), { timeline: { publishedAt: p, horizonEnd: e, version } })).statuses[0];
      const at = (ms: bigint) => T0 + ms * MS;
      expect(await publish(at(10n), at(20n), 2)).toBe('written');
      expect(await publish(at(5n), at(30n), 2)).toBe('stale'); // an older publish, even with a longer horizon
      expect(await publish(at(10n), at(15n), 2)).toBe('stale'); // same publish, shorter horizon
      expect(await publish(at(10n), at(20n), 2)).toBe('stale'); // equal: the stored one stays
      expect(await publish(at(10n), at(25n), 2)).toBe('written'); // same publish, longer horizon
      expect(await publish(at(12n), at(14n), 2)).toBe('written'); // a later publish of the same current row
      expect(await publish(at(11n), at(40n), 3)).toBe('written'); // a newer snapshot, though published earlier
      expect(await publish(at(30n), at(35n), 2)).toBe('stale'); // an older snapshot, though published later
      expect(await publish(at(60n), at(61n), 1)).toBe('written'); // a newer current row beats everything after it
      expect((await readAt(store, v, [1n], at(61n)))[0]!.values.v).toBe(2n);
      expect((await readAt(store, v, [1n], at(62n)))[0]!.status.v).toBe('stale');
      // A write without a timeline is ordered by its row, like any other.
      expect((await store.write(v, table([{ id: 1n, ets: at(50n), cts: T0 - 1n, deleted: false, v: 9n, s: null }]))).statuses).toEqual(['stale']);
      expect((await store.write(v, table([{ id: 1n, ets: at(51n), cts: T0, deleted: false, v: 9n, s: null }]))).statuses).toEqual(['written']);
    });

    it('splits a timeline too large for one item over parts read back as one, deletes replaced parts, and shortens past the part limit', async () => {
      const { harness, store, open } = await fresh({ maxItemBytes: 1200 });
      const v = view('split');
      const rows = Array.from({ length: 120 }, (_, i) => ({ id: 1n, ets: T0 + BigInt(i) * MS, cts: T0, deleted: i % 17 === 5, v: BigInt(i), s: 'x'.repeat(i % 13) }));
      rows.push({ id: 2n, ets: T0, cts: T0, deleted: false, v: -1n, s: 'small' });
      const P = T0;
      const E = T0 + 200n * MS;
      const written = await store.write(v, timelineOf(rows, P, E), { timeline: { publishedAt: P, horizonEnd: E } });
      expect(written.timeline).toMatchObject({ written: 2, split: 1, shortened: [] });
      const parts = (await harness.keys(`${v.name}#1#part-`)).length;
      expect(parts).toBeGreaterThan(2);
      for (let i = 0; i < rows.length - 1; i += 7) {
        const t = T0 + BigInt(i) * MS + 1n;
        const [one, two] = await readAt(store, v, [1n, 2n], t);
        const want = expected(rows, 1n, t, null);
        expect([i, one!.status.v, one!.values.v, one!.values.s]).toEqual([i, want.status, want.v, want.s]);
        expect(two!.values.s).toBe('small');
      }
      // A later publish of a shorter timeline fits one item: the parts it replaced are gone.
      const shorter = rows.filter((r) => r.ets >= T0 + 115n * MS || r.id === 2n);
      await store.write(v, timelineOf(shorter, T0 + 116n * MS, T0 + 120n * MS), { timeline: { publishedAt: T0 + 116n * MS, horizonEnd: T0 + 120n * MS } });
      expect(await harness.keys(`${v.name}#1#part-`)).toEqual([]);
      expect((await readAt(store, v, [1n], T0 + 119n * MS))[0]!.values.v).toBe(119n);
      // At most two parts: the rest of the horizon is not stored, and reads there are stale, never silently old.
      const capped = await open({ maxItemBytes: 1200, maxParts: 2 });
      const w = view('capped');
      const result = await capped.write(w, timelineOf(rows, P, E), { timeline: { publishedAt: P, horizonEnd: E } });
      expect(result.timeline!.shortened).toHaveLength(1);
      const { key, horizonEnd } = result.timeline!.shortened[0]!;
      expect(key).toBe(`${w.name}#1`);
      expect(horizonEnd).toBeLessThan(E);
      expect(await harness.keys(`${w.name}#1#part-`)).toHaveLength(2);
      const last = rows.filter((r) => r.id === 1n && r.ets <= horizonEnd).at(-1)!;
      expect((await readAt(capped, w, [1n], horizonEnd))[0]!.values.v).toBe(last.deleted ? null : last.v);
      expect((await readAt(capped, w, [1n], horizonEnd + 1n))[0]!.status.v).toBe('stale');
    });

    it('refuses a row too large for any item, naming its key, and writes the other keys', async () => {
      const { store } = await fresh({ maxItemBytes: 1000 });
      const v = view('too_large');
      const rows = [
        { id: 1n, ets: T0, cts: T0, deleted: false, v: 1n, s: 'x'.repeat(2000) },
        { id: 2n, ets: T0, cts: T0, deleted: false, v: 2n, s: 'ok' },
      ];
      const error = await store.write(v, timelineOf(rows, T0, T0 + MS), { timeline: { publishedAt: T0, horizonEnd: T0 + MS } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreWriteError);
      expect((error as StoreWriteError).notWritten).toEqual([`${v.name}#1`]);
      expect((error as StoreWriteError).written).toEqual([`${v.name}#2`]);
      expect((error as Error).message).toMatch(/over .*1000/);
      expect((await readAt(store, v, [2n], T0))[0]!.values.s).toBe('ok');
    });

    it('reads an item from before timelines as one row known at its own instant only, and a timeline replaces it', async () => {
      const { harness, store } = await fresh();
      const v = view('legacy');
      await harness.putRaw({ pk: { S: `${v.name}#1` }, ets: { N: String(T0) }, cts: { N: String(T0) }, 'f:v': { N: '5' }, 'f:s': { S: 'old' } });
      await harness.putRaw({ pk: { S: `${v.name}#2` }, ets: { N: String(T0) }, cts: { N: String(T0) }, del: { BOOL: true } });
      const [atRow, deleted] = await readAt(store, v, [1n, 2n], T0);
      expect([atRow!.status.v, atRow!.values.v, atRow!.values.s, deleted!.status.v]).toEqual(['present', 5n, 'old', 'missing']);
      expect(atRow!.timeline).toEqual({ publishedAt: null, horizonEnd: T0, digest: null });
      // Its publish instant was not recorded, so later it may be out of date: stale, never a silently old value.
      expect((await readAt(store, v, [1n], T0 + 1n))[0]!.status).toEqual({ v: 'stale', s: 'stale' });
      expect((await readAt(store, v, [1n], T0 - 1n))[0]!.status.v).toBe('missing');
      const rows = [{ id: 1n, ets: T0, cts: T0, deleted: false, v: 5n, s: 'old' }];
      const P = T0 + 100n * MS;
      expect((await store.write(v, timelineOf(rows, P, P + MS), { timeline: { publishedAt: P, horizonEnd: P + MS } })).statuses).toEqual(['written']);
      expect((await readAt(store, v, [1n], P + MS))[0]!.values.v).toBe(5n);
    });

    it('refuses malformed timelines before writing anything', async () => {
      const { store } = await fresh();
      const v = view('malformed');
      const rows = (times: readonly bigint[]) => table(times.map((ets, i) => ({ id: 1n, ets, cts: T0, deleted: false, v: BigInt(i), s: null })));
      const timeline = (p: bigint, e: bigint): OnlineTimelineOptions => ({ publishedAt: p, horizonEnd: e });
      await expect(store.write(v, rows([T0, T0 + 1n]), { timeline: timeline(T0 + 5n, T0 + 9n) })).rejects.toThrow(/both at or before the publish instant/);
      await expect(store.write(v, rows([T0 + 6n, T0 + 6n]), { timeline: timeline(T0 + 5n, T0 + 9n) })).rejects.toThrow(/same event_ts/);
      await expect(store.write(v, rows([T0, T0 + 10n]), { timeline: timeline(T0 + 5n, T0 + 9n) })).rejects.toThrow(/after the timeline's horizon end/);
      await expect(store.write(v, rows([T0]), { timeline: timeline(T0 + 5n, T0 + 4n) })).rejects.toThrow(InvalidInputError);
      await expect(store.write(v, rows([T0]), { timeline: { ...timeline(T0, T0), version: -1 } })).rejects.toThrow(/version/);
      expect((await readAt(store, v, [1n], T0))[0]!.status.v).toBe('missing');
    });

    it('property: after concurrent publishes (split or not), each key holds the timeline with the greatest order key, whole', async () => {
      const { open } = await fresh();
      const handles = await Promise.all([open({ maxItemBytes: 900 }), open({ maxItemBytes: 900 }), open()]);
      const publish = fc.record({
        p: fc.integer({ min: 0, max: 6 }),
        h: fc.integer({ min: 0, max: 40 }),
        version: fc.integer({ min: 1, max: 3 }),
        // A later snapshot knows more rows: each publish sees a prefix of the history of its version.
      });
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(publish, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 }), async (writers) => {
          const v = view('race');
          const history = (version: number): Row[] =>
            Array.from({ length: 12 * version }, (_, i) => ({ id: BigInt(1 + (i % 2)), ets: T0 + BigInt(i * 3) * MS, cts: T0 + BigInt(version) * MS, deleted: i % 11 === 10, v: BigInt(version * 1000 + i), s: 'y'.repeat(i % 9) }));
          const all = writers.flat().map((w) => ({ ...w, P: T0 + BigInt(w.p * 5) * MS, E: T0 + BigInt(w.p * 5 + w.h) * MS }));
          await Promise.all(
            writers.map(async (list, i) => {
              for (const w of list) {
                const P = T0 + BigInt(w.p * 5) * MS;
                const E = P + BigInt(w.h) * MS;
                await handles[i % handles.length]!.write(v, timelineOf(history(w.version), P, E), { timeline: { publishedAt: P, horizonEnd: E, version: w.version } });
              }
            }),
          );
          for (const id of [1n, 2n]) {
            // The winner by the order key: the current row at P, then version, P, E.
            const key = (w: (typeof all)[number]) => {
              const current = history(w.version).filter((r) => r.id === id && r.ets <= w.P).at(-1);
              return [current?.ets ?? -1n, current?.cts ?? -1n, BigInt(w.version), w.P, w.E] as const;
            };
            const greater = (a: readonly bigint[], b: readonly bigint[]) => {
              for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
              return false;
            };
            // Only publishes with a row of this key at or before their horizon wrote it.
            const wrote = all.filter((w) => history(w.version).some((r) => r.id === id && r.ets <= w.E));
            if (wrote.length === 0) {
              expect((await readAt(handles[2]!, v, [id], T0))[0]!.timeline).toBeUndefined();
              continue;
            }
            const winner = wrote.reduce((best, w) => (greater(key(w), key(best)) ? w : best));
            const read = (await readAt(handles[2]!, v, [id], winner.P)).at(0)!;
            expect([id, read.timeline?.publishedAt, read.timeline?.horizonEnd]).toEqual([id, winner.P, winner.E]);
            for (let t = winner.P; t <= winner.E; t += 4n * MS) {
              const got = (await readAt(handles[(Number(t / MS) % 3)]!, v, [id], t))[0]!;
              const want = expected(history(winner.version), id, t, null);
              expect([id, t, got.status.v, got.values.v, got.values.s]).toEqual([id, t, want.status, want.v, want.s]);
            }
          }
        }),
        { numRuns: 15 },
      );
    });
  });
}
