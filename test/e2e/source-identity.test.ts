/**
 * Issue 9, point 3: a store root knows its source database. Two MariaDB
 * databases with the same TRS schema (B also holds one account version A
 * never had, older than A's watermark); a root materialized from A refuses
 * B, full or incremental, and writes nothing; `rebaseSource` re-bases it on
 * B and reads every source in full once (so that old version is not
 * missed); every spelling of A's address is A; the record holds no
 * credential; racing first runs agree or one fails typed (local root, and
 * S3 committing through DynamoDB Local); the CLI says it in one line.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceMismatchError, type OfflineStore } from '@asof/core';
import { createPipeline, materialize, readIdentityLog } from '@asof/materializer';
import { MySqlConnector } from '@asof/materializer/mysql';
import { openOfflineRoot, openOfflineStore } from '@asof/stores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrsDemo } from '../../examples/trs/demo.js';
import { accounts, latePayments, productMix, receivables, skuSpend } from '../../examples/trs/features.js';
import { generateTrs } from '../../examples/trs/generator.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { checkSourceIdentity } from '../../packages/materializer/src/engine/source-identity/check.js';
import { cli } from '../../packages/materializer/src/cli/testing/cli-harness.js';
import { s3Connection, testCoordinator } from '../../packages/stores/src/testing/services.js';
import { createTrsDatabase, type TrsDatabase } from '../helpers/trs-database.js';

const WORKSPACE = fileURLToPath(new URL('../..', import.meta.url));
const views = [latePayments, receivables, productMix, skuSpend];
/** Mirrored though no view reads it, as the CLI's pipeline does (the finance export names accounts). */
const extraSources = [accounts];
const SOURCES = ['accounts', 'invoice_line_items', 'invoices', 'skus'];
const state = stateAt(generateTrs({ seed: 23, scale: 0.001 }), '2024-06-30T00:00:00Z');
/** An account version B has and A never had, older than anything A's incremental runs would re-read. */
const LOST_ACCOUNT = 990_001;
const user = `asof_id_${randomBytes(4).toString('hex')}`;
const password = `pw-${randomBytes(12).toString('hex')}`;

let a: TrsDatabase;
let b: TrsDatabase;
const connectors: MySqlConnector[] = [];
const dirs: string[] = [];

const connect = (url: string) => {
  const connector = new MySqlConnector({ url });
  connectors.push(connector);
  return connector;
};

async function localRoot(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'asof-identity-e2e-'));
  dirs.push(dir);
  return dir;
}

/** Every file under a local root with its bytes: what a refused run must leave exactly as it was. */
async function filesOf(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.set(path.relative(root, file), (await readFile(file)).toString('base64'));
  }
  return out;
}

const mirrorRows = async (store: OfflineStore, source: string) => (await store.snapshot(`_source.${source}`)).files.reduce((n, f) => n + f.rows, 0);

beforeAll(async () => {
  [a, b] = await Promise.all([createTrsDatabase('asof_ida', state), createTrsDatabase('asof_idb', state)]);
  await b.pool.query(
    "INSERT INTO accounts (account_id, company_name, contact_email, created_at, updated_at) VALUES (?, 'Lost Version Ltd', 'lost@example.com', '2024-01-15 00:00:00', '2024-01-15 00:00:00')",
    [LOST_ACCOUNT],
  );
  await a.pool.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
  await a.pool.query(`GRANT SELECT ON \`${a.name}\`.* TO '${user}'@'%'`);
}, 300_000);

afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await a?.pool.query(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => undefined);
  await Promise.all([a?.drop(), b?.drop()]);
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('a root knows its source database (MariaDB)', () => {
  it('refuses another database, full or incremental, writing nothing; a re-base records both and reads every source in full once', async () => {
    const root = await localRoot();
    const store = openOfflineStore({ root });
    const first = await materialize({ store, connector: connect(a.url), views, extraSources, mode: 'full' });
    expect(first.identity.status).toBe('recorded');
    expect(first.views.map((v) => v.status)).toEqual(views.map(() => 'committed'));
    const before = await filesOf(root);

    const fromB = connect(b.url);
    for (const mode of ['full', 'incremental'] as const) {
      const refused = await materialize({ store, connector: fromB, views, mode }).catch((e: unknown) => e);
      expect(refused, mode).toBeInstanceOf(SourceMismatchError);
      const message = (refused as Error).message;
      expect(message).toContain(`built from mysql database '${a.name}'`);
      expect(message).toContain(`connected to mysql database '${b.name}'`);
      expect(message).toContain('--rebase-source');
      // Mirrors, views and the record: not one byte written, not even an invisible orphan.
      expect(await filesOf(root)).toEqual(before);
    }

    const rebased = await materialize({ store, connector: fromB, views, extraSources, mode: 'incremental', rebaseSource: true });
    expect(rebased.identity.status).toBe('rebased');
    expect([...rebased.identity.fullRead].sort()).toEqual(SOURCES);
    // The full read finds the version an incremental read from A's watermark would have skipped.
    expect(Object.fromEntries(rebased.sources.map((s) => [s.source, s.versionsAdded]))).toEqual({ accounts: 1, invoice_line_items: 0, invoices: 0, skus: 0 });
    expect(rebased.views.every((v) => v.status !== 'failed')).toBe(true);

    const log = await readIdentityLog(store);
    expect(log.history.map((e) => [e.event, e.identity.database, [...e.fullReadPending]])).toEqual([
      ['recorded', a.name, []],
      ['rebased', b.name, SOURCES],
      ['reread', b.name, []],
    ]);
    expect(log.history[1]!.note).toContain(`re-based from mysql database '${a.name}'`);

    const next = await materialize({ store, connector: fromB, views, extraSources, mode: 'incremental' });
    expect(next.identity).toMatchObject({ status: 'matched', fullRead: [] });
    expect(next.sources.every((s) => s.versionsAdded === 0)).toBe(true);
    // A is now the other database.
    await expect(materialize({ store, connector: connect(a.url), views, extraSources, mode: 'incremental' })).rejects.toBeInstanceOf(SourceMismatchError);
  });

  it('localhost, 127.0.0.1 and another user are the same source; the record holds no user or password', async () => {
    const root = await localRoot();
    const store = openOfflineStore({ root });
    const asUser = Object.assign(new URL(a.url), { username: user, password }).href;
    expect((await materialize({ store, connector: connect(asUser), views, extraSources, mode: 'full' })).identity.status).toBe('recorded');
    for (const url of [a.url, Object.assign(new URL(a.url), { hostname: 'localhost' }).href, Object.assign(new URL(asUser), { hostname: 'localhost' }).href]) {
      const run = await materialize({ store, connector: connect(url), views, extraSources, mode: 'incremental' });
      expect(run.identity, url).toMatchObject({ status: 'matched', changes: [], fullRead: [] });
    }
    expect((await readIdentityLog(store)).history).toHaveLength(1);
    const files = await filesOf(root);
    const identityFiles = [...files.keys()].filter((f) => f.includes('_meta.source-identity'));
    expect(identityFiles.length).toBeGreaterThan(0);
    for (const [file, bytes] of files) {
      const text = Buffer.from(bytes, 'base64').toString('latin1');
      expect(text, file).not.toContain(password);
      expect(text, file).not.toContain(user);
    }
  });

  describe.each(['local', 's3'])('racing first runs on a fresh %s root', (kind) => {
    const freshStore = async (): Promise<OfflineStore> =>
      kind === 'local'
        ? openOfflineStore({ root: await localRoot() })
        : await openOfflineRoot({ root: `s3://asof-test/identity-${randomBytes(6).toString('hex')}`, s3: s3Connection(), coordinator: testCoordinator() });

    it('checks from A and B at once: one database wins, every check from the other fails typed, one valid record', async () => {
      const store = await freshStore();
      const [fromA, fromB] = [connect(a.url), connect(b.url)];
      const sources = [...new Map([...views.flatMap((v) => [v.source, ...v.lookups.map((l) => l.source)]), accounts].map((s) => [s.name, s])).values()];
      const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => checkSourceIdentity({ store, connector: i % 2 ? fromB : fromA, sources, rebase: false })));
      const log = await readIdentityLog(store);
      expect(log.history).toHaveLength(1);
      const winner = log.current!.identity.database;
      results.forEach((r, i) => {
        if ((i % 2 ? b.name : a.name) === winner) expect(r.status, String((r as PromiseRejectedResult).reason)).toBe('fulfilled');
        else expect((r as PromiseRejectedResult).reason).toBeInstanceOf(SourceMismatchError);
      });
    });

    it('two materialize runs from A and B at once: one commits, the other is refused before extracting', async () => {
      const store = await freshStore();
      const [ra, rb] = await Promise.allSettled([
        materialize({ store, connector: connect(a.url), views, extraSources, mode: 'full' }),
        materialize({ store, connector: connect(b.url), views, extraSources, mode: 'full' }),
      ]);
      expect([ra.status, rb.status].sort()).toEqual(['fulfilled', 'rejected']);
      const loser = (ra.status === 'rejected' ? ra : rb) as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(SourceMismatchError);
      const winner = ra.status === 'fulfilled' ? a : b;
      expect((await readIdentityLog(store)).current?.identity.database).toBe(winner.name);
      // Only the winner's rows were mirrored: B alone has the extra account.
      expect(await mirrorRows(store, 'accounts')).toBe(state.tables.accounts.numRows + (winner === b ? 1 : 0));
    });
  });

  it('through the CLI: one line naming both databases and the flag; --rebase-source then proceeds', async () => {
    const root = await localRoot();
    const pipeline = createPipeline({ demo: runTrsDemo });
    const asof = (...argv: string[]) => cli(argv, { cwd: WORKSPACE, env: {}, pipeline });
    const defs = ['--definitions', 'examples/trs/features.ts'];
    const range = ['--start', '2023-01-01T00:00:00Z', '--end', '2030-01-01T00:00:00Z'];
    expect((await asof('apply', '--root', root, ...defs)).code).toBe(0);
    expect((await asof('materialize', '--root', root, ...range, '--source', a.url, ...defs)).code).toBe(0);

    const plain = (lines: string[]) => lines.filter((l) => !l.startsWith('{'));
    for (const argv of [['materialize-incremental'], ['materialize', ...range]]) {
      const refused = await asof(...argv, '--root', root, '--source', b.url, ...defs);
      expect(refused.code).toBe(1);
      const lines = plain(refused.errLines);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^asof: ${argv[0]} failed: root ${root} was built from mysql database '${a.name}' .* but this run is connected to mysql database '${b.name}' .*` +
            `database '${a.name}' ≠ '${b.name}'.*re-base this root on it with one run given --rebase-source .* \\(SOURCE_MISMATCH\\)$`,
        ),
      );
      expect(refused.stdout).toBe('');
    }

    const rebased = await asof('materialize-incremental', '--root', root, '--source', b.url, '--rebase-source', ...defs);
    expect(rebased.code, rebased.stderr).toBe(0);
    const logs = rebased.errLines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; level: string; fullRead?: string[] });
    expect(logs.find((l) => l.msg.startsWith('root re-based on another source'))).toMatchObject({ level: 'warn' });
    expect(logs.find((l) => l.msg.startsWith('root re-based on another source'))!.fullRead!.sort()).toEqual(SOURCES);

    // schedule and the demo run the same check: B is the root's source now, so each refuses A or the demo's in-memory source.
    const scheduled = await asof('schedule', '--root', root, '--cron', '* * * * * *', '--incremental', '--max-ticks', '1', '--source', a.url, ...defs);
    expect(scheduled.code).toBe(1);
    expect(plain(scheduled.errLines).at(-1)).toMatch(
      new RegExp(`^asof: schedule failed: 1 of 1 scheduled run\\(s\\) failed; last: root .* connected to mysql database '${a.name}'.*--rebase-source.* \\(SOURCE_MISMATCH\\)$`),
    );
    const registry = await readFile(path.join(root, 'registry.json'));
    const before = await filesOf(root);
    const demo = await asof('demo', '--root', root);
    expect(demo.code).toBe(1);
    expect(plain(demo.errLines).at(-1)).toMatch(/^asof: demo failed: root .* built from mysql database .* connected to memory database 'trs-demo'.*\(SOURCE_MISMATCH\)$/);
    expect(await readFile(path.join(root, 'registry.json'))).toEqual(registry);
    expect([...(await filesOf(root)).keys()].filter((f) => !before.has(f) && !f.startsWith('_online'))).toEqual([]);

    const help = await asof('materialize-incremental', '--help');
    expect(help.stdout).toContain('--rebase-source');
  });
});
