import { checkTimelineSize, type TimelineSizeCheck } from '@asof/stores';
import { AsofError, diffRegistries, findRenames, type OnlineStore, type Registry, type RegistryDiffWithRenames } from '@asof/core';
import type { ObjectOfflineStore } from '@asof/stores';
import { flagArg } from '../args.js';
import type { Command } from '../command.js';
import type { CommandContext } from '../context.js';
import { registryLocation, registryText, writeRegistry } from '../registry-file.js';
import { renderTable } from '../text-table.js';

/** One feature view's line in the apply table. */
interface ViewChange {
  readonly view: string;
  readonly change: 'added' | 'changed' | 'removed' | 'renamed' | 'unchanged';
  /** For a rename: the name the applied registry had. */
  readonly from?: string;
  readonly before: string | null;
  readonly after: string | null;
  /** The latest committed version in the offline store (0: no data); for a rename, of the old name, where the data stays. */
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
 * freely. A view renamed with an unchanged definition is reported as a
 * rename (its data stays under the old name, so one that has data counts
 * as a change). Before it prints the table, apply prepares and checks the
 * root: it creates a missing S3 bucket (and says so), checks that the root
 * takes writes and commits (the S3 put-if-absent probe, the DynamoDB
 * coordinator table) and creates the DynamoDB online table, so that a
 * misconfigured root fails here, with nothing reported as applied, not in
 * the first scheduled run.
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
    const dryRun = flagArg(args, 'dry-run');
    if (!dryRun) await ensureBucket(ctx, store);
    const previous = await ctx.appliedRegistry();
    const diff = previous ? findRenames(diffRegistries(previous.registry, next), previous.registry, next) : firstApply(next);
    const changes = await describeChanges(ctx, store, diff, previous?.registry ?? null, next);
    const table = renderTable(
      ['view', 'change', 'applied', 'new', 'data'],
      changes.map((c) => [c.view, c.from ? `renamed from ${c.from}` : c.change, short(c.before), short(c.after), c.version > 0 ? `v${c.version}` : 'none']),
    );

    const breaking = changes.filter((c) => c.change !== 'added' && c.change !== 'unchanged' && c.version > 0);
    if (breaking.length > 0 && !flagArg(args, 'allow-changes')) {
      ctx.progress.stop();
      ctx.print(table);
      throw new AsofError(
        'CONFIG',
        `refusing to apply: ${breaking.map(describeBreaking).join(', ')} already ha${breaking.length === 1 ? 's' : 've'} ` +
          `materialized data computed by the applied definition; re-run with --allow-changes, then re-materialize`,
      );
    }
    // Everything that can fail about the root fails before the table, so nothing reads as applied when it was not.
    if (!dryRun) await prepareRoot(ctx, store);
    const online = await ctx.online();
    const timelines = checkOnlineItems(online, next);
    if (!dryRun) await online?.provision?.({ signal: ctx.signal });
    ctx.progress.stop();
    ctx.print(table);
    if (timelines.length > 0) ctx.print(`online timelines (${online!.describe()}):\n${timelines.map((c) => `  ${c.reason}`).join('\n')}`);

    const text = registryText(next);
    const counts = `${next.listFeatureViews().length} feature view(s), ${next.listEntities().length} entit${next.listEntities().length === 1 ? 'y' : 'ies'}, ${next.listSources().length} source(s), ${next.listFeatureServices().length} service(s)`;
    const location = registryLocation(store.objects);
    if (previous?.text === text) {
      ctx.print(`registry unchanged: ${location} (${counts})`);
      ctx.logger.info('registry unchanged', { registry: location });
      return;
    }
    if (dryRun) {
      ctx.print(`dry run: ${location} not written (${counts})`);
      return;
    }
    await writeRegistry(store.objects, text, { signal: ctx.signal });
    ctx.print(`registry written: ${location} (${counts})`);
    ctx.logger.info('registry written', {
      registry: location,
      added: diff.added,
      changed: diff.changed.map((c) => c.name),
      removed: diff.removed,
      renamed: diff.renamed.map((r) => `${r.from} -> ${r.to}`),
    });
    if (breaking.length > 0) {
      const again = breaking.filter((c) => c.change === 'changed' || c.change === 'renamed').map((c) => c.view);
      ctx.print(`re-materialize: ${again.join(', ') || '(nothing; removed views keep their data)'}`);
    }
  },
};

/** A root whose container is missing (an `s3://` root's bucket) gets it created, and the output says so. */
async function ensureBucket(ctx: CommandContext, store: ObjectOfflineStore): Promise<void> {
  const created = await store.objects.createContainer?.({ signal: ctx.signal });
  if (created) {
    ctx.print(`created ${created}`);
    ctx.logger.info('bucket created', { created });
  }
}

/**
 * Makes the root ready to take this registry and later runs: a probe write
 * proves the root is writable (a file, a read-only place or a refusing
 * file system fails here), the commit guarantee is checked, and the
 * coordinator's DynamoDB table is created.
 */
async function prepareRoot(ctx: CommandContext, store: ObjectOfflineStore): Promise<void> {
  await store.assertWritable({ signal: ctx.signal });
  await store.assertCanCommit({ signal: ctx.signal });
  await (await ctx.coordinator())?.provision?.({ signal: ctx.signal });
}

/**
 * The online store's item limit (DynamoDB's 400 KB, the same on the
 * embedded store), checked from the definitions and each view's horizon
 * now, not discovered at write time: one change point must fit in an item
 * (else the view is refused); the returned checks say at which event rate
 * an entity's timeline is split over several items or, past the part
 * limit, served with a shorter horizon.
 */
function checkOnlineItems(online: OnlineStore | null, next: Registry): TimelineSizeCheck[] {
  const limits = online?.itemLimits?.();
  if (!limits) return [];
  const checks = next
    .listFeatureViews()
    .filter((v) => v.online)
    .map((v) => checkTimelineSize(v, { limitBytes: limits.maxItemBytes, maxParts: limits.maxItems - 1 }));
  const tooLarge = checks.filter((c) => !c.ok);
  if (tooLarge.length > 0) {
    throw new AsofError('INVALID_DEFINITION', `online items would exceed ${limits.description}: ${tooLarge.map((c) => c.reason).join('; ')}; split the view or set online: false`);
  }
  return checks;
}

function describeBreaking(change: ViewChange): string {
  return change.from ? `'${change.view}' (renamed from '${change.from}', whose data stays under that name)` : `'${change.view}' (${change.change})`;
}

function firstApply(next: Registry): RegistryDiffWithRenames {
  return { added: next.listFeatureViews().map((v) => v.name), removed: [], changed: [], unchanged: [], renamed: [] };
}

async function describeChanges(
  ctx: CommandContext,
  store: ObjectOfflineStore,
  diff: RegistryDiffWithRenames,
  previous: Registry | null,
  next: Registry,
): Promise<ViewChange[]> {
  const rows: Omit<ViewChange, 'version'>[] = [
    ...diff.renamed.map((r) => ({ view: r.to, change: 'renamed' as const, from: r.from, before: r.hash, after: r.hash })),
    ...diff.added.map((view) => ({ view, change: 'added' as const, before: null, after: next.hashOf(view) })),
    ...diff.changed.map((c) => ({ view: c.name, change: 'changed' as const, before: c.before, after: c.after })),
    ...diff.removed.map((view) => ({ view, change: 'removed' as const, before: previous!.hashOf(view), after: null })),
    ...diff.unchanged.map((view) => ({ view, change: 'unchanged' as const, before: next.hashOf(view), after: next.hashOf(view) })),
  ];
  rows.sort((a, b) => (a.view < b.view ? -1 : a.view > b.view ? 1 : 0));
  // The log decides whether a change is refused: a view without commits has nothing computed by the old definition.
  return Promise.all(rows.map(async (row) => ({ ...row, version: (await store.snapshot(row.from ?? row.view, { signal: ctx.signal })).version })));
}

function short(hash: string | null): string | null {
  return hash === null ? null : hash.slice(0, 8);
}
