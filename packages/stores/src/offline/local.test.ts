import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { batchOf, makeRows, rowsOf, sorted } from '../testing/fixtures.js';
import { LocalObjectStore } from '../adapters/local-fs/local-object-store.js';
import { describeOfflineStore } from './offline-store.contract.js';
import { openOfflineStore } from './open.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describeOfflineStore('local directory', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'asof-offline-'));
  roots.push(root);
  const objects = new LocalObjectStore(root);
  return {
    objects,
    open: async (options) =>
      options?.wrap
        ? openOfflineStore({ root, objectStore: options.wrap(new LocalObjectStore(root)) })
        : openOfflineStore({ root: `file://${root}` }),
  };
});

describe('monthly partitions', () => {
  it('puts a month of rows in one event_month=YYYY-MM file and reads them back unchanged', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'asof-offline-month-'));
    roots.push(root);
    const store = await openOfflineStore({ root });
    const rows = makeRows(60, { days: 45, start: 1_706_745_600_000_000n }); // from 2024-02-01, over 45 days
    const writer = store.beginWrite('v', { partitioning: 'month' });
    await writer.writeBatch(batchOf(rows));
    const commit = await writer.commit({ operation: 'append' });
    expect(commit.added.map((f) => f.path.split('/')[1]).sort()).toEqual(['event_month=2024-02', 'event_month=2024-03']);
    const back: RecordBatch[] = [];
    for await (const b of store.scan('v')) back.push(b);
    expect(rowsOf(back).sort()).toEqual(sorted(rows));
  });
});
