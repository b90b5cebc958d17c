import { AsofError, nearest, type Registry } from '@asof/core';
import { requiredArg } from '../args.js';
import { UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { renderTable } from '../text-table.js';
import { readSeedFile } from '../../seed/read-seed-file.js';
import { seedMirror } from '../../seed/seed-mirror.js';

/**
 * `asof seed <source> --file <versions.csv|.parquet>`: appends a source's
 * row versions from a file to its mirror, as one commit, so lookups find
 * history the source no longer shows (the SKU prices before the first
 * extract). The file is checked against the source's declared columns and
 * primary key (exact types) before anything is written; versions already
 * mirrored are skipped. The next run recomputes the views that read it.
 */
export const seedCommand: Command = {
  name: 'seed',
  summary: "append a source's history (row versions) from a CSV or Parquet file to its mirror",
  usage: 'asof seed <source> --file <versions.csv|versions.parquet> --root <dir|s3://…> [--definitions <module>]',
  options: {
    file: {
      type: 'string',
      value: '<path>',
      description: 'the versions: a .csv (header row, ISO-8601 times with an offset, exact decimals) or .parquet file with every declared column of the source',
    },
  },
  maxPositionals: 1,
  needsRoot: true,
  async run(ctx, args) {
    const name = args.positionals[0];
    if (!name) throw new UsageError('missing the source to seed, e.g. asof seed skus --file sku_prices.csv', seedCommand.usage);
    const file = requiredArg(args, 'file', seedCommand);
    const store = await ctx.store();
    const registry = ctx.hasDefinitions ? await ctx.definitions() : (await ctx.appliedRegistry())?.registry;
    if (!registry) throw new AsofError('CONFIG', `no registry at ${store.describe()}: run 'asof apply --definitions <module>' first, or pass --definitions`);
    const source = sourceNamed(registry, name);
    if (!source.primaryKey?.length) throw new AsofError('CONFIG', `source '${name}' has no primaryKey, so it has no mirror of versions to seed; declare its primary key`);
    const rows = await readSeedFile(file, source, { cwd: ctx.cwd, signal: ctx.signal });
    const result = await seedMirror(store, source, rows, { file, signal: ctx.signal });
    const readers = registry.listFeatureViews().filter((v) => v.source.name === name || v.lookups.some((l) => l.source.name === name)).map((v) => v.name);
    ctx.logger.info('source seeded', { source: name, file, rows: result.rows, added: result.added, alreadyMirrored: result.alreadyMirrored, version: result.commit?.version ?? null });
    ctx.print(
      renderTable(
        ['source', 'file', 'rows', 'versions added', 'already mirrored', 'mirror version'],
        [[name, file, result.rows, result.added, result.alreadyMirrored, result.commit?.version ?? null]],
      ),
    );
    ctx.print(
      result.added === 0
        ? `nothing to add: the mirror of '${name}' has every version of the file`
        : `appended ${result.added} version(s) of '${name}'; the next materialize run recomputes ${readers.length ? readers.join(', ') : 'the views that read it (none now)'}`,
    );
  },
};

function sourceNamed(registry: Registry, name: string) {
  const names = registry.listSources().map((s) => s.name);
  if (!names.includes(name)) {
    const suggestion = nearest(name, names);
    throw new UsageError(`unknown source '${name}'${suggestion ? `; did you mean '${suggestion}'?` : ` (sources: ${names.join(', ')})`}`, seedCommand.usage);
  }
  return registry.getSource(name);
}
