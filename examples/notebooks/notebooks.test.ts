/**
 * The notebook examples run in CI against the store `asof demo` writes
 * (through the CLI, as the README's main command does).
 */
import { fileURLToPath } from 'node:url';
import { createPipeline } from '@asof/materializer';
import { FeatureStore } from '@asof/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, removeTempRoots, tempRoot } from '../../packages/materializer/src/cli/testing/cli-harness.js';
import { runTrsDemo } from '../trs/demo.js';
import * as monthAgo from './month-ago-vs-today.js';
import * as online from './online-lookup.js';
import * as training from './training-set.js';

let store: FeatureStore;
const printed: string[] = [];
const print = (text: string) => void printed.push(text);

beforeAll(async () => {
  const root = await tempRoot();
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
