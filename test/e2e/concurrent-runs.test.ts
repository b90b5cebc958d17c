/**
 * Issue 9, point 1: two materialization runs of the same views started at
 * once on a fresh root must leave exactly what one clean run leaves, on a
 * local root and on S3 committing through the DynamoDB coordinator. Every
 * commit log is gated so both runs plan against the same version of every
 * mirror and view and then race (the worst interleaving, every time). The
 * visible rows of every view and every source mirror are compared, sorted
 * and exact, with those of one clean run into a third root.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ObjectStore, OfflineStore } from '@asof/core';
import { materialize, type MaterializationResult } from '@asof/materializer';
import { MySqlConnector } from '@asof/materializer/mysql';
import { LocalObjectStore, openOfflineRoot, openOfflineStore } from '@asof/stores';
import { S3ObjectStore } from '@asof/stores/s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, latePayments, productMix, receivables, skuSpend } from '../../examples/trs/features.js';
import { generateTrs } from '../../examples/trs/generator.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { s3Connection, TEST_BUCKET, testCoordinator } from '../../packages/stores/src/testing/services.js';
import { EveryLogBarrier } from '../helpers/log-race.js';
import { ensureServices } from '../helpers/services.js';
import { storeContents } from '../helpers/store-contents.js';
import { createTrsDatabase, type TrsDatabase } from '../helpers/trs-database.js';

const WORKSPACE = fileURLToPath(new URL('../..', import.meta.url));
const views = [latePayments, receivables, productMix, skuSpend];
const timeline = generateTrs({ seed: 23, scale: 0.001 });
const state = stateAt(timeline, '2024-09-30T00:00:00Z');
const dirs: string[] = [];
const connectors: MySqlConnector[] = [];
let db: TrsDatabase;
let reference: Record<string, string[]>;

const localDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'asof-race-'));
  dirs.push(dir);
  return dir;
};
const connector = () => {
  const c = new MySqlConnector({ url: db.url });
  connectors.push(c);
  return c;
};
const run = (store: OfflineStore) => materialize({ store, connector: connector(), views, extraSources: [accounts], mode: 'full' });

beforeAll(async () => {
  ensureServices('mariadb', 's3', 'dynamodb-local');
  db = await createTrsDatabase('asof_race', state);
  const clean = openOfflineStore({ root: localDir() });
  const result = await run(clean);
  expect(result.views.map((v) => v.status)).toEqual(views.map(() => 'committed'));
  reference = await storeContents(clean);
  expect(Object.keys(reference).sort()).toEqual(
    ['_meta.source-identity', '_source.accounts', '_source.invoice_line_items', '_source.invoices', '_source.skus', ...views.map((v) => v.name)].sort(),
  );
}, 300_000);

afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await db?.drop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** Two runs on two handles of one root (as two processes) that plan against the same versions, then race. */
async function race(open: (wrap: (objects: ObjectStore) => ObjectStore) => OfflineStore): Promise<MaterializationResult[]> {
  const barrier = new EveryLogBarrier(2);
  const stores = [0, 1].map(() => open((objects) => barrier.wrap(objects)));
  return Promise.all(stores.map(run));
}

function expectOneWinnerPerView(results: readonly MaterializationResult[]): void {
  for (const view of views) {
    const outcomes = results.map((r) => r.views.find((v) => v.view === view.name)!);
    expect(outcomes.map((o) => o.error?.message)).toEqual([undefined, undefined]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['committed', 'unchanged']);
  }
  for (const source of ['invoices', 'skus', 'invoice_line_items', 'accounts']) {
    const added = results.map((r) => r.sources.find((s) => s.source === source)!.versionsAdded);
    expect(added.filter((n) => n > 0)).toHaveLength(1); // the loser found every version already mirrored
  }
}

describe('two concurrent materialize runs on a fresh root equal one clean run', () => {
  it('on a local root', async () => {
    const root = localDir();
    const results = await race((wrap) => openOfflineStore({ root, objectStore: wrap(new LocalObjectStore(root)) }));
    expect(await storeContents(openOfflineStore({ root }))).toEqual(reference);
    expectOneWinnerPerView(results);
  });

  it('on S3 with the DynamoDB commit coordinator', async () => {
    const prefix = `race-${randomBytes(6).toString('hex')}`;
    const root = `s3://${TEST_BUCKET}/${prefix}`;
    const coordinator = testCoordinator();
    const results = await race((wrap) =>
      openOfflineStore({ root, coordinator, objectStore: wrap(new S3ObjectStore({ ...s3Connection(), bucket: TEST_BUCKET, prefix })) }),
    );
    expect(await storeContents(await openOfflineRoot({ root, s3: s3Connection(), coordinator }))).toEqual(reference);
    expectOneWinnerPerView(results);
  });

  it('as two real `asof materialize` processes on one local root', async () => {
    const root = localDir();
    const args = ['--conditions=asof-source', 'examples/asof.ts'];
    const asof = (...argv: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [join(WORKSPACE, 'node_modules/tsx/dist/cli.mjs'), ...args, ...argv], { cwd: WORKSPACE, env: { ...process.env, ASOF_ROOT: root } });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => resolve({ code, out }));
      });
    const defs = ['--definitions', 'examples/trs/features.ts'];
    const applied = await asof('apply', ...defs);
    expect(applied.code, applied.out).toBe(0);
    const both = await Promise.all([0, 1].map(() => asof('materialize', '--start', '2000-01-01T00:00:00Z', '--end', '2100-01-01T00:00:00Z', '--source', db.url, ...defs)));
    for (const r of both) expect(r.code, r.out).toBe(0);
    const contents = await storeContents(openOfflineStore({ root }));
    expect(contents).toEqual(reference);
  }, 180_000);
});
