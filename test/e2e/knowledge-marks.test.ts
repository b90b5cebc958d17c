/**
 * Issue 9, point 12: a view whose sources changed but whose rows did not
 * records its new basis (a commit without files carrying the watermark),
 * so the next run with nothing new skips it without recomputing. Counted
 * two ways: the pipeline's compute hook, and the view data files a run
 * reads (a skipped view reads none). Against MariaDB and a local root.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, type IoOptions, type ObjectStore, type OfflineStore } from '@asof/core';
import { materialize, registryText, writeRegistry, type MaterializationResult } from '@asof/materializer';
import { MySqlConnector } from '@asof/materializer/mysql';
import { FeatureStore } from '@asof/sdk';
import { LocalObjectStore, openOfflineStore } from '@asof/stores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, latePayments, productMix, receivables, skuSpend } from '../../examples/trs/features.js';
import { generateTrs } from '../../examples/trs/generator.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { storeContents } from '../helpers/store-contents.js';
import { createTrsDatabase, type TrsDatabase } from '../helpers/trs-database.js';

const views = [latePayments, receivables, productMix, skuSpend];
const readingSkus = ['receivables', 'product_mix', 'sku_spend'];
let db: TrsDatabase;
let connector: MySqlConnector;
let dir: string;

beforeAll(async () => {
  db = await createTrsDatabase('asof_marks', stateAt(generateTrs({ seed: 29, scale: 0.001 }), '2024-09-30T00:00:00Z'));
  connector = new MySqlConnector({ url: db.url });
  dir = mkdtempSync(join(tmpdir(), 'asof-marks-'));
}, 300_000);

afterAll(async () => {
  await connector?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Counts the feature views' data files read (mirrors excluded), by view. */
function countingReads(inner: ObjectStore, reads: Map<string, number>): ObjectStore {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== 'get') return Reflect.get(target, prop, receiver) as unknown;
      return (key: string, options?: IoOptions) => {
        const view = /^views\/([^/_][^/]*)\/data\//.exec(key)?.[1];
        if (view) reads.set(view, (reads.get(view) ?? 0) + 1);
        return target.get(key, options);
      };
    },
  });
}

describe('a view whose rows did not change records its knowledge time', () => {
  it('after its sources changed without changing its rows, the next run with nothing new skips it without recomputing', async () => {
    const reads = new Map<string, number>();
    const store: OfflineStore = openOfflineStore({ root: dir, objectStore: countingReads(new LocalObjectStore(dir), reads) });
    const run = async (mode: 'full' | 'incremental') => {
      const computed: string[] = [];
      reads.clear();
      const result = await materialize({ store, connector, views, mode, onCompute: (view) => computed.push(view) });
      return { result, computed: computed.sort(), reads: new Map(reads) };
    };
    const outcome = (r: MaterializationResult) => Object.fromEntries(r.views.map((v) => [v.view, [v.status, v.version, v.error?.message]]));
    const histories = async () => Object.fromEntries(await Promise.all(views.map(async (v) => [v.name, (await store.history(v.name)).length] as const)));

    /** What a notebook sees: a training set over the three views that read SKUs, now and as known at the first run. */
    await writeRegistry(new LocalObjectStore(dir), registryText(createRegistry(...definitions)));
    const spine = [1n, 2n, 3n, 4n].flatMap((account_id) => ['2024-03-31T00:00:00Z', '2024-09-29T00:00:00Z'].map((t) => ({ account_id, event_timestamp: new Date(t) })));
    const notebook = async (asKnownAt?: string) => {
      const sdk = await FeatureStore.open({ root: dir, online: 'none' });
      try {
        const table = await sdk.getHistoricalFeatures({ entities: spine, features: [receivables, productMix, latePayments], ...(asKnownAt ? { asKnownAt } : {}) });
        return JSON.stringify(table.toArray(), (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
      } finally {
        await sdk.close();
      }
    };

    const first = await run('full');
    expect(outcome(first.result)).toEqual(Object.fromEntries(views.map((v) => [v.name, ['committed', 1, undefined]])));
    expect(first.computed).toEqual(views.map((v) => v.name).sort());
    const rowsBefore = await storeContents(store);
    const seenBefore = await notebook();
    const knownThen = await notebook('2024-09-30T06:00:00Z');

    // A SKU is renamed after every invoice: a new source version the three line-item views read, and no feature changes.
    const [[sku]] = (await db.pool.query('SELECT MIN(sku_id) AS id FROM skus')) as unknown as [[{ id: string }]];
    await db.pool.query("UPDATE skus SET item_name = CONCAT(item_name, ' (renamed)'), updated_at = '2024-09-30 12:00:00.000000' WHERE sku_id = ?", [sku!.id]);

    const second = await run('incremental');
    expect(second.result.sources.find((s) => s.source === 'skus')!.versionsAdded).toBe(1);
    expect(second.computed).toEqual([...readingSkus].sort()); // late_payments reads no SKU: skipped
    expect(outcome(second.result)).toEqual({
      late_payments: ['unchanged', null, undefined],
      receivables: ['unchanged', 2, undefined],
      product_mix: ['unchanged', 2, undefined],
      sku_spend: ['unchanged', 2, undefined],
    });
    for (const name of readingSkus) {
      const mark = (await store.history(name)).at(-1)!;
      expect(mark).toMatchObject({ version: 2, operation: 'append', readVersion: 1, added: [], removed: [], watermark: { complete: true } });
      const knownAt = (r: MaterializationResult) => r.views.find((v) => v.view === name)!.knownAt!;
      expect((mark.watermark as { knownAt: string }).knownAt).toBe(String(knownAt(second.result)));
      expect(knownAt(second.result)).toBeGreaterThan(knownAt(first.result));
    }
    const after = await storeContents(store);
    for (const view of views) expect(after[view.name]).toEqual(rowsBefore[view.name]);
    expect(await notebook()).toEqual(seenBefore);
    expect(await notebook('2024-09-30T06:00:00Z')).toEqual(knownThen);
    expect(await notebook('2024-09-30T18:00:00Z')).toEqual(seenBefore);

    const historyBefore = await histories();
    const third = await run('incremental');
    expect(third.computed).toEqual([]);
    expect(outcome(third.result)).toEqual(Object.fromEntries(views.map((v) => [v.name, ['unchanged', null, undefined]])));
    expect(Object.fromEntries(views.map((v) => [v.name, third.reads.get(v.name) ?? 0]))).toEqual(Object.fromEntries(views.map((v) => [v.name, 0])));
    expect(await histories()).toEqual(historyBefore);
  });
});
