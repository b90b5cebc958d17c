import { type AnyFeatureView, describeSourceIdentity, formatMicros } from '@asof/core';
import { CommandUnavailableError } from '../cli/cli-errors.js';
import type { DemoRequest, ExampleLoadRequest, ExampleLoadSummary, PipelinePort, PipelineTarget, RunHooks, RunSummary } from '../cli/pipeline-port.js';
import { materialize, type MaterializationResult } from './materialize.js';
import type { ExtractMode } from './mirror.js';
import { publishOnline } from './publish-online.js';

/** Runs the demo: supplied by whoever ships demo data (the TRS example). */
export type DemoRunner = (request: DemoRequest, hooks: RunHooks) => Promise<RunSummary[]>;

/** Loads example data into a source database: supplied, like the demo, by the TRS example. */
export type ExampleLoader = (request: ExampleLoadRequest, hooks: RunHooks) => Promise<ExampleLoadSummary>;

/**
 * The pipeline behind the `asof` CLI: `materialize` (full extract, writes
 * restricted to `[start, end)`) and `materialize-incremental` (extract what
 * changed since each source's watermark) both run {@link materialize}.
 */
export function createPipeline(options: { readonly demo?: DemoRunner; readonly loadExample?: ExampleLoader } = {}): PipelinePort {
  return {
    materialize: (request, hooks) => runViews(request, hooks, 'full', { start: request.start, end: request.end }),
    materializeIncremental: (request, hooks) => runViews(request, hooks, 'incremental'),
    demo: (request, hooks) => {
      if (!options.demo) throw new CommandUnavailableError('demo', 'this build has no demo data; run it from the asof workspace (pnpm demo)');
      return options.demo(request, hooks);
    },
    loadExample: (request, hooks) => {
      if (!options.loadExample) throw new CommandUnavailableError('example', 'this build has no example data; run it from the asof workspace (pnpm example:load)');
      return options.loadExample(request, hooks);
    },
  };
}

async function runViews(target: PipelineTarget, hooks: RunHooks, mode: ExtractMode, interval?: { start: bigint; end: bigint }): Promise<RunSummary[]> {
  const views = target.views.map((name) => target.registry.getFeatureView(name));
  const connector = await target.source();
  const result = await materialize({
    store: target.store,
    connector,
    views,
    // Every source with a primary key is mirrored, so exports (accounts' company names) find what no view reads.
    extraSources: target.registry.listSources().filter((s) => ((s as { primaryKey?: readonly string[] | null }).primaryKey?.length ?? 0) > 0),
    mode,
    interval,
    rebaseSource: target.rebaseSource === true,
    signal: hooks.signal,
    onProgress: (stage, name, done, total) => hooks.progress(stage === 'extract' ? `source ${name}` : 'views', done, total, stage === 'extract' ? 'rows' : 'views'),
  });
  logSourceCheck(result, target.rebaseSource === true, hooks);
  for (const source of result.sources) hooks.logger.info('source mirrored', { source: source.source, rowsRead: source.rowsRead, versionsAdded: source.versionsAdded });
  const online = await target.online();
  if (online) {
    const at = target.publishAt();
    for (const view of views) {
      if (!view.online || result.views.find((v) => v.view === view.name)?.status === 'failed') continue;
      const published = await publishOnline(target.store, online, view, at, { signal: hooks.signal });
      hooks.logger.info('published online', {
        view: view.name,
        online: online.describe(),
        entities: published.entities,
        written: published.written,
        split: published.split,
        horizonEnd: published.horizonEnd,
      });
      if (published.shortened.length > 0) {
        // Never a failed write: these entities read `stale` from their shorter horizon on until the next publish.
        hooks.logger.warn('online timelines too large even split: served with a shorter horizon', {
          view: view.name,
          entities: published.shortened.length,
          keys: published.shortened.slice(0, 5),
          horizonEnd: published.horizonEnd,
        });
      }
    }
  }
  return summarize(views, result);
}

/** Says what the source check found: a re-base, an accepted change or a first record are worth a look. */
function logSourceCheck({ identity }: MaterializationResult, rebase: boolean, hooks: RunHooks): void {
  const fields = { status: identity.status, source: describeSourceIdentity(identity.identity), changes: identity.changes, fullRead: identity.fullRead };
  if (identity.status === 'rebased') hooks.logger.warn('root re-based on another source; its mirrored sources are read in full', fields);
  else if (identity.status === 'updated') hooks.logger.warn('source identity updated (same source, accepted change)', fields);
  else if (identity.status === 'recorded') hooks.logger[identity.changes.length > 0 ? 'warn' : 'info']('source identity recorded for this root', fields);
  else if (identity.fullRead.length > 0) hooks.logger.info('reading sources in full, owed since the root was re-based', fields);
  else hooks.logger.debug('source identity matches the root', fields);
  if (rebase && identity.status !== 'rebased') hooks.logger.info('--rebase-source: the source is already the root’s; nothing was re-based', fields);
}

/** One {@link RunSummary} per view of a {@link materialize} result. */
export function summarize(views: readonly AnyFeatureView[], result: MaterializationResult): RunSummary[] {
  const rowsRead = result.sources.reduce((n, s) => n + s.rowsRead, 0);
  return views.map((view) => {
    const run = result.views.find((v) => v.view === view.name)!;
    return {
      view: view.name,
      operation: 'append',
      version: run.version,
      rowsRead,
      rowsWritten: run.rowsWritten,
      filesAdded: run.filesAdded,
      filesRemoved: 0,
      watermark: run.knownAt === null ? null : formatMicros(run.knownAt),
      ms: run.ms,
      status: run.status,
      lookups: run.lookups,
      ...(run.error ? { error: run.error } : {}),
    };
  });
}
