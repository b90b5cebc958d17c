/**
 * Issue 9: compaction and retention racing a materialize run, each way
 * round, end with the rows of the same steps run one after the other in
 * the order their commits landed. The race is forced: the loser has
 * planned, and the winner's whole commit runs just before the loser's log
 * write. Against MariaDB and local roots.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Commit, ObjectStore, OfflineStore } from '@asof/core';
import { materialize } from '@asof/materializer';
import { MySqlConnector } from '@asof/materializer/mysql';
import { LocalObjectStore, openOfflineStore } from '@asof/stores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, latePayments, productMix, receivables, skuSpend } from '../../examples/trs/features.js';
import { generateTrs } from '../../examples/trs/generator.js';
import { applyTrsChanges } from '../../examples/trs/load-mysql.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { beforeFirstLogWrite } from '../../packages/stores/src/testing/fixtures.js';
import { storeContents } from '../helpers/store-contents.js';
import { createTrsDatabase, type TrsDatabase } from '../helpers/trs-database.js';

const views = [latePayments, receivables, productMix, skuSpend];
const timeline = generateTrs({ seed: 31, scale: 0.001 });
const states = ['2024-06-30T00:00:00Z', '2024-10-31T00:00:00Z', '2024-12-31T00:00:00Z'].map((t) => stateAt(timeline, t));
/** Full history from 2024-12-01, the last row per account per month before: the December run's changes reach into November. */
const RETENTION = { keys: ['account_id'], fullMs: 61 * 86_400_000, now: '2025-01-31T00:00:00Z' } as const;
const VIEW = latePayments.name;
const dirs: string[] = [];
let db: TrsDatabase;
let connector: MySqlConnector;

/** A root by name, each `open` an independent handle (another process), optionally with its object store wrapped. */
const roots = new Map<string, string>();
function open(name: string, wrap?: (objects: ObjectStore) => ObjectStore): OfflineStore {
  let dir = roots.get(name);
  if (!dir) {
    roots.set(name, (dir = mkdtempSync(join(tmpdir(), `asof-maint-${name}-`))));
    dirs.push(dir);
  }
  return wrap ? openOfflineStore({ root: dir, objectStore: wrap(new LocalObjectStore(dir)) }) : openOfflineStore({ root: dir });
}
const run = async (store: OfflineStore, mode: 'full' | 'incremental') => {
  const result = await materialize({ store, connector, views, extraSources: [accounts], mode });
  expect(result.views.map((v) => v.error?.message)).toEqual(views.map(() => undefined));
  return result;
};
const operations = async (store: OfflineStore) => (await store.history(VIEW)).map((c: Commit) => [c.version, c.operation, c.readVersion]);

beforeAll(async () => {
  db = await createTrsDatabase('asof_maint', states[0]!);
  connector = new MySqlConnector({ url: db.url });
  const all = ['serial', 'retainedFirst', 'r1', 'r2', 'r3', 'r4'];
  for (const name of all) await run(open(name), 'full');
  await applyTrsChanges(db.pool, states[0]!, states[1]!);
  for (const name of all) await run(open(name), 'incremental');
  await applyTrsChanges(db.pool, states[1]!, states[2]!);
  // The references: every step one after the other.
  await run(open('serial'), 'incremental');
  expect(await open('retainedFirst').applyRetention(VIEW, RETENTION)).not.toBeNull();
  await run(open('retainedFirst'), 'incremental');
}, 600_000);

afterAll(async () => {
  await connector?.close();
  await db?.drop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe('compaction and retention racing a materialize run', () => {
  it('a materialize run that loses to a compaction moves past it (its diff is still valid); rows as if run one after the other', async () => {
    const other = open('r1');
    const racing = open('r1', (o) => beforeFirstLogWrite(o, VIEW, async () => expect(await other.compact(VIEW)).not.toBeNull()));
    await run(racing, 'incremental');
    expect(await operations(open('r1'))).toEqual([[1, 'append', 0], [2, 'append', 1], [3, 'compact', 2], [4, 'append', 2]]);
    expect(await storeContents(open('r1'))).toEqual(await storeContents(open('serial')));
  });

  it('a compaction that loses to a materialize run moves past it; rows as if run one after the other', async () => {
    const other = open('r2');
    const racing = open('r2', (o) => beforeFirstLogWrite(o, VIEW, () => run(other, 'incremental')));
    expect(await racing.compact(VIEW)).not.toBeNull();
    expect(await operations(open('r2'))).toEqual([[1, 'append', 0], [2, 'append', 1], [3, 'append', 2], [4, 'compact', 3]]);
    expect(await storeContents(open('r2'))).toEqual(await storeContents(open('serial')));
  });

  it('a materialize run that loses to a retention recomputes its diff against it and leaves the coarsened history alone', async () => {
    const other = open('r3');
    const racing = open('r3', (o) => beforeFirstLogWrite(o, VIEW, async () => expect(await other.applyRetention(VIEW, RETENTION)).not.toBeNull()));
    await run(racing, 'incremental');
    expect(await operations(open('r3'))).toEqual([[1, 'append', 0], [2, 'append', 1], [3, 'retention', 2], [4, 'append', 3]]);
    expect(await storeContents(open('r3'))).toEqual(await storeContents(open('retainedFirst')));
  });

  it('a retention that loses to a materialize run plans again and coarsens the rows that run added', async () => {
    const other = open('r4');
    const racing = open('r4', (o) => beforeFirstLogWrite(o, VIEW, () => run(other, 'incremental')));
    expect(await racing.applyRetention(VIEW, RETENTION)).not.toBeNull();
    expect(await operations(open('r4'))).toEqual([[1, 'append', 0], [2, 'append', 1], [3, 'append', 2], [4, 'retention', 3]]);
    const serialThenRetained = open('serial');
    await serialThenRetained.applyRetention(VIEW, RETENTION);
    expect(await storeContents(open('r4'))).toEqual(await storeContents(serialThenRetained));
  });
});
