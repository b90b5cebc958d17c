import type { CommandContext } from './context.js';
import type { RunHooks, RunSummary } from '../engine/pipeline-port.js';
import { codeOf } from './cli-errors.js';
import { renderTable } from './text-table.js';

/** The summary table of pipeline runs, one row per view. */
export function renderRunSummaries(summaries: readonly RunSummary[]): string {
  return renderTable(
    ['view', 'status', 'operation', 'version', 'rows read', 'rows written', 'files +', 'files -', 'watermark', 'time'],
    summaries.map((s) => [
      s.view,
      s.status === 'failed' ? `failed: ${s.error?.message ?? 'unknown error'}` : s.status,
      s.operation,
      s.version,
      s.rowsRead,
      s.rowsWritten,
      s.filesAdded,
      s.filesRemoved,
      formatWatermark(s.watermark),
      formatMs(s.ms),
    ]),
  );
}

/**
 * Per view and lookup, how the run found the lookup's rows: `at time` (the
 * version in force), `earliest known` (older than the dimension's history,
 * looked up at its first known version: `beforeHistory: 'earliestKnown'`),
 * `left null` (the same rows under the `'null'` policy), `no version`
 * (unknown key, or no key or time to look up). `null` when no recomputed
 * view has a lookup.
 */
export function renderLookupSummaries(summaries: readonly RunSummary[]): string | null {
  const rows = summaries.flatMap((s) => {
    const lookups = s.lookups ?? [];
    // `view/source`, numbered only when a view looks the same source up twice.
    const label = (l: (typeof lookups)[number]) => `${s.view}/${l.source}${lookups.filter((o) => o.source === l.source).length > 1 ? `#${l.index}` : ''}`;
    return lookups.map((l) => [label(l), l.policy, l.matched, l.earliestKnown, l.beforeHistory, l.noVersion]);
  });
  if (rows.length === 0) return null;
  return renderTable(['lookup', 'policy', 'at time', 'earliest known', 'left null', 'no version'], rows);
}

/** One or more views of a run failed; the code is the first failure's. */
export class ViewsFailedError extends Error {
  readonly code: string;

  constructor(failed: readonly { readonly view: string; readonly error?: Error }[], total: number) {
    const first = failed[0]?.error;
    super(`${failed.length} of ${total} view(s) failed: ${failed.map((s) => `${s.view}: ${s.error?.message ?? 'unknown error'}`).join('; ')}`, { cause: first });
    this.name = 'ViewsFailedError';
    this.code = first ? codeOf(first) : 'INTERNAL';
  }
}

/** Throws {@link ViewsFailedError} if any view failed. */
export function assertAllSucceeded(summaries: readonly RunSummary[]): void {
  const failed = summaries.filter((s) => s.status === 'failed');
  if (failed.length > 0) throw new ViewsFailedError(failed, summaries.length);
}

/** Hooks that route a pipeline's logs and progress to the CLI. */
export function runHooks(ctx: CommandContext, signal: AbortSignal = ctx.signal): RunHooks {
  return { logger: ctx.logger, progress: (view, done, total, unit) => ctx.progress.update(view, done, total, unit), signal };
}

/** Prints the table, logs one record per view, and fails if a view failed. */
export function reportRuns(ctx: CommandContext, summaries: readonly RunSummary[]): void {
  for (const s of summaries) ctx.progress.finish(s.view);
  ctx.progress.stop();
  for (const s of summaries) {
    const fields = { view: s.view, status: s.status, version: s.version, rowsWritten: s.rowsWritten, ms: s.ms, error: s.error };
    if (s.status === 'failed') ctx.logger.error('view failed', fields);
    else ctx.logger.info('view done', fields);
  }
  ctx.print(renderRunSummaries(summaries));
  const lookups = renderLookupSummaries(summaries);
  if (lookups !== null) ctx.print(`\nlookup rows:\n${lookups}`);
  for (const s of summaries) {
    for (const l of s.lookups ?? []) {
      if (l.earliestKnown + l.beforeHistory + l.noVersion === 0) continue;
      // Not an error (the policy is declared), but an operator should know: `asof seed` can supply the history.
      ctx.logger.warn('lookup rows not found at their time', {
        view: s.view,
        lookup: l.index,
        source: l.source,
        policy: l.policy,
        earliestKnown: l.earliestKnown,
        beforeHistoryNull: l.beforeHistory,
        noVersion: l.noVersion,
      });
    }
  }
  assertAllSucceeded(summaries);
}

/** Milliseconds as `850ms`, `12.3s` or `4m05s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

function formatWatermark(watermark: unknown): string | null {
  if (watermark === null || watermark === undefined) return null;
  return typeof watermark === 'string' ? watermark : JSON.stringify(watermark, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
