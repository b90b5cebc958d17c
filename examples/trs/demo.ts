/**
 * `asof demo --root <dir>`: the TRS example end to end with embedded
 * defaults (no database server, no cloud account). It generates a small
 * TRS history, then replays it as the source system would have looked at
 * the end of each quarter, extracting and materializing after each one
 * (the first run in full, the rest incrementally), exactly as a scheduled
 * materializer would have. Then it prints what a few accounts looked like
 * at the end and 90 days earlier.
 */
import {
  createRegistry,
  formatMicros,
  formatTable,
  int64,
  joinViews,
  rowsToTable,
  timestamp,
  toEpochMicros,
  TOMBSTONE_COLUMN,
  type AnyFeatureView,
} from '@asof/core';
import {
  materialize,
  publishOnline,
  readView,
  registryText,
  summarize,
  TableSourceConnector,
  verifyOnline,
  writeRegistry,
  type DemoRunner,
  type RunSummary,
} from '@asof/materializer';
import { definitions, latePayments, productMix, receivables, skuSpend } from './features.js';
import { generateTrs } from './generator.js';
import { stateAt } from './state-at.js';

const VIEWS: readonly AnyFeatureView[] = [latePayments, receivables, productMix, skuSpend];
const DAY_US = 86_400_000_000n;

/** Quarter ends from the first quarter of 2023 to the third of 2025: the demo's extraction times. */
export function demoRounds(): string[] {
  const rounds: string[] = [];
  for (let year = 2023; year <= 2025; year++) {
    for (const end of ['03-31', '06-30', '09-30', '12-31']) if (`${year}-${end}` <= '2025-09-30') rounds.push(`${year}-${end}T23:59:59Z`);
  }
  return rounds;
}

/** The TRS demo, as the CLI's `demo` command runs it. */
export const runTrsDemo: DemoRunner = async (request, hooks) => {
  const registry = createRegistry(...definitions);
  const timeline = generateTrs({ seed: 42, scale: 0.001 });
  const rounds = demoRounds();
  const totals = new Map<string, RunSummary>();
  for (const [i, round] of rounds.entries()) {
    const state = stateAt(timeline, round);
    const result = await materialize({
      store: request.store,
      // One name for every round: successive states of one source, which the root's identity check accepts.
      connector: new TableSourceConnector(state.tables, { name: 'trs-demo' }),
      views: VIEWS,
      mode: i === 0 ? 'full' : 'incremental',
      signal: hooks.signal,
    });
    // After the first run, whose source check refuses a root built from another source before anything is written.
    if (i === 0) await writeRegistry(request.objects, registryText(registry), { signal: hooks.signal });
    for (const summary of summarize(VIEWS, result)) totals.set(summary.view, merge(totals.get(summary.view), summary));
    hooks.logger.info('extract round', { asOf: round, knownAt: result.knownAt === null ? null : formatMicros(result.knownAt) });
    hooks.progress('demo', i + 1, rounds.length, 'extracts');
  }
  const last = toEpochMicros(rounds[rounds.length - 1]!);
  const online = await request.online();
  if (online) {
    // Publish each account's timeline at the last extract (its change points for the next 7 days), then check it against the offline store.
    const lines: string[] = [];
    for (const view of VIEWS) {
      const published = await publishOnline(request.store, online, view, last, { signal: hooks.signal });
      const check = await verifyOnline(request.store, online, view, last, hooks.signal);
      lines.push(`  ${view.name}: ${published.entities} entities, ${published.written} written, ${check.mismatchedEntities} mismatches`);
    }
    const horizon = formatMicros(last + BigInt(VIEWS[0]!.onlineHorizonMs) * 1000n);
    request.print(`\nOnline store ${online.describe()} at ${formatMicros(last)} (exact up to ${horizon}; asof verify-online --at <instant> checks any instant):\n${lines.join('\n')}`);
  }
  request.print(await sample(request.store, rounds[rounds.length - 1]!));
  return [...totals.values()];
};

function merge(total: RunSummary | undefined, run: RunSummary): RunSummary {
  if (!total) return run;
  return {
    ...run,
    version: run.version ?? total.version,
    rowsRead: total.rowsRead + run.rowsRead,
    rowsWritten: total.rowsWritten + run.rowsWritten,
    filesAdded: total.filesAdded + run.filesAdded,
    ms: total.ms + run.ms,
    status: run.status === 'failed' || total.status === 'failed' ? 'failed' : total.status === 'committed' || run.status === 'committed' ? 'committed' : 'unchanged',
    // Each round recomputes from the whole mirror, so its counts are the current ones, not increments.
    lookups: run.lookups?.length ? run.lookups : total.lookups,
    ...(run.error ?? total.error ? { error: run.error ?? total.error } : {}),
  };
}

/** A few accounts at the last extraction and 90 days before, point in time. */
async function sample(store: Parameters<typeof readView>[0], last: string): Promise<string> {
  const now = toEpochMicros(last);
  const spine = [1n, 2n, 3n].flatMap((account_id) => [{ account_id, as_of: now - 90n * DAY_US }, { account_id, as_of: now }]);
  const joined = joinViews(
    rowsToTable(spine, { account_id: int64(), as_of: timestamp() }),
    await Promise.all(
      [latePayments, productMix].map(async (view) => ({
        name: view.name,
        rows: await readView(store, view),
        keys: view.joinKeyNames,
        eventTime: 'event_ts',
        createdTime: 'created_ts',
        tombstone: TOMBSTONE_COLUMN,
        features: view === latePayments ? ['overdue_invoices', 'late_paid_90d', 'avg_days_to_pay_365d'] : ['distinct_skus_90d', 'spend_90d'],
      })),
    ),
    { spineTime: 'as_of' },
  );
  return `\nWhat three accounts looked like 90 days before the last extract and at it:\n${formatTable(joined, { maxWidth: 24 })}\n`;
}
