import type { Lease, LeaseStore } from '@asof/core';
import { silentLogger, type Logger } from '../engine/logger.js';
import { systemClock, type Clock } from './clock.js';
import { CronSchedule } from './cron-schedule.js';
import { newHolderId } from './holder-id.js';
import { LeaseHeartbeat } from './lease-heartbeat.js';

/** One run the scheduler starts: the views whose leases it holds, at one tick. */
export interface ScheduledRun {
  readonly views: readonly string[];
  /** The cron tick (not the wall clock when the run started): a backfill window can end here reproducibly. */
  readonly tick: Date;
  /** Aborted when the schedule is stopped or a lease of the run is lost (`reason` is the `LeaseLostError`). */
  readonly signal: AbortSignal;
}

/** The work of a run; it rejects when the run failed. */
export type ScheduledJob = (run: ScheduledRun) => Promise<unknown>;

/** Options of {@link runSchedule}. */
export interface ScheduleOptions {
  /** A cron expression (UTC) or a parsed one. */
  readonly cron: CronSchedule | string;
  /** The views each tick tries to run, each under its own lease. */
  readonly views: readonly string[];
  readonly job: ScheduledJob;
  readonly leases: LeaseStore;
  /** This process's holder id (default `host:pid:random`). */
  readonly holder?: string;
  /** A crashed holder blocks a view at most this long (default 10 minutes); renewed every third of it while a run lasts. */
  readonly leaseTtlMs?: number;
  /** Stop after this many ticks (default: run until `signal` aborts). */
  readonly maxTicks?: number;
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Called as each run ends. */
  readonly onRunEnd?: (record: RunRecord) => void;
}

/** How one run went. */
export interface RunRecord {
  readonly tick: string;
  readonly views: readonly string[];
  readonly startedAt: number;
  readonly endedAt: number;
  /** `lease-lost`: a lease expired or was taken mid-run and the run was aborted. */
  readonly status: 'succeeded' | 'failed' | 'lease-lost' | 'aborted';
  readonly error?: unknown;
  readonly result?: unknown;
}

/** A view a tick did not run, and why. */
export interface SkippedTick {
  readonly tick: string;
  readonly view: string;
  readonly reason: 'running' | 'held' | 'error';
  /** Who holds the lease (reason `held`), if known. */
  readonly holder?: string;
}

/** What {@link runSchedule} did. */
export interface ScheduleResult {
  readonly ticks: number;
  readonly runs: readonly RunRecord[];
  readonly skipped: readonly SkippedTick[];
}

/** Default lease TTL: long enough to ride out a slow renewal, short enough that a crash blocks a view only briefly. */
export const DEFAULT_LEASE_TTL_MS = 10 * 60_000;

/**
 * Runs `job` at every tick of a cron schedule until `signal` aborts (or
 * `maxTicks`), never running one view twice at once, in this process or
 * any other sharing the lease store:
 *
 * - a view whose previous run (here) is still going is skipped and logged;
 * - every other view is tried with `LeaseStore.acquire`; a view held
 *   elsewhere is skipped and logged, with its holder;
 * - the views acquired run together in one `job` call (so the pipeline can
 *   share one source snapshot), started without waiting for it: the next
 *   tick comes on time. A heartbeat renews the leases while it lasts and
 *   releases them at the end; a lost lease aborts the run's signal.
 *
 * Ticks missed while the process was busy are not caught up. When stopped,
 * the scheduler waits for running jobs (which see the aborted signal) and
 * their lease releases before it returns.
 */
export async function runSchedule(options: ScheduleOptions): Promise<ScheduleResult> {
  const cron = typeof options.cron === 'string' ? new CronSchedule(options.cron) : options.cron;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const holder = options.holder ?? newHolderId();
  const ttlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const stop = options.signal ?? new AbortController().signal;
  const running = new Map<string, Promise<void>>();
  const runs: RunRecord[] = [];
  const skipped: SkippedTick[] = [];
  let ticks = 0;

  const skip = (entry: SkippedTick) => {
    skipped.push(entry);
    const why = { running: 'its previous run is still going', held: 'another process holds its lease', error: 'its lease could not be checked' }[entry.reason];
    logger.info(`tick skipped for '${entry.view}': ${why}`, { ...entry });
  };

  const startRun = (views: string[], leases: Lease[], tick: Date) => {
    const lost = new AbortController();
    const signal = AbortSignal.any([stop, lost.signal]);
    const heartbeat = new LeaseHeartbeat({ store: options.leases, leases, ttlMs, clock, logger, onLost: (error) => lost.abort(error) });
    const startedAt = clock.now();
    logger.info('run started', { tick: tick.toISOString(), views, holder });
    const done = (async () => {
      let record: Omit<RunRecord, 'endedAt'>;
      try {
        const result = await options.job({ views, tick, signal });
        record = { tick: tick.toISOString(), views, startedAt, status: 'succeeded', result };
      } catch (error) {
        const status = lost.signal.aborted ? 'lease-lost' : stop.aborted ? 'aborted' : 'failed';
        record = { tick: tick.toISOString(), views, startedAt, status, error: lost.signal.aborted ? lost.signal.reason : error };
      } finally {
        await heartbeat.stopAndRelease();
        for (const view of views) running.delete(view);
      }
      const finished: RunRecord = { ...record, endedAt: clock.now() };
      runs.push(finished);
      const fields = { tick: finished.tick, views, status: finished.status, ms: finished.endedAt - startedAt, error: finished.error };
      if (finished.status === 'succeeded') logger.info('run finished', fields);
      else logger.error('run ended without success', fields);
      options.onRunEnd?.(finished);
    })();
    for (const view of views) running.set(view, done);
  };

  const onTick = async (tick: Date) => {
    const iso = tick.toISOString();
    const candidates = options.views.filter((view) => {
      if (!running.has(view)) return true;
      skip({ tick: iso, view, reason: 'running' });
      return false;
    });
    const acquired = await Promise.all(
      candidates.map(async (view) => {
        try {
          const lease = await options.leases.acquire(view, holder, ttlMs, { signal: stop });
          if (!lease) {
            const current = await options.leases.current(view).catch(() => null);
            skip({ tick: iso, view, reason: 'held', ...(current ? { holder: current.holder } : {}) });
          }
          return lease;
        } catch (error) {
          if (stop.aborted) return null;
          logger.warn('lease check failed', { view, error });
          skip({ tick: iso, view, reason: 'error' });
          return null;
        }
      }),
    );
    const leases = acquired.filter((l): l is Lease => l !== null);
    if (stop.aborted) {
      await Promise.all(leases.map((lease) => options.leases.release(lease).catch(() => undefined)));
      return;
    }
    if (leases.length > 0) startRun(leases.map((l) => l.name), leases, tick);
  };

  logger.info('schedule started', { cron: cron.expression, views: options.views, holder, leaseTtlMs: ttlMs, leases: options.leases.describe() });
  let next = cron.next(clock.now());
  while (next !== null && !stop.aborted && (options.maxTicks === undefined || ticks < options.maxTicks)) {
    while (clock.now() < next && !stop.aborted) await clock.sleep(next - clock.now(), stop);
    if (stop.aborted) break;
    ticks++;
    await onTick(new Date(next));
    next = cron.next(Math.max(clock.now(), next));
  }
  await Promise.all(running.values());
  logger.info('schedule stopped', { ticks, runs: runs.length, skipped: skipped.length });
  return { ticks, runs, skipped };
}

