import { flagArg, listArg } from '../args.js';
import type { Command } from '../command.js';
import { requirePipeline } from '../pipeline-binding.js';
import { REBASE_SOURCE_OPTION } from './rebase-source-option.js';
import { resolveTarget } from '../resolve-target.js';
import { reportRuns, runHooks } from '../run-summary.js';

/** `asof materialize-incremental`: each view continues from its last committed watermark. */
export const materializeIncrementalCommand: Command = {
  name: 'materialize-incremental',
  summary: 'materialize what changed since each view’s last committed watermark',
  usage: 'asof materialize-incremental --root <dir|s3://…> [--view <name>]... [--definitions <module>] [--rebase-source]',
  options: {
    view: { type: 'string', multiple: true, value: '<name>', description: 'materialize only these views (default: all)' },
    'rebase-source': REBASE_SOURCE_OPTION,
  },
  needsRoot: true,
  async run(ctx, args) {
    const pipeline = requirePipeline(ctx);
    const target = { ...(await resolveTarget(ctx, listArg(args, 'view'))), rebaseSource: flagArg(args, 'rebase-source') };
    ctx.logger.info('materialize-incremental', { views: target.views, root: target.store.describe() });
    reportRuns(ctx, await pipeline.materializeIncremental(target, runHooks(ctx)));
  },
};
