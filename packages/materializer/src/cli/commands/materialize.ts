import { UsageError } from '../cli-errors.js';
import { flagArg, instantArg, listArg } from '../args.js';
import type { Command } from '../command.js';
import { requirePipeline } from '../pipeline-binding.js';
import { REBASE_SOURCE_OPTION } from './rebase-source-option.js';
import { resolveTarget } from '../resolve-target.js';
import { reportRuns, runHooks } from '../run-summary.js';

/**
 * `asof materialize --start --end`: backfills `[start, end)` for the given
 * views (default: all), one replace commit per view, so re-running an
 * interval never duplicates rows. Instants need an offset (`Z`, `+02:00`).
 */
export const materializeCommand: Command = {
  name: 'materialize',
  summary: 'backfill [start, end) of event time for feature views (idempotent per interval)',
  usage: 'asof materialize --root <dir|s3://…> --start <iso> --end <iso> [--view <name>]... [--definitions <module>] [--rebase-source]',
  options: {
    start: { type: 'string', value: '<iso>', description: 'first event time included, with offset, e.g. 2024-01-01T00:00:00Z' },
    end: { type: 'string', value: '<iso>', description: 'first event time excluded' },
    view: { type: 'string', multiple: true, value: '<name>', description: 'materialize only these views (default: all)' },
    'rebase-source': REBASE_SOURCE_OPTION,
  },
  needsRoot: true,
  async run(ctx, args) {
    const start = instantArg(args, 'start', materializeCommand);
    const end = instantArg(args, 'end', materializeCommand);
    if (start >= end) throw new UsageError('--start must be before --end', materializeCommand.usage);
    const pipeline = requirePipeline(ctx);
    const target = { ...(await resolveTarget(ctx, listArg(args, 'view'))), rebaseSource: flagArg(args, 'rebase-source') };
    ctx.logger.info('materialize', { views: target.views, start: args.values.start, end: args.values.end, root: target.store.describe() });
    reportRuns(ctx, await pipeline.materialize({ ...target, start, end }, runHooks(ctx)));
  },
};
