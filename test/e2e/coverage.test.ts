/**
 * Issue 9, points 4 and 7, on the TRS example (its in-memory source, the
 * materializer's own pipeline, a local root):
 * - after a backfill that ends at 2026-01-01, asking past it warns (and
 *   `strict` raises), asking inside does not; `freshness()` reports the range;
 * - after a complete run, "now" queries past the knowledge time get an
 *   informative notice that can be silenced;
 * - `asOfCommitTime` between two runs answers what the first run wrote,
 *   on every read (training sets, snapshots, comparisons).
 */
import { createRegistry, CoverageError, toEpochMicros, type OfflineStore } from '@asof/core';
import { materialize, registryText, TableSourceConnector, writeRegistry } from '@asof/materializer';
import { FeatureStore, type CoverageWarning } from '@asof/sdk';
import { openOfflineStore, viewCoverage } from '@asof/stores';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { definitions, latePayments, productMix, receivables, skuSpend } from '../../examples/trs/features.js';
import { generateTrs } from '../../examples/trs/generator.js';
import { stateAt, type TrsState } from '../../examples/trs/state-at.js';
import { removeTempRoots, tempRoot } from '../../packages/materializer/src/cli/testing/cli-harness.js';

const VIEWS = [latePayments, receivables, productMix, skuSpend];
const ACCOUNT_VIEWS = ['late_payments', 'receivables', 'product_mix'];
const timeline = generateTrs({ seed: 21, scale: 0.001 });
const START = '2023-01-01T00:00:00Z';
const END = '2026-01-01T00:00:00Z';

/** Every `process.emitWarning` of a coverage code while a test runs. */
const emitted: { code: string | undefined; message: string }[] = [];
const onWarning = (w: Error & { code?: string }) => {
  if (w.code?.startsWith('ASOF_')) emitted.push({ code: w.code, message: w.message });
};
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function newStore(): Promise<{ root: string; offline: OfflineStore }> {
  const root = await tempRoot();
  const offline = openOfflineStore({ root });
  await writeRegistry(offline.objects, registryText(createRegistry(...definitions)));
  return { root, offline };
}

const run = (offline: OfflineStore, state: TrsState, mode: 'full' | 'incremental', interval?: { start: string; end: string }) =>
  materialize({
    store: offline,
    connector: new TableSourceConnector(state.tables),
    views: VIEWS,
    mode,
    ...(interval ? { interval: { start: toEpochMicros(interval.start), end: toEpochMicros(interval.end) } } : {}),
  });

beforeAll(() => void process.on('warning', onWarning));
afterEach(() => void (emitted.length = 0));
afterAll(async () => {
  process.off('warning', onWarning);
  await removeTempRoots();
});

describe('a backfill that ends at 2026-01-01', () => {
  let store: FeatureStore;
  let knownAt: bigint;
  const state = stateAt(timeline, '2025-09-30T23:59:59Z');

  beforeAll(async () => {
    const { root, offline } = await newStore();
    const result = await run(offline, state, 'full', { start: START, end: END });
    expect(result.views.map((v) => v.status)).toEqual(VIEWS.map(() => 'committed'));
    knownAt = result.knownAt!;
    store = await FeatureStore.open({ root, online: 'none' });
  }, 120_000);

  it('records the interval each view computed and its knowledge time (the stores derivation)', async () => {
    for (const view of VIEWS) {
      const coverage = viewCoverage(await store.offline.snapshot(view.name));
      expect(coverage.ranges).toEqual([{ start: toEpochMicros(START), end: toEpochMicros(END), knownAt, version: 1 }]);
      expect(coverage.complete).toBe(false);
    }
  });

  it('asOf past the end warns once per view, with the range, on the result and through process warnings', async () => {
    const t = await store.asOf('2026-12-15T00:00:00Z', { features: ACCOUNT_VIEWS.map((v) => `${v}:*`) });
    expect(t.numRows).toBeGreaterThan(0);
    expect(t.warnings.map((w) => [w.view, w.kind, w.count, w.total])).toEqual(ACCOUNT_VIEWS.map((v) => [v, 'uncovered', 1, 1]));
    expect(t.warnings[0]!.message).toBe(
      "view 'late_payments': asOf 2026-12-15T00:00:00Z is at or after 2026-01-01T00:00:00Z, the end of what it was materialized over " +
        '(computed: [2023-01-01T00:00:00Z, 2026-01-01T00:00:00Z)). No feature rows were computed there, so those answers miss what changed there ' +
        '(window expiries and due dates included). Materialize that range (asof materialize --start … --end …), or pass { strict: true } to raise instead.',
    );
    await settle();
    expect(emitted.map((w) => w.code)).toEqual(ACCOUNT_VIEWS.map(() => 'ASOF_OUTSIDE_COMPUTED_RANGE'));
    expect(emitted[2]!.message).toContain("view 'product_mix'");
  });

  it('the answer there is the stale last row: a 365-day spend for accounts with no invoice in the last year', async () => {
    // What the warning is for: spend_365d at 2026-12-15 should be empty for every account (no invoice after 2025-09-30).
    const t = await store.asOf('2026-12-15T00:00:00Z', { features: [productMix.ref('spend_365d')] });
    expect(t.toArray().some((r) => r.spend_365d !== null && Number(r.spend_365d) !== 0)).toBe(true);
  });

  it('strict raises a CoverageError instead, per call or for the whole store', async () => {
    const error = await store.asOf('2026-12-15T00:00:00Z', { features: ['product_mix:spend_365d'], strict: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoverageError);
    expect(error).toMatchObject({ view: 'product_mix', kind: 'uncovered', code: 'COVERAGE' });
    expect((error as Error).message).toMatch(/at or after 2026-01-01T00:00:00Z, the end of what it was materialized over .* Raised because the call is strict/);
    const strict = new FeatureStore({ registry: store.registry, offline: store.offline, strict: true });
    await expect(strict.getHistoricalFeatures({ entities: [{ account_id: 1n, event_timestamp: '2026-02-01T00:00:00Z' }], features: ['late_payments:*'] })).rejects.toThrow(CoverageError);
    expect((await strict.asOf('2025-06-30T00:00:00Z', { features: ['late_payments:*'] })).warnings).toEqual([]);
    expect((await strict.asOf('2026-12-15T00:00:00Z', { features: ['late_payments:*'], strict: false })).warnings).toHaveLength(1);
  });

  it('inside the range and before the knowledge time nothing is said', async () => {
    const t = await store.asOf('2025-06-30T00:00:00Z', { features: ACCOUNT_VIEWS.map((v) => `${v}:*`), strict: true });
    expect(t.warnings).toEqual([]);
    const h = await store.getHistoricalFeatures({ entities: [{ account_id: 1n, event_timestamp: START }], features: ['product_mix:spend_90d'], strict: true });
    expect(h.warnings).toEqual([]);
    await settle();
    expect(emitted).toEqual([]);
  });

  it('a training set counts the rows past the end and before the start, per view', async () => {
    const times = ['2022-06-01T00:00:00Z', '2024-01-01T00:00:00Z', '2025-12-31T23:59:59Z', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z'];
    const entities = times.map((t) => ({ account_id: 1n, event_timestamp: t }));
    const t = await store.getHistoricalFeatures({ entities, features: [productMix.ref('spend_365d')], acceptPastKnowledgeTime: true });
    expect(t.warnings.map((w: CoverageWarning) => [w.view, w.kind, w.count, w.total])).toEqual([['product_mix', 'uncovered', 3, 5]]);
    expect(t.warnings[0]!.message).toMatch(
      /^view 'product_mix': 3 of 5 entity rows are outside what it was materialized over \(computed: \[2023-01-01T00:00:00Z, 2026-01-01T00:00:00Z\)\): 2 at or after 2026-01-01T00:00:00Z \(its end\), 1 before 2023-01-01T00:00:00Z \(its start\)\./,
    );
    // The row at 2025-12-31 is inside but after the knowledge time: a separate notice, silenced here.
    const noticed = await store.getHistoricalFeatures({ entities: entities.slice(1, 3), features: [productMix.ref('spend_365d')] });
    expect(noticed.warnings.map((w) => [w.kind, w.count, w.total])).toEqual([['past-knowledge', 1, 2]]);
  });

  it('compare names the side that is past the range', async () => {
    const diff = await store.compare('2025-06-30T00:00:00Z', '2026-06-30T00:00:00Z', { features: ['late_payments:invoices_90d'] });
    expect(diff.warnings.map((w) => w.message.split(' (computed')[0])).toEqual(["view 'late_payments': t2 2026-06-30T00:00:00Z is at or after 2026-01-01T00:00:00Z, the end of what it was materialized over"]);
  });

  it('freshness() reports per view the range, the knowledge time and that it is incomplete, as a table', async () => {
    const fresh = await store.freshness();
    expect(fresh.views.map((v) => v.view).sort()).toEqual(VIEWS.map((v) => v.name).sort());
    const mix = fresh.get('product_mix')!;
    expect(mix).toMatchObject({ version: 1, complete: false, coverage: 'recorded' });
    expect(mix.knownAt!.micros).toBe(knownAt);
    expect(mix.ranges.map((r) => [r.start?.toISOString(), r.end?.toISOString()])).toEqual([['2023-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z']]);
    expect(mix.committedAt).toBeInstanceOf(Date);
    expect(String(fresh)).toMatch(/product_mix .*│ +1 │ .*\[2023-01-01T00:00:00Z, 2026-01-01T00:00:00Z\) │ false/);
  });
});

describe('complete runs, and the store as of a past commit', () => {
  let store: FeatureStore;
  let offline: OfflineStore;
  const first = stateAt(timeline, '2024-06-30T23:59:59Z');
  const second = stateAt(timeline, '2024-12-31T23:59:59Z');
  const entities = [1n, 2n, 3n, 4n, 5n].flatMap((account_id) => ['2024-03-31T00:00:00Z', '2024-06-30T00:00:00Z', '2024-09-30T00:00:00Z'].map((t) => ({ account_id, event_timestamp: t })));
  const features = ['late_payments:*', 'product_mix:spend_365d'];
  let afterFirst: { historical: unknown[]; snapshot: unknown[]; compare: unknown[] };
  let between: string;
  let firstKnownAt: bigint;

  const answers = async (options: { asOfCommitTime?: string } = {}) => ({
    historical: (await store.getHistoricalFeatures({ entities, features, acceptPastKnowledgeTime: true, ...options })).toArray(),
    snapshot: (await store.asOf('2024-09-30T00:00:00Z', { features, acceptPastKnowledgeTime: true, ...options })).toArray(),
    compare: (await store.compare('2024-03-31T00:00:00Z', '2024-09-30T00:00:00Z', { features, acceptPastKnowledgeTime: true, ...options })).toArray(),
  });

  beforeAll(async () => {
    const made = await newStore();
    offline = made.offline;
    const one = await run(offline, first, 'full');
    firstKnownAt = one.knownAt!;
    store = await FeatureStore.open({ root: made.root, online: 'none' });
    afterFirst = await answers();
    const commits = await Promise.all(VIEWS.map((v) => offline.snapshot(v.name)));
    between = commits.map((s) => s.committedAt!).sort().at(-1)!;
    const two = await run(offline, second, 'incremental');
    expect(two.views.map((v) => v.status)).toEqual(VIEWS.map(() => 'committed'));
  }, 120_000);

  it('a complete run covers all time; past its knowledge time a notice informs, and can be silenced', async () => {
    const fresh = await store.freshness();
    expect(fresh.views.every((v) => v.complete && v.version === 2)).toBe(true);
    expect(String(fresh)).toContain('all time');
    const now = await store.asOf(new Date(), { features: ['late_payments:invoices_90d'] });
    expect(now.warnings.map((w) => [w.kind, w.code])).toEqual([['past-knowledge', 'ASOF_PAST_KNOWLEDGE_TIME']]);
    expect(now.warnings[0]!.message).toMatch(
      /^view 'late_payments': asOf .* is after 2024-12-\d\dT.*, its knowledge time \(the latest source change it was computed with, on the source's clock\): the answer assumes no source change since, as a "now" query usually does\. Pass \{ acceptPastKnowledgeTime: true \} to silence this\.$/,
    );
    await settle();
    expect(emitted.map((w) => w.code)).toEqual(['ASOF_PAST_KNOWLEDGE_TIME']);
    emitted.length = 0;
    expect((await store.asOf(new Date(), { features: ['late_payments:invoices_90d'], acceptPastKnowledgeTime: true })).warnings).toEqual([]);
    await expect(store.asOf(new Date(), { features: ['late_payments:invoices_90d'], strict: true })).rejects.toThrow(/Pass \{ acceptPastKnowledgeTime: true \} to allow/);
    expect((await store.asOf(new Date(), { features: ['late_payments:invoices_90d'], strict: true, acceptPastKnowledgeTime: true })).warnings).toEqual([]);
    await settle();
    expect(emitted).toEqual([]);
  });

  it('asOfCommitTime between the runs answers exactly what the first run wrote, on every read', async () => {
    const now = await answers();
    expect(now).not.toEqual(afterFirst); // the second run changed these answers
    expect(await answers({ asOfCommitTime: between })).toEqual(afterFirst);
  });

  it('asOfCommitTime and asKnownAt combine, and compare takes both', async () => {
    const byKnowledge = await store.compare('2024-03-31T00:00:00Z', '2024-09-30T00:00:00Z', { features, asKnownAt: firstKnownAt, acceptPastKnowledgeTime: true });
    const byCommit = await store.compare('2024-03-31T00:00:00Z', '2024-09-30T00:00:00Z', { features, asOfCommitTime: between, acceptPastKnowledgeTime: true });
    expect(byKnowledge.toArray()).toEqual(byCommit.toArray());
    const both = await store.asOf('2024-09-30T00:00:00Z', { features, asOfCommitTime: between, asKnownAt: firstKnownAt, acceptPastKnowledgeTime: true });
    expect(both.warnings).toEqual([]);
    expect(both.toArray()).toEqual(afterFirst.snapshot);
  });

  it('asOfCommitTime before the first commit answers nothing, says so, and raises under strict', async () => {
    const t = await store.getHistoricalFeatures({ entities, features: ['late_payments:invoices_90d'], asOfCommitTime: '2000-01-01T00:00:00Z' });
    expect(t.toArray().every((r) => r.invoices_90d === null)).toBe(true);
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]!.message).toMatch(
      /^view 'late_payments' had no commit at or before 2000-01-01T00:00:00Z \(asOfCommitTime, the store's commit clock; its first commit is at 20\d\d-.*\): all 15 entity rows are answered with null features\.$/,
    );
    await expect(store.asOf('2024-09-30T00:00:00Z', { features: ['late_payments:invoices_90d'], asOfCommitTime: '2000-01-01T00:00:00Z', strict: true })).rejects.toThrow(CoverageError);
  });
});
