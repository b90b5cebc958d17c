import { AsofError, formatDuration } from '@asof/core';
import { isInternalTable, retentionMark } from '@asof/stores';
import { durationArg, listArg, numberArg } from '../args.js';
import { UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { formatMs, ViewsFailedError } from '../run-summary.js';
import { renderTable, type Cell } from '../text-table.js';
import { RETENTION_COLUMNS, reportRetention, retentionRow, type RetentionReport } from './retention-report.js';

/**
 * `asof compact`: merges each view's small files per partition into files
 * near the target size, as one `compact` commit per view (rows and their
 * order unchanged; older versions stay readable until vacuumed). With
 * `--keep-full`, it first applies the retention policy to each feature view
 * as its own commit: full history for that long, then (with
 * `--keep-coarse`) the last row per entity per month for that much longer,
 * then nothing; reads older than that fail with a RetentionError instead of
 * answering wrongly. Internal tables (source mirrors `_source.*`, the root's `_meta.*` records)
 * are never coarsened: the
 * materializer recomputes from them. A second table reports, per view,
 * what retention removed (files, rows) and the periods it kept, as dates
 * and days. A view that fails does not stop the others; the command then
 * exits 1.
 */
export const compactCommand: Command = {
  name: 'compact',
  summary: 'merge small Parquet files of each view into larger ones (one commit per view)',
  usage: 'asof compact --root <dir|s3://…> [--view <name>]... [--target-file-mb <n>] [--keep-full <duration> [--keep-coarse <duration>]]',
  options: {
    view: { type: 'string', multiple: true, value: '<name>', description: 'compact only these views (default: every view in the store)' },
    'target-file-mb': { type: 'string', value: '<n>', description: 'aim for files of about this many MiB (default 128)' },
    'keep-full': { type: 'string', value: '<duration>', description: 'retention: keep full history this long (e.g. 365d)' },
    'keep-coarse': { type: 'string', value: '<duration>', description: 'retention: then keep the last row per entity per month this much longer (default: forever)' },
  },
  needsRoot: true,
  async run(ctx, args) {
    const targetMb = numberArg(args, 'target-file-mb', compactCommand);
    const fullMs = durationArg(args, 'keep-full', compactCommand);
    const coarseMs = durationArg(args, 'keep-coarse', compactCommand);
    if (coarseMs !== undefined && fullMs === undefined) throw new UsageError('--keep-coarse needs --keep-full', compactCommand.usage);
    const applied = fullMs === undefined ? null : await ctx.appliedRegistry();
    if (fullMs !== undefined && !applied) throw new AsofError('CONFIG', "retention needs the views' entity keys: run 'asof apply' first");
    const store = await ctx.store();
    const views = listArg(args, 'view');
    const targets = views.length > 0 ? views : await store.views({ signal: ctx.signal });
    if (targets.length === 0) throw new AsofError('CONFIG', `no views to compact in ${store.describe()}`);
    const rows: Cell[][] = [];
    const retention: RetentionReport[] = [];
    const failed: { view: string; error: Error }[] = [];
    for (const [i, view] of targets.entries()) {
      ctx.progress.update('compact', i, targets.length, 'views');
      const started = performance.now();
      try {
        if (fullMs !== undefined && !isInternalTable(view)) {
          const keys = applied!.registry.getFeatureView(view).joinKeyNames;
          const policy = { keys, fullMs, ...(coarseMs !== undefined ? { coarseMs } : {}), now: ctx.now() };
          const retained = await store.applyRetention(view, policy, { signal: ctx.signal });
          const report = await reportRetention(store, view, retained, retentionMark(policy), ctx.signal);
          retention.push(report);
          ctx.logger.info(retained ? 'retention applied' : 'retention found nothing to remove', {
            view,
            version: report.version,
            filesRemoved: report.filesRemoved,
            filesAdded: report.filesAdded,
            rowsRemoved: report.rowsRemoved,
            keepFull: formatDuration(fullMs),
            keepCoarse: coarseMs === undefined ? 'forever' : formatDuration(coarseMs),
          });
        }
        const commit = await store.compact(view, { signal: ctx.signal, ...(targetMb ? { targetFileBytes: Math.round(targetMb * 1024 * 1024) } : {}) });
        const ms = performance.now() - started;
        rows.push([view, commit ? 'compacted' : 'unchanged', commit?.version ?? null, commit?.added.length ?? 0, commit?.removed.length ?? 0, formatMs(ms)]);
        ctx.logger.info(commit ? 'view compacted' : 'view needs no compaction', { view, version: commit?.version, ms: Math.round(ms) });
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        failed.push({ view, error: error as Error });
        rows.push([view, `failed: ${(error as Error).message}`, null, null, null, formatMs(performance.now() - started)]);
        ctx.logger.error('compaction failed', { view, error });
      }
    }
    ctx.progress.update('compact', targets.length, targets.length, 'views');
    ctx.progress.stop();
    ctx.print(renderTable(['view', 'status', 'version', 'files +', 'files -', 'time'], rows));
    if (retention.length > 0) ctx.print(renderTable(RETENTION_COLUMNS, retention.map(retentionRow)));
    if (failed.length > 0) {
      throw new ViewsFailedError(failed, targets.length);
    }
  },
};
