import { AsofError, InvalidInputError } from '@asof/core';
import { durationArg, flagArg, listArg, numberArg, requiredArg, stringArg } from '../args.js';
import { codeOf, UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { requirePipeline } from '../pipeline-binding.js';
import type { RunSummary } from '../../engine/pipeline-port.js';
import { resolveTarget } from '../resolve-target.js';
import { assertAllSucceeded, formatMs, runHooks, ViewsFailedError } from '../run-summary.js';
import { renderTable } from '../text-table.js';
import { CronSchedule } from '../../schedule/cron-schedule.js';
import { runSchedule } from '../../schedule/scheduler.js';

/** Runs kept for the final table; older ones are only in the logs. */
const TABLE_RUNS = 50;

/**
 * `asof schedule --cron "<expr>"`: runs the views at every cron tick (UTC)
 * until Ctrl-C (or `--max-ticks`), never two runs of one view at once,
 * across every process scheduling the same root (a lease per view; see
 * `runSchedule`). With `--incremental` each run continues from the view's
 * watermark; otherwise it backfills the `--lookback` window ending at the
 * tick (default 1d), which replaces rather than duplicates.
 */
export const scheduleCommand: Command = {
  name: 'schedule',
  summary: 'materialize at every cron tick (UTC), never two runs of a view at once',
  usage:
    'asof schedule --root <dir|s3://…> --cron "<expr>" [--incremental | --lookback <duration>] [--view <name>]... [--lease-ttl <duration>] [--max-ticks <n>]',
  options: {
    cron: { type: 'string', value: '"<expr>"', description: 'cron expression in UTC; 5 fields, or 6 with seconds first (required)' },
    incremental: { type: 'boolean', description: 'each run continues from the last committed watermark' },
    lookback: { type: 'string', value: '<duration>', description: 'without --incremental: backfill [tick - lookback, tick) (default 1d)' },
    view: { type: 'string', multiple: true, value: '<name>', description: 'schedule only these views (default: all)' },
    'lease-ttl': { type: 'string', value: '<duration>', description: 'a crashed scheduler blocks a view at most this long (default 10m)' },
    'max-ticks': { type: 'string', value: '<n>', description: 'stop after n ticks (default: run until interrupted)' },
  },
  needsRoot: true,
  async run(ctx, args) {
    let cron: CronSchedule;
    try {
      cron = new CronSchedule(requiredArg(args, 'cron', scheduleCommand));
    } catch (error) {
      if (error instanceof InvalidInputError) throw new UsageError(error.message, scheduleCommand.usage);
      throw error;
    }
    const incremental = flagArg(args, 'incremental');
    if (incremental && stringArg(args, 'lookback') !== undefined) throw new UsageError('--lookback applies only without --incremental', scheduleCommand.usage);
    const lookbackUs = BigInt(durationArg(args, 'lookback', scheduleCommand, '1d')!) * 1000n;
    const leaseTtlMs = durationArg(args, 'lease-ttl', scheduleCommand, '10m')!;
    const maxTicks = numberArg(args, 'max-ticks', scheduleCommand);
    if (maxTicks !== undefined && !Number.isInteger(maxTicks)) throw new UsageError('--max-ticks must be a whole number', scheduleCommand.usage);

    const pipeline = requirePipeline(ctx);
    const target = await resolveTarget(ctx, listArg(args, 'view'));
    const leases = await ctx.leases();
    const result = await runSchedule({
      cron,
      views: target.views,
      leases,
      leaseTtlMs,
      signal: ctx.signal,
      logger: ctx.logger,
      ...(maxTicks !== undefined ? { maxTicks } : {}),
      job: async ({ views, tick, signal }) => {
        const hooks = runHooks(ctx, signal);
        const request = { ...target, views };
        const end = BigInt(tick.getTime()) * 1000n;
        const summaries = incremental
          ? await pipeline.materializeIncremental(request, hooks)
          : await pipeline.materialize({ ...request, start: end - lookbackUs, end }, hooks);
        for (const s of summaries) ctx.progress.finish(s.view);
        assertAllSucceeded(summaries);
        return summaries;
      },
    });
    ctx.progress.stop();
    const rows = result.runs.slice(-TABLE_RUNS).map((run) => {
      const summaries = Array.isArray(run.result) ? (run.result as RunSummary[]) : [];
      // The code says why (COMMIT_CONFLICT: another run committed first), so a lost race reads as one, not as a crash.
      const status = run.status === 'succeeded' ? 'ok' : `${run.status} (${codeOf(run.error)}): ${(run.error as Error | undefined)?.message ?? ''}`;
      return [run.tick, run.views.join(', '), status, summaries.reduce((n, s) => n + s.rowsWritten, 0), formatMs(run.endedAt - run.startedAt)];
    });
    ctx.print(renderTable(['tick', 'views', 'status', 'rows written', 'time'], rows));
    ctx.print(`${result.ticks} tick(s), ${result.runs.length} run(s), ${result.skipped.length} view tick(s) skipped (still running or held elsewhere)`);
    const failed = result.runs.filter((r) => r.status === 'failed' || r.status === 'lease-lost');
    if (failed.length > 0 && !ctx.signal.aborted) {
      const last = failed.at(-1)!.error;
      // A failed view's own code (e.g. COMMIT_CONFLICT) when it has one.
      const typed = last instanceof ViewsFailedError ? last.cause : last;
      throw new AsofError(
        typed instanceof AsofError ? typed.code : 'STORE_WRITE',
        `${failed.length} of ${result.runs.length} scheduled run(s) failed; last: ${(last as Error | undefined)?.message ?? 'unknown error'}`,
        { cause: last },
      );
    }
  },
};
