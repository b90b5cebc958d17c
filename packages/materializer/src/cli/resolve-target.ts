import { AsofError } from '@asof/core';
import type { CommandContext } from './context.js';
import type { PipelineTarget } from '../engine/pipeline-port.js';
import { registryLocation } from './registry-file.js';

/**
 * The store, registry and views a pipeline command runs on. The root must
 * have an applied registry (`asof apply` first), so every run's commits
 * match a registry that readers can load. With `--definitions`, each view
 * must hash the same as its applied version: running changed code against
 * data computed by the applied definition would mix two definitions in one
 * view. Without it, the applied registry is used as is.
 */
export async function resolveTarget(ctx: CommandContext, requested: readonly string[], options: { readonly runsTransforms?: boolean } = {}): Promise<PipelineTarget> {
  const store = await ctx.store();
  const applied = await ctx.appliedRegistry();
  if (!applied) {
    throw new AsofError('CONFIG', `no registry at ${registryLocation(store.objects)}: run 'asof apply --definitions <module>' first`);
  }
  const registry = ctx.hasDefinitions ? await ctx.definitions() : applied.registry;
  const views = requested.length > 0 ? [...requested] : registry.listFeatureViews().map((v) => v.name);
  if (views.length === 0) throw new AsofError('CONFIG', 'the registry has no feature views to materialize');
  for (const view of views) {
    registry.getFeatureView(view); // unknown names throw FeatureNotFoundError with the nearest name
    if (!ctx.hasDefinitions) continue;
    const appliedHash = applied.registry.listFeatureViews().some((v) => v.name === view) ? applied.registry.hashOf(view) : null;
    const hash = registry.hashOf(view);
    if (appliedHash !== hash) {
      throw new AsofError(
        'CONFIG',
        appliedHash === null
          ? `feature view '${view}' is not in the applied registry; run 'asof apply' first`
          : `feature view '${view}' differs from the applied registry (applied ${appliedHash.slice(0, 8)}, definitions ${hash.slice(0, 8)}); run 'asof apply' first`,
      );
    }
  }
  const textOnly = options.runsTransforms === false ? [] : views.filter((view) => registry.getFeatureView(view).transform?.executable === false);
  if (textOnly.length > 0) {
    throw new AsofError(
      'CONFIG',
      `${textOnly.join(', ')} ${textOnly.length === 1 ? 'has a row transform' : 'have row transforms'}, which registry.json keeps as text only; pass --definitions <module> (the module you applied) so the materializer can run ${textOnly.length === 1 ? 'it' : 'them'}`,
    );
  }
  return { store, registry, views, source: () => ctx.source(), online: () => ctx.online(), publishAt: () => BigInt(ctx.now().getTime()) * 1000n };
}
