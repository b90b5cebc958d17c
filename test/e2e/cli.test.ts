/**
 * The `asof` CLI as a user runs it (issue 3, deliverable 5), in-process
 * through `runCli` with the workspace's pipeline and the TRS demo plugged in
 * (what `pnpm asof` runs), against a fresh MariaDB database loaded with
 * generated TRS data and a temp-dir root. Output is captured: stderr is not
 * a terminal, so logs are JSON lines and the failure line is the last one.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry, tableToRows, toEpochMicros, type JsRow, type OfflineStore } from '@asof/core';
import { createPipeline } from '@asof/materializer';
import { createMySqlWritePool, type MySqlWritePool } from '@asof/materializer/mysql';
import { openOfflineStore, viewCoverage } from '@asof/stores';
import { Table, type RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrsDemo } from '../../examples/trs/demo.js';
import { generateTrs } from '../../examples/trs/generator.js';
import { applyTrsChanges, loadTrsIntoMySql } from '../../examples/trs/load-mysql.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { cli as runAsof, removeTempRoots, tempRoot, type CliResult } from '../../packages/materializer/src/cli/testing/cli-harness.js';
import { ensureServices } from '../helpers/services.js';
import { createSkuVersionsSeen, expectFeaturesMatchSql, recordSkuVersions } from '../helpers/trs-sql-oracle.js';

const WORKSPACE = fileURLToPath(new URL('../..', import.meta.url));
const VIEWS = ['late_payments', 'receivables', 'product_mix', 'sku_spend'];
const DEFINITIONS = 'examples/trs/features.ts';
const timeline = generateTrs({ seed: 11, scale: 0.001 });
const states = [stateAt(timeline, '2024-06-30T00:00:00Z'), stateAt(timeline, '2024-10-31T00:00:00Z'), stateAt(timeline, '2024-12-31T00:00:00Z')] as const;
const database = `asof_cli_${process.pid}_${randomBytes(3).toString('hex')}`;
const pipeline = createPipeline({ demo: runTrsDemo });

let admin: MySqlWritePool;
let pool: MySqlWritePool;
/** `--source`: the test database on the test server. */
let source: string;
/** The same URL with a wrong password. */
let badSource: string;
let serverAddress: string;
let root: string;
let store: OfflineStore;

/** `asof <argv>` from the workspace root, with an empty environment (no `ASOF_ROOT`, no `ASOF_SOURCE_URL`). */
const asof = (...argv: string[]) => runAsof(argv, { cwd: WORKSPACE, env: {}, pipeline });

beforeAll(async () => {
  const env = ensureServices('mariadb');
  admin = createMySqlWritePool({ url: env.ASOF_MYSQL_URL! });
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  pool = createMySqlWritePool({ url: env.ASOF_MYSQL_URL!, database });
  await loadTrsIntoMySql(pool, states[0]);
  await createSkuVersionsSeen(pool);
  const url = new URL(env.ASOF_MYSQL_URL!);
  url.pathname = `/${database}`;
  source = url.href;
  serverAddress = `${url.hostname}:${url.port || '3306'}`;
  url.password = 'not-the-password';
  badSource = url.href;
  root = await tempRoot();
  store = openOfflineStore({ root });
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin?.end();
  await removeTempRoots();
});

/** The rows of the tables in `stdout` whose first column is a TRS view, as `{ view: other cells }` (the last table wins). */
function viewRows(stdout: string): Record<string, string[]> {
  const rows: Record<string, string[]> = {};
  for (const line of stdout.split('\n')) {
    if (!line.includes('│')) continue;
    const cells = line.split('│').map((c) => c.trim());
    if (VIEWS.includes(cells[0]!)) rows[cells[0]!] = cells.slice(1);
  }
  return rows;
}

/** The second column (a run's status, apply's change, compact's status) per view. */
const statuses = (r: CliResult) => Object.fromEntries(Object.entries(viewRows(r.stdout)).map(([view, cells]) => [view, cells[0]]));
const every = (status: string) => Object.fromEntries(VIEWS.map((v) => [v, status]));

/** Fails with the CLI's output, so a red test says what the user would have seen. */
function expectOk(r: CliResult): void {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
}

/** Every stderr line is a JSON log record (stderr is not a terminal). */
function expectJsonLogs(r: CliResult): { msg: string; level: string; [field: string]: unknown }[] {
  return r.errLines.map((line) => {
    expect(() => JSON.parse(line), line).not.toThrow();
    return JSON.parse(line) as { msg: string; level: string };
  });
}

/** The stderr lines that are not JSON log records: on failure, exactly the one-line reason. */
const plainLines = (r: CliResult) =>
  r.errLines.filter((line) => {
    try {
      JSON.parse(line);
      return false;
    } catch {
      return true;
    }
  });

const historyLengths = async () => Object.fromEntries(await Promise.all(VIEWS.map(async (v) => [v, (await store.history(v)).length] as const)));

async function scanAll(view: string, version?: number): Promise<JsRow[]> {
  const batches: RecordBatch[] = [];
  for await (const batch of store.scan(view, version === undefined ? {} : { snapshot: { version } })) batches.push(batch);
  return batches.length === 0 ? [] : tableToRows(new Table(batches));
}

/** Rows grouped by their event month (the views' partitions), in scan order within each. */
function byMonth(rows: readonly JsRow[]): Record<string, JsRow[]> {
  const out: Record<string, JsRow[]> = {};
  for (const row of rows) (out[(row.event_ts as Date).toISOString().slice(0, 7)] ??= []).push(row);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const FULL = ['--start', '2023-01-01T00:00:00Z', '--end', '2030-01-01T00:00:00Z'];
/** The TRS views have row transforms, which the applied registry keeps as text only: runs need the module. */
const DEFS = ['--definitions', DEFINITIONS];

describe('asof CLI against MariaDB and a local root', () => {
  it('apply writes the registry with the 4 TRS views; a second apply is unchanged', async () => {
    const first = await asof('apply', '--root', root, '--definitions', DEFINITIONS);
    expectOk(first);
    expect(first.stdout).toContain(`registry written: ${root}/registry.json (4 feature view(s), 2 entities, 4 source(s), 1 service(s))`);
    const registry = Registry.fromJSON(await readFile(path.join(root, 'registry.json'), 'utf8'));
    expect(registry.listFeatureViews().map((v) => v.name).sort()).toEqual([...VIEWS].sort());
    expect(statuses(first)).toEqual(every('added')); // the apply table's `change` column
    const again = await asof('apply', '--root', root, '--definitions', DEFINITIONS);
    expectOk(again);
    expect(statuses(again)).toEqual(every('unchanged'));
    expect(again.stdout).toContain('registry unchanged');
  });

  it('materialize commits every view; the same command again changes nothing visible', async () => {
    const r = await asof('materialize', '--root', root, ...FULL, '--source', source, ...DEFS);
    expectOk(r);
    expect(statuses(r)).toEqual(every('committed'));
    const logs = expectJsonLogs(r);
    expect(logs.filter((l) => l.msg === 'view done').map((l) => l.view)).toEqual(expect.arrayContaining(VIEWS));
    const before = await historyLengths();
    expect(Object.values(before).every((n) => n === 1)).toBe(true);
    // Each commit records the interval it computed, so readers can warn past it (issue 9, point 4).
    for (const view of VIEWS) {
      const coverage = viewCoverage(await store.snapshot(view));
      expect(coverage.ranges.map((r) => [r.start, r.end]), view).toEqual([[toEpochMicros('2023-01-01T00:00:00Z'), toEpochMicros('2030-01-01T00:00:00Z')]]);
    }

    const again = await asof('materialize', '--root', root, ...FULL, '--source', source, ...DEFS);
    expectOk(again);
    expect(statuses(again)).toEqual(every('unchanged'));
    expectJsonLogs(again);
    expect(await historyLengths()).toEqual(before);
  });

  it('a narrower backfill inside the full one is unchanged', async () => {
    const before = await historyLengths();
    const r = await asof('materialize', '--root', root, '--start', '2024-01-01T00:00:00Z', '--end', '2024-02-01T00:00:00Z', '--source', source, ...DEFS);
    expectOk(r);
    expect(statuses(r)).toEqual(every('unchanged'));
    expect(await historyLengths()).toEqual(before);
  });

  it('materialize-incremental after source updates commits, and the features match SQL in MariaDB', async () => {
    await applyTrsChanges(pool, states[0], states[1]);
    await recordSkuVersions(pool);
    const r = await asof('materialize-incremental', '--root', root, '--source', source, ...DEFS);
    expectOk(r);
    expect(statuses(r)).toEqual(every('committed'));
    expectJsonLogs(r);
    for (const view of VIEWS) expect(viewCoverage(await store.snapshot(view)).complete, view).toBe(true);
    await expectFeaturesMatchSql(pool, store, '2024-10-31T00:00:00Z', { accounts: 4 });
  });

  describe('failures: a non-zero exit and a one-line reason', () => {
    it('materialize without --source (and no ASOF_SOURCE_URL)', async () => {
      const r = await asof('materialize', '--root', root, ...FULL, ...DEFS);
      expect([1, 2]).toContain(r.code);
      expect(plainLines(r)).toEqual([expect.stringMatching(/^asof: materialize failed: .*--source/)]);
      expect(r.errLines.filter((l) => l.includes('--source'))).toHaveLength(1);
    });

    it('a wrong password in --source names the server', async () => {
      const r = await asof('materialize', '--root', root, ...FULL, '--source', badSource, ...DEFS);
      expect(r.code).toBe(1);
      const reason = plainLines(r);
      expect(reason).toHaveLength(1);
      expect(reason[0]).toMatch(/^asof: materialize failed: /);
      expect(reason[0]).toContain(serverAddress);
      expect(reason[0]).not.toContain('not-the-password');
    });

    it('an unknown view gets the nearest name suggested', async () => {
      const r = await asof('materialize', '--root', root, ...FULL, '--source', source, '--view', 'nope', ...DEFS);
      expect(r.code).toBe(1);
      // Nothing is near 'nope': the known names are listed instead.
      expect(r.errLines.at(-1)).toMatch(/^asof: materialize failed: unknown feature view 'nope'; known: [a-z_, ]+ \(FEATURE_NOT_FOUND\)$/);
      for (const view of VIEWS) expect(r.errLines.at(-1)).toContain(view);
      const typo = await asof('materialize', '--root', root, ...FULL, '--source', source, '--view', 'late_paymnts', ...DEFS);
      expect(typo.errLines.at(-1)).toBe("asof: materialize failed: unknown feature view 'late_paymnts'; did you mean 'late_payments'? (FEATURE_NOT_FOUND)");
    });

    it('without --definitions, views with a row transform are refused before anything is extracted, in one sentence', async () => {
      const before = await historyLengths();
      const r = await asof('materialize', '--root', root, ...FULL, '--source', source);
      expect(r.code).toBe(1);
      expect(plainLines(r)).toEqual([expect.stringMatching(/^asof: materialize failed: .*row transforms.*pass --definitions <module>.* \(CONFIG\)$/)]);
      expect(await historyLengths()).toEqual(before);
    });

    it('--definitions whose view changed since apply is refused', async () => {
      const changed = path.join(await tempRoot(), 'changed-features.ts');
      const features = path.join(WORKSPACE, DEFINITIONS);
      await writeFile(
        changed,
        [
          "import { count, defineFeatureView } from '@asof/core';",
          `import { account, invoices } from ${JSON.stringify(features)};`,
          'export { account, invoices };',
          "export const latePayments = defineFeatureView({ name: 'late_payments', entities: [account], source: invoices, features: { invoices_30d: count({ window: '30d' }) } });",
          '',
        ].join('\n'),
      );
      const before = await historyLengths();
      const r = await asof('materialize', '--root', root, ...FULL, '--source', source, '--definitions', changed);
      expect(r.code).toBe(1);
      expect(plainLines(r)).toEqual([
        expect.stringMatching(
          /^asof: materialize failed: feature view 'late_payments' differs from the applied registry \(applied \w{8}, definitions \w{8}\); run 'asof apply' first \(CONFIG\)$/,
        ),
      ]);
      expect(await historyLengths()).toEqual(before);
    });
  });

  it('schedule --incremental runs tick by tick without overlapping; nothing new on the second run', async () => {
    await applyTrsChanges(pool, states[1], states[2]);
    const r = await asof('schedule', '--root', root, '--cron', '* * * * * *', '--incremental', '--max-ticks', '2', '--source', source, ...DEFS);
    expectOk(r);
    const logs = expectJsonLogs(r);
    const started = logs.filter((l) => l.msg === 'run started');
    const finished = logs.filter((l) => l.msg === 'run finished');
    expect(started.length).toBeGreaterThanOrEqual(1);
    expect(finished).toHaveLength(started.length);
    // Never two runs of a view at once: each run starts after the previous one finished.
    const order = logs.filter((l) => l.msg === 'run started' || l.msg === 'run finished').map((l) => l.msg);
    expect(order).toEqual(started.flatMap(() => ['run started', 'run finished']));
    const runs = r.stdout
      .split('\n')
      .filter((l) => /^\d{4}-\d\d-\d\dT/.test(l))
      .map((l) => l.split('│').map((c) => c.trim()));
    expect(runs.map((cells) => cells[2])).toEqual(started.map(() => 'ok'));
    expect(Number(runs[0]![3]!.replace(/,/g, ''))).toBeGreaterThan(0);
    if (runs.length > 1) expect(runs.slice(1).map((cells) => cells[3])).toEqual(runs.slice(1).map(() => '0'));
    expect(r.stdout).toMatch(/^2 tick\(s\), \d run\(s\), \d view tick\(s\) skipped/m);
  }, 30_000);

  it('compact keeps the rows identical; vacuum --dry-run lists what it would delete', async () => {
    const before = Object.fromEntries(await Promise.all(VIEWS.map(async (v) => [v, await scanAll(v)] as const)));
    const versions = Object.fromEntries(await Promise.all(VIEWS.map(async (v) => [v, (await store.snapshot(v)).version] as const)));
    const r = await asof('compact', '--root', root);
    expectOk(r);
    expect(statuses(r)).toEqual(every('compacted'));
    // Every row is still there, in write order within each partition (compaction merges a partition's files; partitions come in order).
    for (const view of VIEWS) expect(byMonth(await scanAll(view)), view).toEqual(byMonth(before[view]!));
    // A zero grace is allowed for a dry run (a look at what would go), refused for a real one.
    const zero = await asof('vacuum', '--root', root, '--grace', '0s', '--dry-run');
    expect(zero.code).toBe(0);
    const refused = await asof('vacuum', '--root', root, '--grace', '0s');
    expect(refused.code).toBe(2);
    const vacuum = await asof('vacuum', '--root', root, '--grace', '1ms', '--dry-run');
    expectOk(vacuum);
    const [, cells] = vacuum.stdout.split('\n').filter((l) => l.includes('│')).map((l) => l.split('│').map((c) => c.trim()));
    expect(cells![0]).toBe(root);
    expect(Number(cells![1]!.replace(/,/g, ''))).toBeGreaterThan(0);
    // A dry run deletes nothing: the versions before compaction still read back as they did.
    for (const view of VIEWS) expect(await scanAll(view, versions[view]), view).toEqual(before[view]);
  });
});

describe('asof demo', () => {
  it('materializes the TRS example into --root and prints a sample; a second run on the same root changes nothing', async () => {
    const demoRoot = await tempRoot();
    const r = await asof('demo', '--root', demoRoot);
    expectOk(r);
    expect(r.stdout).toContain('What three accounts looked like');
    expect(statuses(r)).toEqual(every('committed'));
    expectJsonLogs(r);
    const again = await asof('demo', '--root', demoRoot);
    expectOk(again);
    expect(again.stdout).toContain('What three accounts looked like');
    expect(statuses(again)).toEqual(every('unchanged'));
    expectJsonLogs(again);
  }, 60_000);
});
