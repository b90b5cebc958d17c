/**
 * Runs that race on one root with different source data (in-memory TRS
 * states, local roots): a mirror append that loses re-plans without
 * duplicating or losing a version; a view computation from older source
 * data than the one committed is refused with ConcurrentCommitError and
 * changes nothing; a lost race that never ends fails typed and leaves no
 * files behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConcurrentCommitError, type IoOptions, type ObjectStore, type OfflineStore } from '@asof/core';
import { materialize, mirrorName, mirrorSource, TableSourceConnector } from '@asof/materializer';
import { LocalObjectStore, openOfflineStore } from '@asof/stores';
import { afterAll, describe, expect, it } from 'vitest';
import { beforeFirstLogWrite } from '../../packages/stores/src/testing/fixtures.js';
import { storeContents, visibleRows } from '../../test/helpers/store-contents.js';
import { invoices, latePayments, lineItems, productMix, receivables, skus, skuSpend } from './features.js';
import { generateTrs } from './generator.js';
import { stateAt, type TrsState } from './state-at.js';

const views = [latePayments, receivables, productMix, skuSpend];
const timeline = generateTrs({ seed: 37, scale: 0.001 });
const older = stateAt(timeline, '2024-06-30T00:00:00Z');
const newer = stateAt(timeline, '2024-09-30T00:00:00Z');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function root(): string {
  const dir = mkdtempSync(join(tmpdir(), 'asof-races-'));
  dirs.push(dir);
  return dir;
}
const wrapped = (dir: string, wrap: (o: ObjectStore) => ObjectStore) => openOfflineStore({ root: dir, objectStore: wrap(new LocalObjectStore(dir)) });
const run = (store: OfflineStore, state: TrsState, mode: 'full' | 'incremental' = 'full') => materialize({ store, connector: new TableSourceConnector(state.tables), views, mode });
const mirrorOnce = (store: OfflineStore, state: TrsState) =>
  new TableSourceConnector(state.tables).snapshot((session) => mirrorSource(store, session, invoices, { mode: 'full' }));

describe('runs racing with different source data', () => {
  it('a mirror append that loses to one with some of the same versions adds exactly the others: none twice, none lost', async () => {
    const dir = root();
    const winner = openOfflineStore({ root: dir });
    const loser = wrapped(dir, (o) => beforeFirstLogWrite(o, mirrorName(invoices), () => mirrorOnce(winner, older)));
    const result = await mirrorOnce(loser, newer);
    const reference = openOfflineStore({ root: root() });
    await mirrorOnce(reference, older);
    const alone = await mirrorOnce(reference, newer);
    expect(result.versionsAdded).toBe(alone.versionsAdded); // the versions the older extract lacked, no more
    expect(result.versionsAdded).toBeGreaterThan(0);
    expect(result.commit).toMatchObject({ version: 2, readVersion: 1 });
    const mirrored = await visibleRows(openOfflineStore({ root: dir }), mirrorName(invoices));
    expect(new Set(mirrored).size).toBe(mirrored.length);
    expect(mirrored).toEqual(await visibleRows(reference, mirrorName(invoices)));
  });

  it('a run whose views would be computed from older source data than another run committed fails typed and changes nothing; a re-run finds the views up to date', async () => {
    const dir = root();
    const other = openOfflineStore({ root: dir });
    // The older run has mirrored and pinned its sources when the newer run does all its work and commits first.
    const stale = wrapped(dir, (o) => beforeFirstLogWrite(o, latePayments.name, () => run(other, newer, 'incremental')));
    const result = await run(stale, older);
    for (const view of result.views) {
      expect(view.status, view.view).toBe('failed');
      expect(view.error).toBeInstanceOf(ConcurrentCommitError);
      expect(view.error?.message).toMatch(
        new RegExp(`^another run committed version 1 of '${view.view}' first, from newer source data \\(the mirror of '.+' at version 2, where this run read version 1\\); this run's rows would undo it and were not committed: re-run to build on it$`),
      );
    }
    // What one clean run leaves after both extracts were mirrored: the views computed once, from the newer data.
    const sequential = openOfflineStore({ root: root() });
    await materialize({ store: sequential, connector: new TableSourceConnector(older.tables), views: [], extraSources: [invoices, skus, lineItems], mode: 'full' });
    await run(sequential, newer, 'incremental');
    const expected = await storeContents(sequential);
    expect(await storeContents(openOfflineStore({ root: dir }))).toEqual(expected);
    const again = await run(openOfflineStore({ root: dir }), older, 'incremental');
    expect(again.views.map((v) => [v.view, v.status])).toEqual(views.map((v) => [v.name, 'unchanged']));
    expect(await storeContents(openOfflineStore({ root: dir }))).toEqual(expected);
  });

  it('a run that loses a view commit to one computed from older data recomputes its diff from its kept events (spilled in many buckets)', async () => {
    const dir = root();
    const budget = { memoryBudgetRows: 300 };
    const one = (store: OfflineStore, state: TrsState) => materialize({ store, connector: new TableSourceConnector(state.tables), views: [productMix], mode: 'full', ...budget });
    // The older run computes its diff and waits at its commit; the newer one starts then (so it mirrors after the older
    // run pinned its mirrors), computes its own diff, and lets the older one commit first just before it commits.
    let olderWaiting!: () => void;
    const olderAtCommit = new Promise<void>((resolve) => (olderWaiting = resolve));
    let releaseOlder!: () => void;
    const olderMayCommit = new Promise<void>((resolve) => (releaseOlder = resolve));
    let olderCommitted!: () => void;
    const olderDone = new Promise<void>((resolve) => (olderCommitted = resolve));
    const olderStore = wrapped(dir, (o) =>
      new Proxy(o, {
        get(target, prop, receiver) {
          if (prop !== 'putIfAbsent') return Reflect.get(target, prop, receiver) as unknown;
          return async (key: string, bytes: Uint8Array, options?: IoOptions) => {
            if (!key.startsWith(`views/${productMix.name}/_log/`)) return target.putIfAbsent(key, bytes, options);
            olderWaiting();
            await olderMayCommit;
            const created = await target.putIfAbsent(key, bytes, options);
            olderCommitted();
            return created;
          };
        },
      }),
    );
    const newerStore = wrapped(dir, (o) =>
      beforeFirstLogWrite(o, productMix.name, async () => {
        releaseOlder();
        await olderDone;
      }),
    );
    const [a, b] = await Promise.all([one(olderStore, older), olderAtCommit.then(() => one(newerStore, newer))]);
    expect(a.views[0]).toMatchObject({ status: 'committed', version: 1 });
    expect(b.views[0]).toMatchObject({ status: 'committed', version: 2 });
    const history = await openOfflineStore({ root: dir }).history(productMix.name);
    expect(history.map((c) => c.readVersion)).toEqual([0, 1]); // the newer diff was recomputed against the older run's commit
    const sequential = openOfflineStore({ root: root() });
    await one(sequential, older);
    await one(sequential, newer);
    expect(await visibleRows(openOfflineStore({ root: dir }), productMix.name)).toEqual(await visibleRows(sequential, productMix.name));
  });

  it('a mirror append that keeps losing fails with ConcurrentCommitError after a bounded number of attempts and leaves no staged file', async () => {
    const dir = root();
    const other = openOfflineStore({ root: dir });
    let wins = 0;
    const alwaysFirst = (inner: ObjectStore): ObjectStore =>
      new Proxy(inner, {
        get(target, prop, receiver) {
          if (prop !== 'putIfAbsent') return Reflect.get(target, prop, receiver) as unknown;
          return async (key: string, bytes: Uint8Array, options?: IoOptions) => {
            if (key.startsWith(`views/${mirrorName(invoices)}/_log/`)) {
              wins++;
              await other.beginWrite(mirrorName(invoices)).commit({ operation: 'append', watermark: { versionTime: '0' } });
            }
            return target.putIfAbsent(key, bytes, options);
          };
        },
      });
    const error = await mirrorOnce(wrapped(dir, alwaysFirst), older).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrentCommitError);
    expect(wins).toBe(5);
    expect((await other.history(mirrorName(invoices))).every((c) => c.added.length === 0)).toBe(true);
    const dry = await other.vacuum({ graceMs: 0, dryRun: true, now: Date.now() + 60_000 });
    expect(dry.deleted.filter((k) => k.endsWith('.parquet'))).toEqual([]);
  });
});
