import { durationArg, flagArg, listArg } from '../args.js';
import { UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { renderTable } from '../text-table.js';

/**
 * `asof vacuum --grace <duration>`: deletes data files that no snapshot
 * younger than the grace period needs (files removed by old commits, and
 * orphans of crashed or conflicting writers). The grace period must exceed
 * the longest write, or a running writer's files could be taken for orphans.
 */
export const vacuumCommand: Command = {
  name: 'vacuum',
  summary: 'delete files no snapshot within the grace period needs',
  usage: 'asof vacuum --root <dir|s3://…> --grace <duration> [--view <name>]... [--dry-run]',
  options: {
    grace: { type: 'string', value: '<duration>', description: 'keep everything younger than this, e.g. 7d, 12h (required)' },
    view: { type: 'string', multiple: true, value: '<name>', description: 'vacuum only these views (default: all)' },
    'dry-run': { type: 'boolean', description: 'list what would be deleted, delete nothing' },
  },
  needsRoot: true,
  async run(ctx, args) {
    const dryRunRequested = args.values['dry-run'] === true;
    // A zero grace only makes sense for a look at what would go; it would delete files a running writer still needs.
    const graceMs = dryRunRequested && /^0+(ms|s|m|h|d)?$/.test(String(args.values.grace ?? '')) ? 0 : durationArg(args, 'grace', vacuumCommand);
    if (graceMs === undefined) throw new UsageError('missing --grace', vacuumCommand.usage);
    const views = listArg(args, 'view');
    const dryRun = flagArg(args, 'dry-run');
    const store = await ctx.store();
    const result = await store.vacuum({ graceMs, dryRun, now: ctx.now(), signal: ctx.signal, ...(views.length > 0 ? { views } : {}) });
    for (const key of result.deleted) ctx.logger.debug(dryRun ? 'would delete' : 'deleted', { key });
    ctx.logger.info(dryRun ? 'vacuum dry run' : 'vacuumed', { files: result.deleted.length, bytes: result.bytes, keptYoung: result.keptYoung });
    ctx.progress.stop();
    ctx.print(
      renderTable(
        ['root', dryRun ? 'would delete' : 'deleted', 'bytes', 'kept (younger than grace)'],
        [[store.describe(), result.deleted.length, result.bytes, result.keptYoung]],
      ),
    );
  },
};
