/**
 * The notebook examples run in CI against the store `asof demo` writes
 * (through the CLI, as the README's main command does): the scripts from
 * source, and the Jupyter notebook trs-features.ipynb in a real tslab
 * kernel against the built packages, whose displayed HTML must equal what
 * the SDK renders in-process for the same requests.
 */
import { fileURLToPath } from 'node:url';
import { createPipeline } from '@asof/materializer';
import { FeatureStore } from '@asof/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, removeTempRoots, tempRoot } from '../../packages/materializer/src/cli/testing/cli-harness.js';
import { ensureBuilt } from '../../test/helpers/build.js';
import { ensureJupyter, executeNotebook, htmlOf, problemsOf, stdoutOf, type ExecutedCell } from '../../test/helpers/jupyter.js';
import { runTrsDemo } from '../trs/demo.js';
import * as monthAgo from './month-ago-vs-today.js';
import * as online from './online-lookup.js';
import * as training from './training-set.js';

let root: string;
let store: FeatureStore;
const printed: string[] = [];
const print = (text: string) => void printed.push(text);

beforeAll(async () => {
  root = await tempRoot();
  const demo = await cli(['demo', '--root', root], { cwd: fileURLToPath(new URL('../..', import.meta.url)), env: {}, pipeline: createPipeline({ demo: runTrsDemo }) });
  expect(demo.code).toBe(0);
  store = await FeatureStore.open({ root });
}, 180_000);

afterAll(async () => {
  await store?.close();
  await removeTempRoots();
});

describe('notebook examples on the demo store', () => {
  it('training set: one row per account and month end, a label from 90 days later, point in time', async () => {
    const rows = await training.run(store, print);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length % 6).toBe(0);
    expect(rows.some((r) => r.label) && rows.some((r) => !r.label)).toBe(true);
    expect(Object.keys(rows[0]!)).toEqual(['account_id', 'event_timestamp', 'overdue_invoices', 'avg_days_to_pay_365d', 'spend_90d', 'distinct_skus_90d', 'label']);
  });

  it('a month ago vs today: only accounts that changed, each feature then and now', async () => {
    const changes = (await monthAgo.run(store, print)).toArray();
    expect(changes.length).toBeGreaterThan(0);
    for (const row of changes) {
      const r = row as Record<string, unknown>;
      expect(['overdue_invoices', 'late_paid_90d', 'distinct_skus_90d'].some((f) => r[`${f}__changed`] === true)).toBe(true);
    }
  });

  it('online lookup: values for known accounts, missing for an unknown one', async () => {
    const result = await online.run(store, print);
    expect(result.rows.length).toBe(3);
    expect(result.statuses[0]!.overdue_invoices).toBe('present');
    expect(result.statuses[2]!.overdue_invoices).toBe('missing');
    expect(printed.join('\n')).toContain('999999');
  });
});

describe('the Jupyter notebook trs-features.ipynb, executed in a real tslab kernel', () => {
  let cells: ExecutedCell[];
  /** The code cell whose source contains `marker`. */
  const cell = (marker: string) => {
    const found = cells.find((c) => c.source.includes(marker));
    if (!found) throw new Error(`no code cell contains ${JSON.stringify(marker)}`);
    return found;
  };

  beforeAll(async () => {
    ensureBuilt(); // the kernel requires @asof/sdk from its dist
    const jupyter = ensureJupyter();
    cells = await executeNotebook(jupyter, 'examples/notebooks/trs-features.ipynb', { env: { ASOF_ROOT: root } });
  }, 20 * 60_000);

  it('runs every cell without an error or a compiler diagnostic', () => {
    expect(cells.length).toBeGreaterThanOrEqual(6);
    expect(cells.flatMap(problemsOf)).toEqual([]);
    expect(stdoutOf(cells[0]!)).toBe(`FeatureStore(${root}, 4 views, online ${root}/_online)\n`);
  });

  it('shows the training set as an HTML table, the same as the SDK renders it', async () => {
    const rows = await training.run(store, () => {});
    const positives = rows.filter((r) => r.label).length;
    expect(stdoutOf(cell('const labels'))).toContain(`${rows.length} rows (${rows.length / 6} accounts x 6 month ends), ${positives} positive`);
    const html = htmlOf(cell('const training'));
    const expected = await store.getHistoricalFeatures({
      entities: rows.map((r) => ({ account_id: r.account_id, event_timestamp: r.event_timestamp, label: r.label })),
      features: ['late_payments:overdue_invoices', 'late_payments:avg_days_to_pay_365d', 'product_mix:spend_90d', 'product_mix:distinct_skus_90d'],
    });
    expect(html).toEqual([expected.toHTML()]);
    for (const column of ['account_id', 'event_timestamp', 'label', 'overdue_invoices', 'avg_days_to_pay_365d', 'spend_90d', 'distinct_skus_90d']) {
      expect(html[0]).toMatch(new RegExp(`<th title="[^"]*"( style="text-align:right")?>${column}</th>`));
    }
    expect(html[0]).toContain(`… ${rows.length - 20} more rows`);
    expect(html[0]).toContain('2025-01-31T23:59:59Z');
  });

  it('shows a month ago vs today in the long format, the same as the SDK renders it', async () => {
    const features = ['late_payments:overdue_invoices', 'late_payments:avg_days_to_pay_365d', 'product_mix:spend_90d', 'product_mix:sku_names_90d'];
    const expected = await store.compare('2025-08-31T23:59:59Z', monthAgo.TODAY, { features, format: 'long', acceptPastKnowledgeTime: true });
    expect(expected.numRows).toBeGreaterThan(0);
    const html = htmlOf(cell("format: 'long'"));
    expect(html).toEqual([expected.toHTML()]);
    expect(html[0]).toMatch(/<th[^>]*>account_id<\/th><th[^>]*>feature<\/th><th[^>]*>before<\/th><th[^>]*>after<\/th><th[^>]*>change<\/th>/);
    const counts: Record<string, number> = {};
    for (const row of expected.toArray()) counts[row.feature] = (counts[row.feature] ?? 0) + 1;
    for (const [feature, n] of Object.entries(counts)) expect(stdoutOf(cell('perFeature'))).toContain(`${feature}: ${n}`);
  });

  it('shows the online lookup with a status per feature, the same as the SDK renders it', async () => {
    const expected = await store.getOnlineFeatures({
      features: ['late_payments:overdue_invoices', 'late_payments:late_paid_90d', 'product_mix:spend_90d'],
      entities: [{ account_id: 1n }, { account_id: 2n }, { account_id: 999_999n }],
      at: '2025-10-01T00:00:00Z',
    });
    const html = htmlOf(cell('getOnlineFeatures'));
    expect(html).toEqual([expected.toHTML()]);
    expect(html[0]).toContain('<td style="text-align:right">999999</td>');
    expect(html[0]).toContain('(missing)');
  });
});
