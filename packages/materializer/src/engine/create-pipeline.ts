import { formatMicros, type AnyFeatureView } from '@asof/core';
import { CommandUnavailableError } from './errors.js';
import type { DemoRequest, ExampleLoadRequest, ExampleLoadSummary, PipelinePort, PipelineTarget, RunHooks, RunSummary } from './pipeline-port.js';
import { materialize, type MaterializationResult } from './materialize.js';
import type { ExtractMode } from './mirror/mirror-source.js';

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
    publish: { online: () => target.online(), at: () => target.publishAt() },
    logger: hooks.logger,
    signal: hooks.signal,
    onProgress: (stage, name, done, total) => hooks.progress(stage === 'extract' ? `source ${name}` : 'views', done, total, stage === 'extract' ? 'rows' : 'views'),
  });
  return summarize(views, result);
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
