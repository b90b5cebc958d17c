import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, defineFeatureView, rowsToTable, type OnlineStore } from '@asof/core';
import { LmdbOnlineStore } from '@asof/stores/lmdb';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import type { ViewRunResult } from '../materialize-request.js';
import { account, day, freshStore, payment, paymentColumns, payments, paymentStats, removeRoots } from '../testing/payments.js';
import { materialize } from '../materialize.js';
import { TableSourceConnector } from '../../adapters/memory/table-connector.js';
import { publishViews } from './publish-views.js';

const dirs: string[] = [];
afterAll(() => {
  removeRoots();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const offlineOnly = defineFeatureView({ name: 'offline_only', entities: [account], source: payments, online: false, features: { n: count({ window: 'lifetime' }) } });
const result = (view: string, status: ViewRunResult['status']): ViewRunResult => ({ view, status, version: 1, rowsComputed: 0, rowsWritten: 0, filesAdded: 0, knownAt: null, ms: 0, lookups: [], affected: { kind: 'all', reason: 'test' } });

describe('the publish stage (publishViews)', () => {
  it('publishes each online view whose run did not fail, at the instant read once the online store is open', async () => {
    const store = freshStore();
    const table = rowsToTable([payment(1, 1, 1), payment(2, 2, 2)], paymentColumns, Object.keys(paymentColumns));
    await materialize({ store, connector: new TableSourceConnector({ payments: table }, { name: 'shop' }), views: [paymentStats], mode: 'full' });
    const dir = mkdtempSync(join(tmpdir(), 'asof-publish-'));
    dirs.push(dir);
    const online = new LmdbOnlineStore({ path: dir });
    const calls: string[] = [];
    const done = await publishViews(
      store,
      [paymentStats, offlineOnly],
      [result(paymentStats.name, 'committed'), result(offlineOnly.name, 'committed')],
      { online: async () => (calls.push('online'), online), at: () => (calls.push('at'), day(10)) },
      { logger: silentLogger },
    );
    expect(calls).toEqual(['online', 'at']);
    expect(done.map((r) => [r.view, r.published ?? null])).toEqual([
      [
        paymentStats.name,
        // Each entity's timeline from the instant to the view's horizon (7 days by default).
        { view: paymentStats.name, entities: 2, written: 2, split: 0, shortened: [], publishedAt: '2024-01-11T00:00:00.000000Z', horizonEnd: '2024-01-18T00:00:00.000000Z' },
      ],
      [offlineOnly.name, null],
    ]);
    const failed = await publishViews(store, [paymentStats], [result(paymentStats.name, 'failed')], { online: async () => online, at: () => day(10) }, { logger: silentLogger });
    expect(failed[0]!.published).toBeUndefined();
    let asked = false;
    const none = await publishViews(store, [paymentStats], [result(paymentStats.name, 'committed')], { online: async () => null as OnlineStore | null, at: () => ((asked = true), day(10)) }, { logger: silentLogger });
    expect([none[0]!.published, asked]).toEqual([undefined, false]);
    await online.close();
  });
});
