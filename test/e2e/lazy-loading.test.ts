/**
 * Issue 10, point 2: opening what a command or a notebook needs loads only
 * that. Each check runs a child Node process with a resolve hook that
 * records every module it loads (test/e2e/lazy-loading/record-loads.mjs):
 * the SDK on a local root with the LMDB online store, reading features,
 * loads no AWS client, no DuckDB and no mysql2; `asof apply`, `asof
 * materialize` (from MariaDB) and `asof demo` on a local root load no AWS
 * client. Each also checks that what it did need was recorded (lmdb,
 * parquet-wasm, mysql2), so an empty record cannot pass.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTrs } from '../../examples/trs/generator.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { REPO_ROOT } from '../helpers/build.js';
import { ensureServices } from '../helpers/services.js';
import { createTrsDatabase, type TrsDatabase } from '../helpers/trs-database.js';

const HOOK = join(REPO_ROOT, 'test', 'e2e', 'lazy-loading', 'record-loads.mjs');
const DEFINITIONS = ['--definitions', 'examples/trs/features.ts'];
const PACKAGES = { aws: /\/node_modules\/@aws-sdk\//, duckdb: /\/node_modules\/@duckdb\//, mysql2: /\/node_modules\/mysql2\//, lmdb: /\/node_modules\/lmdb\//, parquet: /\/node_modules\/parquet-wasm\// };
type Package = keyof typeof PACKAGES;

type Recorded = Awaited<ReturnType<typeof recorded>>;

let work: string;
let db: TrsDatabase;
let root: string;
let apply: Recorded;
let run: Recorded;

beforeAll(async () => {
  ensureServices('mariadb');
  work = mkdtempSync(join(tmpdir(), 'asof-lazy-'));
  db = await createTrsDatabase('asof_lazy', stateAt(generateTrs({ seed: 5, scale: 0.001 }), '2024-09-30T00:00:00Z'));
  root = join(work, 'store');
  apply = await asof('apply', 'apply', '--root', root, ...DEFINITIONS);
  run = await asof('materialize', 'materialize', '--root', root, '--start', '2000-01-01T00:00:00Z', '--end', '2100-01-01T00:00:00Z', '--source', db.url, ...DEFINITIONS);
}, 300_000);

afterAll(async () => {
  await db?.drop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs `node <script> <args>` from the workspace sources with the recording hook; returns its output and which of {@link PACKAGES} it loaded. */
async function recorded(name: string, script: string, args: readonly string[]): Promise<{ code: number | null; out: string; loaded: Set<Package> }> {
  const log = join(work, `${name}.loads`);
  const env = { ...process.env, NODE_OPTIONS: '', ASOF_LOAD_LOG: log, ASOF_ROOT: '', ASOF_ONLINE: '', ASOF_COMMIT_COORDINATOR: '', ASOF_SOURCE_URL: '' };
  const argv = ['--conditions=asof-source', '--import', 'tsx', '--import', HOOK, script, ...args];
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
  const urls = readFileSync(log, 'utf8').split('\n');
  const loaded = new Set((Object.keys(PACKAGES) as Package[]).filter((p) => urls.some((u) => PACKAGES[p].test(u))));
  return { code, out, loaded };
}

const asof = (name: string, ...args: string[]) => recorded(name, 'examples/asof.ts', args);

describe('opening only what is used', () => {
  it('asof apply on a local root: no AWS client, no mysql2, no DuckDB (it opens the default LMDB online store, <root>/_online)', () => {
    expect(apply.code, apply.out).toBe(0);
    expect([...apply.loaded].sort()).toEqual(['lmdb', 'parquet']); // parquet-wasm is the offline store's own format, not an adapter
  });

  it('asof materialize from MariaDB into a local root: no AWS client, no DuckDB', () => {
    expect(run.code, run.out).toBe(0);
    expect([...run.loaded].sort()).toEqual(['lmdb', 'mysql2', 'parquet']);
  });

  it('the SDK on that root, reading training and online features (LMDB): no AWS client, no DuckDB, no mysql2', async () => {
    expect(run.code, run.out).toBe(0);
    // Online rows are published as of the run's clock: compare both answers at about then.
    const sdk = await recorded('sdk', 'test/e2e/lazy-loading/read-features.ts', [root, '1', new Date().toISOString()]);
    expect(sdk.code, sdk.out).toBe(0);
    const read = JSON.parse(sdk.out.trim().split('\n').at(-1)!) as { online: string; training: Record<string, unknown>[]; lookup: Record<string, unknown>[] };
    expect(read.online).toBe(join(root, '_online'));
    expect(read.training).toHaveLength(1);
    expect(read.training[0]!.invoices_90d).not.toBeNull();
    expect(read.lookup[0]!.invoices_90d).toBe(read.training[0]!.invoices_90d);
    expect([...sdk.loaded].sort()).toEqual(['lmdb', 'parquet']);
  }, 120_000);

  it('asof demo on a local root (an in-memory source): no AWS client, no mysql2, no DuckDB', async () => {
    const demo = await asof('demo', 'demo', '--root', join(work, 'demo'));
    expect(demo.code, demo.out).toBe(0);
    expect([...demo.loaded].sort()).toEqual(['lmdb', 'parquet']);
  }, 300_000);
});
