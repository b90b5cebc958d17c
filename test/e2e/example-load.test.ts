/**
 * `asof example load` against MariaDB: the TRS example at a chosen scale
 * lands in a database the command creates, exactly the rows `stateAt`
 * gives; a second load refuses to overwrite without --replace; and the
 * loaded database is a source the materializer runs from, through
 * `ASOF_SOURCE_URL` alone.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createPipeline } from '@asof/materializer';
import { createMySqlWritePool, type MySqlWritePool } from '@asof/materializer/mysql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTrs } from '../../examples/trs/generator.js';
import { loadTrsExample } from '../../examples/trs/load-example.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { cli as runAsof, removeTempRoots, tempRoot } from '../../packages/materializer/src/cli/testing/cli-harness.js';
import { ensureServices } from '../helpers/services.js';

const WORKSPACE = fileURLToPath(new URL('../..', import.meta.url));
const database = `asof_example_${process.pid}_${randomBytes(3).toString('hex')}`;
const pipeline = createPipeline({ loadExample: loadTrsExample });
let admin: MySqlWritePool;
let source: string;

const asof = (env: Record<string, string>, ...argv: string[]) => runAsof(argv, { cwd: WORKSPACE, env, pipeline });
/** The summary table as `table rows`. */
const tableRows = (stdout: string) => stdout.split('\n').filter((l) => l.includes('│') && !l.startsWith('table')).map((l) => l.split('│').map((c) => c.trim()).join(' '));

beforeAll(() => {
  const env = ensureServices('mariadb');
  admin = createMySqlWritePool({ url: env.ASOF_MYSQL_URL! });
  const url = new URL(env.ASOF_MYSQL_URL!);
  url.pathname = `/${database}`;
  source = url.href;
});

afterAll(async () => {
  await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin?.end();
  await removeTempRoots();
});

describe('asof example load', () => {
  it('creates the database, loads the example as of an instant, and refuses to load twice without --replace', async () => {
    const asOf = '2024-06-30T00:00:00Z';
    const expected = stateAt(generateTrs({ seed: 7, scale: 0.001 }), asOf);
    const r = await asof({}, 'example', 'load', '--source', source, '--scale', '0.001', '--seed', '7', '--as-of', asOf);
    expect(r.code, r.stderr).toBe(0);
    const shown = new URL(source);
    shown.password = '***';
    expect(r.stdout.split('\n')[0]).toBe(`created database ${shown.href}`);
    expect(r.stdout).not.toContain(`:${new URL(source).password}@`);
    const counts = Object.fromEntries(Object.entries(expected.tables).map(([name, t]) => [name, t.numRows]));
    expect(tableRows(r.stdout)).toEqual(['accounts', 'skus', 'invoices', 'invoice_line_items'].map((t) => `${t} ${counts[t]!.toLocaleString('en-US')}`));
    expect(r.stdout).toMatch(/loaded the TRS example \(seed 7, scale 0\.001, as of 2024-06-30T00:00:00\.000000Z\) into mysql:\/\/asof:\*\*\*@/);
    const [rows] = await admin.query(`SELECT COUNT(*) AS n FROM \`${database}\`.invoice_line_items`);
    expect(Number((rows as { n: number | string }[])[0]!.n)).toBe(counts.invoice_line_items);

    const again = await asof({ ASOF_SOURCE_URL: source }, 'example', 'load', '--scale', '0.001');
    expect(again.code).toBe(1);
    expect(again.errLines.at(-1)).toBe(
      `asof: example failed: database ${shown.href} already has the example's tables (accounts, invoice_line_items, invoices, skus): pass --replace to drop and reload them (CONFIG)`,
    );
    const replaced = await asof({ ASOF_SOURCE_URL: source }, 'example', 'load', '--scale', '0.001', '--replace');
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).not.toContain('created database');
    expect(replaced.stdout).toContain('as of 2025-12-31T23:59:59.999999Z');
  });

  it('is a source the materializer runs from, with ASOF_SOURCE_URL alone', async () => {
    const root = await tempRoot();
    const env = { ASOF_ROOT: root, ASOF_SOURCE_URL: source };
    const materialize = createPipeline();
    expect((await runAsof(['apply', '--definitions', 'examples/trs/features.ts'], { cwd: WORKSPACE, env, pipeline: materialize })).code).toBe(0);
    const run = await runAsof(['materialize-incremental', '--definitions', 'examples/trs/features.ts'], { cwd: WORKSPACE, env, pipeline: materialize });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/late_payments\s+│ committed/);
  });

  it.each([
    [['example'], /missing the action: 'asof example load'/],
    [['example', 'unload', '--source', 'mysql://a@b/c'], /unknown action 'unload': only 'load'/],
    [['example', 'load'], /missing --source mysql:\/\/user:pass@host:port\/db \(or set ASOF_SOURCE_URL\)/],
    [['example', 'load', '--source', 'mysql://a@b/c', '--scale=-1'], /--scale must be a positive number, got "-1"/],
    [['example', 'load', '--source', 'mysql://a@b/c', '--seed', '1.5'], /--seed must be a whole number >= 0/],
  ])('%j is a usage error', async (argv, message) => {
    const r = await asof({}, ...argv);
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual([expect.stringMatching(message)]);
  });
});
