import { DynamoDbOnlineStore, checkItemSize } from '@asof/stores';
import { AsofError, diffRegistries, type Registry, type RegistryDiff } from '@asof/core';
import type { ObjectOfflineStore } from '@asof/stores';
import { flagArg } from '../args.js';
import type { Command } from '../command.js';
import type { CommandContext } from '../context.js';
import { registryLocation, registryText, writeRegistry } from '../registry-file.js';
import { renderTable } from '../text-table.js';

/** One feature view's line in the apply table. */
interface ViewChange {
  readonly view: string;
  readonly change: 'added' | 'changed' | 'removed' | 'unchanged';
  readonly before: string | null;
  readonly after: string | null;
  /** The view's latest committed version in the offline store (0: no data). */
  readonly version: number;
}

/**
 * `asof apply`: validates the definitions (loading them builds a registry,
 * which rejects malformed or conflicting definitions), compares them with
 * the registry applied to the root, prints the difference per feature view
 * (short content hashes), and writes `<root>/registry.json`.
 *
 * A view that already has materialized data and whose definition changed
 * (or that the definitions no longer contain) is refused unless
 * `--allow-changes`: its stored rows were computed by the old definition,
 * so applying means re-materializing it. Views without data may change
 * freely. Apply also checks that the root can take commits (the S3
 * put-if-absent probe, the DynamoDB coordinator table) so that a
 * misconfigured root fails here, not in the first scheduled run.
 */
export const applyCommand: Command = {
  name: 'apply',
  summary: 'validate definitions, show what changed, and write the registry to the root',
  usage: 'asof apply --root <dir|s3://…> --definitions <module> [--allow-changes] [--dry-run]',
  options: {
    'allow-changes': { type: 'boolean', description: 'apply even if views that have data changed or were removed (re-materialize them afterwards)' },
    'dry-run': { type: 'boolean', description: 'show the difference, write nothing' },
  },
  needsRoot: true,
  async run(ctx, args) {
    const next = await ctx.definitions();
    const store = await ctx.store();
    const previous = await ctx.appliedRegistry();
    const diff = previous ? diffRegistries(previous.registry, next) : firstApply(next);
    const changes = await describeChanges(ctx, store, diff, previous?.registry ?? null, next);
    ctx.progress.stop();
    ctx.print(renderTable(['view', 'change', 'applied', 'new', 'data'], changes.map((c) => [c.view, c.change, short(c.before), short(c.after), c.version > 0 ? `v${c.version}` : 'none'])));

    const breaking = changes.filter((c) => (c.change === 'changed' || c.change === 'removed') && c.version > 0);
    if (breaking.length > 0 && !flagArg(args, 'allow-changes')) {
      throw new AsofError(
        'CONFIG',
        `refusing to apply: ${breaking.map((c) => `'${c.view}' (${c.change})`).join(', ')} already ha${breaking.length === 1 ? 's' : 've'} ` +
          `materialized data computed by the applied definition; re-run with --allow-changes, then re-materialize`,
      );
    }
    // The online store: DynamoDB's 400 KB item limit is checked from the definitions now, not discovered at write time.
    const online = await ctx.online();
    if (online instanceof DynamoDbOnlineStore) {
      const tooLarge = next
        .listFeatureViews()
        .filter((v) => v.online)
        .map((v) => ({ view: v.name, check: checkItemSize(v) }))
        .filter((c) => !c.check.ok);
      if (tooLarge.length > 0) {
        throw new AsofError('INVALID_DEFINITION', `online items would exceed DynamoDB's 400 KB limit: ${tooLarge.map((c) => `${c.view}: ${c.check.reason}`).join('; ')}; split the view or set online: false`);
      }
      if (!flagArg(args, 'dry-run')) await online.createTable({ signal: ctx.signal });
    }
    const text = registryText(next);
    const counts = `${next.listFeatureViews().length} feature view(s), ${next.listEntities().length} entit${next.listEntities().length === 1 ? 'y' : 'ies'}, ${next.listSources().length} source(s), ${next.listFeatureServices().length} service(s)`;
    const location = registryLocation(store.objects);
    if (previous?.text === text) {
      ctx.print(`registry unchanged: ${location} (${counts})`);
      ctx.logger.info('registry unchanged', { registry: location });
      return;
    }
    if (flagArg(args, 'dry-run')) {
      ctx.print(`dry run: ${location} not written (${counts})`);
      return;
    }
    await store.assertCanCommit({ signal: ctx.signal });
    await ctx.coordinator()?.ensureTable({ signal: ctx.signal });
    await writeRegistry(store.objects, text, { signal: ctx.signal });
    ctx.print(`registry written: ${location} (${counts})`);
    ctx.logger.info('registry written', { registry: location, added: diff.added, changed: diff.changed.map((c) => c.name), removed: diff.removed });
    if (breaking.length > 0) {
      ctx.print(`re-materialize: ${breaking.filter((c) => c.change === 'changed').map((c) => c.view).join(', ') || '(nothing; removed views keep their data)'}`);
    }
  },
};

function firstApply(next: Registry): RegistryDiff {
  return { added: next.listFeatureViews().map((v) => v.name), removed: [], changed: [], unchanged: [] };
}

async function describeChanges(
  ctx: CommandContext,
  store: ObjectOfflineStore,
  diff: RegistryDiff,
  previous: Registry | null,
  next: Registry,
): Promise<ViewChange[]> {
  const rows: Omit<ViewChange, 'version'>[] = [
    ...diff.added.map((view) => ({ view, change: 'added' as const, before: null, after: next.hashOf(view) })),
    ...diff.changed.map((c) => ({ view: c.name, change: 'changed' as const, before: c.before, after: c.after })),
    ...diff.removed.map((view) => ({ view, change: 'removed' as const, before: previous!.hashOf(view), after: null })),
    ...diff.unchanged.map((view) => ({ view, change: 'unchanged' as const, before: next.hashOf(view), after: next.hashOf(view) })),
  ];
  rows.sort((a, b) => (a.view < b.view ? -1 : a.view > b.view ? 1 : 0));
  // The log decides whether a change is refused: a view without commits has nothing computed by the old definition.
  return Promise.all(rows.map(async (row) => ({ ...row, version: (await store.snapshot(row.view, { signal: ctx.signal })).version })));
}

function short(hash: string | null): string | null {
  return hash === null ? null : hash.slice(0, 8);
}
