import { AsofError, formatMicros } from '@asof/core';
import { flagArg, instantArg, numberArg, stringArg } from '../args.js';
import { UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { requirePipeline } from '../pipeline-binding.js';
import { runHooks } from '../run-summary.js';
import { renderTable } from '../text-table.js';

/**
 * `asof example load --source mysql://… --scale 0.1`: loads the TRS
 * example (accounts, SKUs with price changes, invoices and their line
 * items) into a MySQL/MariaDB database, as the source system would hold it
 * at `--as-of` (default: the end of its history), so `asof materialize`
 * has a real source to read. Progress per table; a summary at the end.
 */
export const exampleCommand: Command = {
  name: 'example',
  summary: 'load the TRS example into a MySQL database (example load --source mysql://… --scale <n>)',
  usage: 'asof example load --source mysql://user:pass@host:port/db [--scale 0.01] [--seed 42] [--as-of <iso>] [--replace]',
  options: {
    scale: { type: 'string', value: '<n>', description: '1 is 1M invoices (~4.8M line items); default 0.01 (10k invoices)' },
    seed: { type: 'string', value: '<n>', description: 'the generator seed: the same seed and scale give the same data (default 42)' },
    'as-of': { type: 'string', value: '<iso>', description: 'load the database as it stood at this instant (default: the end of the example, 2026-01-01)' },
    replace: { type: 'boolean', description: 'drop the example tables first if they exist' },
  },
  maxPositionals: 1,
  needsRoot: false,
  async run(ctx, args) {
    const action = args.positionals[0];
    if (action !== 'load') throw new UsageError(action === undefined ? "missing the action: 'asof example load'" : `unknown action '${action}': only 'load'`, exampleCommand.usage);
    const sourceUrl = ctx.sourceUrl;
    if (!sourceUrl) throw new UsageError('missing --source mysql://user:pass@host:port/db (or set ASOF_SOURCE_URL)', exampleCommand.usage);
    const scale = numberArg(args, 'scale', exampleCommand) ?? 0.01;
    const seedText = stringArg(args, 'seed');
    const seed = seedText === undefined ? 42 : Number(seedText);
    if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be a whole number >= 0, got ${JSON.stringify(seedText)}`, exampleCommand.usage);
    const asOf = stringArg(args, 'as-of') === undefined ? null : instantArg(args, 'as-of', exampleCommand);
    const pipeline = requirePipeline(ctx);
    const summary = await pipeline.loadExample({ sourceUrl, scale, seed, asOf, replace: flagArg(args, 'replace') }, runHooks(ctx));
    for (const t of summary.tables) ctx.progress.finish(`table ${t.table}`);
    ctx.progress.stop();
    if (summary.createdDatabase) ctx.print(`created database ${summary.database}`);
    ctx.print(renderTable(['table', 'rows'], summary.tables.map((t) => [t.table, t.rows])));
    const total = summary.tables.reduce((n, t) => n + t.rows, 0);
    ctx.print(`loaded the TRS example (seed ${seed}, scale ${scale}, as of ${summary.asOf}) into ${summary.database}: ${total} rows in ${(summary.ms / 1000).toFixed(1)} s`);
    ctx.logger.info('example loaded', { database: summary.database, asOf: summary.asOf, rows: total, ms: Math.round(summary.ms) });
    if (total === 0) throw new AsofError('INVALID_INPUT', `the example has no rows as of ${asOf === null ? summary.asOf : formatMicros(asOf)}; choose a later --as-of`);
  },
};
