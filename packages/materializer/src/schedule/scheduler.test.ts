import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LeaseLostError, type LeaseStore } from '@asof/core';
import { LocalObjectStore, ObjectLeaseStore } from '@asof/stores';
import { systemClock } from './clock.js';
import { CronSchedule } from './cron-schedule.js';
import { runSchedule, type RunRecord, type ScheduledJob } from './scheduler.js';
import { FakeClock } from './testing/fake-clock.js';
import { MemoryObjectStore } from './testing/memory-object-store.js';

const T0 = Date.parse('2024-03-01T00:00:00Z');
const EVERY_SECOND = '* * * * * *';

/** A job that takes `ms` on the clock (or until aborted) and records when it ran. */
function slowJob(clock: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> }, ms: number, log: Interval[], who = 'a'): ScheduledJob {
  return async ({ views, signal }) => {
    const start = clock.now();
    await clock.sleep(ms, signal);
    log.push({ who, views: [...views], start, end: clock.now() });
    signal.throwIfAborted();
  };
}

interface Interval {
  who: string;
  views: string[];
  start: number;
  end: number;
}

/** Fails if two runs of one view overlap in time. */
function expectNoOverlap(intervals: readonly Interval[]): void {
  const views = new Set(intervals.flatMap((i) => i.views));
  for (const view of views) {
    const of = intervals.filter((i) => i.views.includes(view)).sort((a, b) => a.start - b.start);
    for (let k = 1; k < of.length; k++) expect(of[k]!.start, `runs of ${view} overlap`).toBeGreaterThanOrEqual(of[k - 1]!.end);
  }
}

describe('CronSchedule', () => {
  it('computes ticks in UTC, with optional seconds', () => {
    expect(new CronSchedule('0 3 * * *').next(Date.parse('2024-03-01T05:00:00Z'))).toBe(Date.parse('2024-03-02T03:00:00Z'));
    expect(new CronSchedule(EVERY_SECOND).next(T0 + 500)).toBe(T0 + 1000);
    expect(new CronSchedule(EVERY_SECOND).next(T0 + 1000)).toBe(T0 + 2000);
  });

  it('rejects a malformed expression with a readable message', () => {
    expect(() => new CronSchedule('61 * * * *')).toThrow(/invalid cron expression "61 \* \* \* \*": Invalid value for minute: 61/);
    expect(() => new CronSchedule('often')).toThrow(/invalid cron expression/);
  });
});

describe('runSchedule (fake clock)', () => {
  const leasesOn = (objects: MemoryObjectStore, clock: FakeClock): LeaseStore => new ObjectLeaseStore(objects, { now: () => clock.now() });

  it('skips ticks while the previous run of a view is still going, so runs never overlap', async () => {
    const clock = new FakeClock(T0);
    const leases = leasesOn(new MemoryObjectStore(), clock);
    const intervals: Interval[] = [];
    const leaseHolders: (string | undefined)[] = [];
    const done = runSchedule({ cron: EVERY_SECOND, views: ['spend'], job: slowJob(clock, 2500, intervals), leases, holder: 'me', clock, maxTicks: 7 });
    for (let i = 0; i < 12; i++) {
      await clock.advance(1000);
      leaseHolders.push((await leases.current('spend'))?.holder);
    }
    const result = await done;
    expect(result.ticks).toBe(7);
    expect(result.runs.map((r) => [r.tick.slice(17, 19), r.status])).toEqual([
      ['01', 'succeeded'],
      ['04', 'succeeded'],
      ['07', 'succeeded'],
    ]);
    expect(result.skipped.map((s) => [s.tick.slice(17, 19), s.reason])).toEqual([
      ['02', 'running'],
      ['03', 'running'],
      ['05', 'running'],
      ['06', 'running'],
    ]);
    expectNoOverlap(intervals);
    expect(leaseHolders.slice(0, 3)).toEqual(['me', 'me', 'me']); // held through the run (00:01-00:03.5)
    expect(await leases.current('spend')).toBeNull(); // released at the end
  });

  it('keeps two schedulers sharing a lease store from running one view at once', async () => {
    const clock = new FakeClock(T0);
    const objects = new MemoryObjectStore();
    const intervals: Interval[] = [];
    const common = { cron: EVERY_SECOND, clock, maxTicks: 8 } as const;
    // 'mix' is contended; 'spend' and 'late' are each scheduled by one process only.
    const a = runSchedule({ ...common, views: ['spend', 'mix'], job: slowJob(clock, 2500, intervals, 'a'), leases: leasesOn(objects, clock), holder: 'a' });
    const b = runSchedule({ ...common, views: ['mix', 'late'], job: slowJob(clock, 1500, intervals, 'b'), leases: leasesOn(objects, clock), holder: 'b' });
    for (let i = 0; i < 14; i++) await clock.advance(1000);
    const [ra, rb] = await Promise.all([a, b]);
    expectNoOverlap(intervals);
    expect(new Set(intervals.flatMap((i) => i.views))).toEqual(new Set(['spend', 'mix', 'late']));
    expect(rb.runs.length).toBeGreaterThanOrEqual(3); // 'late' is never blocked by a's runs
    const held = [...ra.skipped, ...rb.skipped].filter((s) => s.reason === 'held');
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((s) => s.view === 'mix' && (s.holder === 'a' || s.holder === 'b'))).toBe(true);
  });

  it('takes over the lease of a crashed holder once its TTL has passed, not before', async () => {
    const clock = new FakeClock(T0);
    const leases = leasesOn(new MemoryObjectStore(), clock);
    await leases.acquire('spend', 'crashed-host:1', 5000); // never renewed, never released
    const intervals: Interval[] = [];
    const done = runSchedule({ cron: EVERY_SECOND, views: ['spend'], job: slowJob(clock, 200, intervals), leases, holder: 'me', clock, leaseTtlMs: 5000, maxTicks: 7 });
    for (let i = 0; i < 8; i++) await clock.advance(1000);
    const result = await done;
    expect(result.skipped.filter((s) => s.reason === 'held').map((s) => s.holder)).toEqual(Array(5).fill('crashed-host:1'));
    expect(result.runs.map((r) => r.tick)).toEqual([new Date(T0 + 6000).toISOString(), new Date(T0 + 7000).toISOString()]);
  });

  it('renews the lease while a run outlasts its TTL, so nobody else can take it', async () => {
    const clock = new FakeClock(T0);
    const objects = new MemoryObjectStore();
    const leases = leasesOn(objects, clock);
    const contender = leasesOn(objects, clock);
    const done = runSchedule({ cron: EVERY_SECOND, views: ['spend'], job: slowJob(clock, 10_000, []), leases, holder: 'me', clock, leaseTtlMs: 3000, maxTicks: 1 });
    const attempts: (string | null)[] = [];
    for (let i = 0; i < 10; i++) {
      await clock.advance(1000);
      if (i >= 1) attempts.push((await contender.acquire('spend', 'contender', 3000))?.holder ?? null);
    }
    expect(attempts.every((a) => a === null)).toBe(true); // 9 s into a run with a 3 s TTL
    await clock.advance(2000);
    const result = await done;
    expect(result.runs[0]!.status).toBe('succeeded');
    expect(await contender.acquire('spend', 'contender', 3000)).not.toBeNull(); // released
  });

  it('aborts a run whose lease is lost and records it', async () => {
    const clock = new FakeClock(T0);
    const inner = leasesOn(new MemoryObjectStore(), clock);
    const leases: LeaseStore = {
      describe: () => inner.describe(),
      acquire: (...a) => inner.acquire(...a),
      release: (...a) => inner.release(...a),
      current: (...a) => inner.current(...a),
      renew: async (lease) => Promise.reject(new LeaseLostError(lease.name, 'taken over in a test')),
    };
    const ended: RunRecord[] = [];
    const done = runSchedule({ cron: EVERY_SECOND, views: ['spend'], job: slowJob(clock, 60_000, []), leases, clock, leaseTtlMs: 3000, maxTicks: 1, onRunEnd: (r) => ended.push(r) });
    for (let i = 0; i < 4; i++) await clock.advance(1000);
    const result = await done;
    expect(result.runs[0]).toMatchObject({ status: 'lease-lost' });
    expect(result.runs[0]!.error).toBeInstanceOf(LeaseLostError);
    expect(result.runs[0]!.endedAt - result.runs[0]!.startedAt).toBe(1000); // the first heartbeat, a third of the TTL
    expect(ended).toHaveLength(1);
  });

  it('stops on abort: the running job sees the signal, its lease is released, the scheduler returns', async () => {
    const clock = new FakeClock(T0);
    const leases = leasesOn(new MemoryObjectStore(), clock);
    const stop = new AbortController();
    const done = runSchedule({ cron: EVERY_SECOND, views: ['spend'], job: slowJob(clock, 60_000, []), leases, clock, signal: stop.signal });
    await clock.advance(1500);
    expect(await leases.current('spend')).not.toBeNull();
    stop.abort();
    const result = await done;
    expect(result.runs.map((r) => r.status)).toEqual(['aborted']);
    expect(await leases.current('spend')).toBeNull();
  });
});

describe('runSchedule (real time, every second)', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('never overlaps runs of a view across two schedulers when each run takes longer than the interval', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'asof-schedule-'));
    dirs.push(dir);
    const intervals: Interval[] = [];
    const run = (who: string) =>
      runSchedule({
        cron: EVERY_SECOND,
        views: ['spend'],
        job: slowJob(systemClock, 1600, intervals, who),
        leases: new ObjectLeaseStore(new LocalObjectStore(dir)),
        holder: who,
        maxTicks: 4,
      });
    const [a, b] = await Promise.all([run('a'), run('b')]);
    expectNoOverlap(intervals);
    expect(intervals.length).toBeGreaterThanOrEqual(2);
    expect([...a.skipped, ...b.skipped].length).toBeGreaterThanOrEqual(4);
  }, 15_000);
});
