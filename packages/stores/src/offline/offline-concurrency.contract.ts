/**
 * The commit rule of the offline store contract (DESIGN §5, run by
 * `describeOfflineStore`): a diff computed against version N may only
 * become N+1, past compactions only; a plain append moves past anything;
 * an empty commit records a watermark without changing rows.
 */
import { expect, it } from 'vitest';
import { ConcurrentCommitError, InvalidInputError, type OfflineStore } from '@asof/core';
import {
  append,
  batchOf,
  beforeFirstLogWrite,
  dataFiles,
  DAY_US,
  LogListingBarrier,
  makeRows,
  sorted,
  T0,
  visible,
  type OfflineStoreHarness,
  type Row,
} from '../testing/fixtures.js';

/** Writes `rows` as a diff computed against `readVersion`. */
async function diffAppend(store: OfflineStore, rows: readonly Row[], readVersion: number) {
  const w = store.beginWrite('v');
  await w.writeBatch(batchOf(rows));
  return w.commit({ operation: 'append', readVersion, watermark: { diff: readVersion } });
}

/** Data files in the view that no commit references (a losing writer's leftovers). */
async function orphans(store: OfflineStore): Promise<string[]> {
  const removed = new Set((await store.history('v')).flatMap((c) => c.removed.map((p) => `views/v/${p}`)));
  const dry = await store.vacuum({ graceMs: 0, dryRun: true, now: Date.now() + 60_000 });
  return dataFiles(dry.deleted).filter((k) => !removed.has(k));
}

/** Registers the commit-rule tests inside the caller's `describe`. */
export function describeOfflineConcurrency(factory: () => Promise<OfflineStoreHarness>): void {
  it('a diff append loses to an append that landed after its base: ConcurrentCommitError naming the winner, nothing of it visible, its files deleted', async () => {
    const h = await factory();
    const [mine, theirs] = await Promise.all([h.open(), h.open()]);
    const a = makeRows(40, { seed: 50 });
    const b = makeRows(30, { seed: 51 });
    await append(mine, 'v', a);
    const base = await mine.snapshot('v');
    await append(theirs, 'v', b);
    const error = await diffAppend(mine, makeRows(20, { seed: 52 }), base.version).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrentCommitError);
    expect(error).toMatchObject({ code: 'COMMIT_CONFLICT', view: 'v', readVersion: 1, committedVersion: 2, conflictingVersions: [2] });
    expect((error as Error).message).toMatch(/^another run committed version 2 of 'v' first \(append at .*\); this commit was computed against version 1 and was not applied: re-run to build on it$/);
    expect((await mine.snapshot('v')).version).toBe(2);
    expect(await visible(await h.open(), 'v')).toEqual(sorted([...a, ...b]));
    expect(await orphans(mine)).toEqual([]);
  });

  it('two diff appends computed against the same version race: one becomes the next version, the other gets ConcurrentCommitError', async () => {
    const h = await factory();
    await append(await h.open(), 'v', makeRows(10, { seed: 53 }));
    const barrier = new LogListingBarrier(2);
    const [s1, s2] = await Promise.all([h.open({ wrap: (o) => barrier.wrap(o) }), h.open({ wrap: (o) => barrier.wrap(o) })]);
    const a = makeRows(25, { seed: 54 });
    const b = makeRows(35, { seed: 55 });
    const results = await Promise.allSettled([diffAppend(s1, a, 1), diffAppend(s2, b, 1)]);
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(won.map((c) => [c.version, c.readVersion])).toEqual([[2, 1]]);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(ConcurrentCommitError);
    expect(lost[0]).toMatchObject({ readVersion: 1, committedVersion: 2 });
    const reader = await h.open();
    expect(await visible(reader, 'v')).toEqual(sorted([...makeRows(10, { seed: 53 }), ...(results[0]!.status === 'fulfilled' ? a : b)]));
    expect((await reader.snapshot('v')).version).toBe(2);
    expect(await orphans(reader)).toEqual([]);
  });

  it('a diff append moves past a compaction (rows unchanged), landed before it or racing it', async () => {
    const h = await factory();
    const store = await h.open();
    const all: Row[] = [];
    for (let i = 0; i < 3; i++) {
      const rows = makeRows(30, { seed: 60 + i, days: 1 });
      all.push(...rows);
      await append(store, 'v', rows);
    }
    const compacted = await store.compact('v');
    expect(compacted?.operation).toBe('compact');
    const late = makeRows(15, { seed: 63, days: 1 });
    const commit = await diffAppend(store, late, 3);
    expect([commit.version, commit.readVersion]).toEqual([5, 3]);
    all.push(...late);
    expect(await visible(store, 'v')).toEqual(sorted(all));

    // Racing: both plan against version 6; whichever wins, the other still commits.
    const more = makeRows(20, { seed: 64, days: 1 });
    await append(store, 'v', more);
    all.push(...more);
    const barrier = new LogListingBarrier(2);
    const [s1, s2] = await Promise.all([h.open({ wrap: (o) => barrier.wrap(o) }), h.open({ wrap: (o) => barrier.wrap(o) })]);
    const last = makeRows(10, { seed: 65, days: 1 });
    const [c1, c2] = await Promise.all([s1.compact('v'), diffAppend(s2, last, 6)]);
    all.push(...last);
    expect([c1!.version, c2.version].sort()).toEqual([7, 8]);
    expect(c2.readVersion).toBe(6);
    expect(await visible(await h.open(), 'v')).toEqual(sorted(all));
  });

  it('a diff append conflicts with a retention, a replace or an empty watermark commit after its base; a plain append moves past all of them', async () => {
    const h = await factory();
    const store = await h.open();
    const start = T0 - 90n * DAY_US;
    await append(store, 'v', makeRows(60, { seed: 70, start, days: 90 }));
    const winners: [string, () => Promise<unknown>][] = [
      ['retention', () => store.applyRetention('v', { keys: ['account_id'], fullMs: 30 * 86_400_000, now: T0 })],
      ['replace', () => store.replaceInterval('v', { start: T0 - DAY_US, end: T0 }, [batchOf(makeRows(5, { seed: 71, start: T0 - DAY_US, days: 1 }))])],
      ['append', () => store.beginWrite('v').commit({ operation: 'append', watermark: { knownAt: '1' } })],
    ];
    for (const [operation, win] of winners) {
      const base = (await store.snapshot('v')).version;
      const winner = (await win()) as { version: number; operation: string } | null;
      expect(winner?.operation).toBe(operation);
      const before = await visible(store, 'v');
      const error = await diffAppend(store, makeRows(5, { seed: 72 }), base).catch((e: unknown) => e);
      expect(error, operation).toBeInstanceOf(ConcurrentCommitError);
      expect((error as ConcurrentCommitError).committedVersion).toBe(winner!.version);
      expect((error as Error).message).toContain(`(${operation} at `);
      expect(await visible(store, 'v')).toEqual(before);
    }
    const plain = makeRows(5, { seed: 73 });
    const before = await visible(store, 'v');
    const commit = await append(store, 'v', plain);
    expect(commit.readVersion).toBe(commit.version - 1);
    expect(await visible(store, 'v')).toEqual([...before, ...sorted(plain)].sort());
    expect(await orphans(store)).toEqual([]);
  });

  it('a retention that loses to an append of rows older than its cut-off plans again, so it coarsens those rows too', async () => {
    const policy = { keys: ['account_id'], fullMs: 30 * 86_400_000, now: T0 };
    const old = makeRows(60, { seed: 80, start: T0 - 90n * DAY_US, days: 60 });
    const late = makeRows(30, { seed: 81, start: T0 - 80n * DAY_US, days: 40, created: T0 });
    const reference = await (await factory()).open();
    await append(reference, 'v', old);
    await append(reference, 'v', late);
    await reference.applyRetention('v', policy);

    const h = await factory();
    await append(await h.open(), 'v', old);
    const other = await h.open();
    const store = await h.open({ wrap: (o) => beforeFirstLogWrite(o, 'v', () => append(other, 'v', late)) });
    const commit = await store.applyRetention('v', policy); // planned on version 1, claims after the append landed as 2
    expect(commit).toMatchObject({ version: 3, operation: 'retention' });
    expect(await visible(await h.open(), 'v')).toEqual(await visible(reference, 'v'));
    expect(await orphans(store)).toEqual([]);
  });

  it('refuses a readVersion the log does not have', async () => {
    const store = await (await factory()).open();
    await append(store, 'v', makeRows(5, { seed: 74 }));
    for (const bad of [2, -1, 0.5]) await expect(diffAppend(store, makeRows(5, { seed: 75 }), bad)).rejects.toBeInstanceOf(InvalidInputError);
    expect((await store.snapshot('v')).version).toBe(1);
  });

  it('an empty commit records its watermark and changes no rows; reads, history, compaction, retention and vacuum take it in stride', async () => {
    const h = await factory();
    const store = await h.open();
    const rows = makeRows(40, { seed: 76, days: 1 });
    await append(store, 'v', rows.slice(0, 20), { knownAt: '1' });
    await append(store, 'v', rows.slice(20), { knownAt: '2' });
    const before = await store.snapshot('v');
    const mark = await store.beginWrite('v').commit({ operation: 'append', readVersion: before.version, watermark: { knownAt: '3' }, definitionHash: 'h1' });
    expect(mark).toMatchObject({ version: 3, readVersion: 2, added: [], removed: [], watermark: { knownAt: '3' } });
    const reader = await h.open();
    const after = await reader.snapshot('v');
    expect(after.files).toEqual(before.files);
    expect(after.watermark).toEqual({ knownAt: '3' });
    expect((await reader.history('v')).map((c) => c.added.length > 0)).toEqual([true, true, false]);
    expect(await visible(reader, 'v')).toEqual(sorted(rows));
    expect(await visible(reader, 'v', { snapshot: { version: 2 } })).toEqual(sorted(rows));
    expect((await reader.compact('v'))?.operation).toBe('compact');
    expect((await reader.snapshot('v')).watermark).toEqual({ knownAt: '3' }); // a compaction records none of its own
    expect(await reader.applyRetention('v', { keys: ['account_id'], fullMs: 0, now: T0 - DAY_US })).toBeNull();
    const vacuumed = await reader.vacuum({ graceMs: 0, now: Date.now() + 60_000 });
    expect(dataFiles(vacuumed.deleted)).toHaveLength(2); // the two files the compaction merged
    expect(await visible(reader, 'v')).toEqual(sorted(rows));
  });
}
