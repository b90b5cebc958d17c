/**
 * Issue 9, point 5: the first import of an existing database. The source
 * keeps only each SKU's current price, so most invoices are older than
 * their SKUs' first mirrored version. The TRS lookup declares
 * `beforeHistory: 'earliestKnown'`: every line is priced (at the earliest
 * known price), the run summary counts those lines per view and lookup,
 * the finance export marks them `first_known`, and the money features and
 * invoice amounts equal MariaDB's sums to the cent under that rule. Then
 * `asof seed skus --file` supplies the real price history (a bad file is
 * refused with nothing written); the next run recomputes, every line is
 * priced at issue (`at_issue`), and everything equals MariaDB with the true
 * history. Everything runs through the CLI (in-process) against MariaDB.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal, formatMicros, int64, isDecimal, rowsToTable, string, tableToRows, timestamp, toEpochMicros } from '@asof/core';
import { createPipeline, readView } from '@asof/materializer';
import { openOfflineStore } from '@asof/stores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrsDemo } from '../../examples/trs/demo.js';
import { productMix } from '../../examples/trs/features.js';
import { generateTrs } from '../../examples/trs/generator.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { SKU_CATEGORIES } from '../../examples/trs/timeline.js';
import { writeCsvFile } from '../../examples/trs/write-files.js';
import { cli, removeTempRoots, tempRoot, type CliResult } from '../../packages/materializer/src/cli/testing/cli-harness.js';
import { createTrsDatabase, type TrsDatabase } from '../helpers/trs-database.js';
import { createSkuVersionsSeen, expectFeaturesMatchSql, FIRST_KNOWN_SQL, PRICE_SQL } from '../helpers/trs-sql-oracle.js';

const WORKSPACE = fileURLToPath(new URL('../..', import.meta.url));
const DEFS = ['--definitions', 'examples/trs/features.ts'];
const FULL = ['--start', '2023-01-01T00:00:00Z', '--end', '2030-01-01T00:00:00Z'];
const AS_OF = '2024-06-30T00:00:00Z';
const timeline = generateTrs({ seed: 11, scale: 0.001 });
const pipeline = createPipeline({ demo: runTrsDemo });
const LOOKUP_VIEWS = ['product_mix', 'receivables', 'sku_spend'];

let db: TrsDatabase;
let root: string;
let out: string;

const asof = (...argv: string[]) => cli(argv, { cwd: WORKSPACE, env: {}, pipeline });

function expectOk(r: CliResult): void {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
}

/** The lookup table under a run summary: `view/source` -> [policy, at time, earliest known, left null, no version]. */
function lookupRows(stdout: string): Record<string, string[]> {
  const rows: Record<string, string[]> = {};
  for (const line of stdout.split('\n')) {
    const cells = line.split('│').map((c) => c.trim());
    if (/^[a-z_]+\/[a-z_]+$/.test(cells[0]!)) rows[cells[0]!] = cells.slice(1).map((c) => c.replace(/,/g, ''));
  }
  return rows;
}

/** The run summary's status per view. */
function statuses(stdout: string): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const cells = line.split('│').map((c) => c.trim());
    if (['late_payments', ...LOOKUP_VIEWS].includes(cells[0]!)) rows[cells[0]!] = cells[1]!;
  }
  return rows;
}

async function sql(query: string): Promise<Record<string, string | null>[]> {
  const r = await asof('sql', '--root', root, '--format', 'json', query);
  expectOk(r);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => Object.fromEntries(Object.entries(JSON.parse(l) as Record<string, unknown>).map(([k, v]) => [k, v === null ? null : String(v)])));
}

async function maria(query: string): Promise<Record<string, string | null>[]> {
  const [rows] = (await db.pool.query(query)) as unknown as [Record<string, unknown>[]];
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])));
}

/** Per line (of the current invoices): its amount under PRICE_SQL and whether it is older than every seen SKU version. */
const LINES_SQL = `SELECT li.line_item_id, li.invoice_id, li.quantity * ${PRICE_SQL} AS amount, ${FIRST_KNOWN_SQL} AS first_known
  FROM invoice_line_items li JOIN invoices i USING (invoice_id)`;

/** The export's figures and MariaDB's, side by side. */
async function figures() {
  const exported = {
    lines: await sql(`SELECT price_basis, count(*) AS n, sum(amount) AS amount FROM invoice_lines GROUP BY 1 ORDER BY 1`),
    invoices: await sql(`SELECT price_basis, count(*) AS n, sum(amount) AS amount, sum(unpriced_lines) AS unpriced FROM invoices GROUP BY 1 ORDER BY 1`),
  };
  const expected = {
    lines: await maria(`SELECT CASE WHEN first_known THEN 'first_known' ELSE 'at_issue' END AS price_basis, COUNT(*) AS n, SUM(amount) AS amount
      FROM (${LINES_SQL}) l GROUP BY 1 ORDER BY 1`),
    invoices: await maria(`SELECT CASE WHEN first_known = 1 THEN 'first_known' ELSE 'at_issue' END AS price_basis, COUNT(*) AS n,
      SUM(amount) AS amount, CAST(0 AS SIGNED) AS unpriced
      FROM (SELECT i.invoice_id, COALESCE(SUM(l.amount), 0.00) AS amount, COALESCE(MAX(l.first_known), 0) AS first_known
            FROM invoices i LEFT JOIN (${LINES_SQL}) l USING (invoice_id) GROUP BY i.invoice_id) x
      GROUP BY 1 ORDER BY 1`),
  };
  return { exported, expected };
}

beforeAll(async () => {
  db = await createTrsDatabase('asof_first_import', stateAt(timeline, AS_OF));
  await createSkuVersionsSeen(db.pool);
  root = await tempRoot();
  out = await tempRoot();
  expectOk(await asof('apply', '--root', root, ...DEFS));
}, 300_000);

afterAll(async () => {
  await db?.drop();
  await removeTempRoots();
});

describe('a first import of a database whose SKU prices changed before it', () => {
  it('prices every line (at the earliest known price where issue predates the history) and counts those lines in the run summary', async () => {
    const r = await asof('materialize', '--root', root, '--source', db.url, ...DEFS, ...FULL);
    expectOk(r);
    const [counts] = await maria(`SELECT SUM(NOT first_known) AS at_time, SUM(first_known) AS first_known FROM (${LINES_SQL}) l`);
    expect(Number(counts!.first_known)).toBeGreaterThan(Number(counts!.at_time)); // most lines are older than their SKU's first mirrored version
    const lookups = lookupRows(r.stdout);
    for (const view of LOOKUP_VIEWS) {
      expect(lookups[`${view}/skus`]).toEqual(['earliestKnown', counts!.at_time, counts!.first_known, '0', '0']);
      expect(lookups[`${view}/invoices`]).toEqual(['null', String(Number(counts!.at_time) + Number(counts!.first_known)), '0', '0', '0']);
    }
    const warnings = r.errLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'lookup rows not found at their time');
    expect(warnings.map((w) => [w.view, w.source, w.earliestKnown])).toEqual(LOOKUP_VIEWS.map((v) => [v, 'skus', Number(counts!.first_known)]));
  });

  it('the spend and overdue features are exact decimals equal to MariaDB under the same rule, and asof sql reads them as DECIMAL to the cent', async () => {
    const store = openOfflineStore({ root });
    await expectFeaturesMatchSql(db.pool, store, AS_OF, { accounts: 8 });
    // Every stored spend_90d, summed exactly in JS from the Decimals, equals DuckDB's sum over the same Parquet files.
    const rows = tableToRows(await readView(store, productMix));
    const total = rows.reduce((acc, r) => (r.spend_90d === null ? acc : acc.plus(r.spend_90d as Decimal)), Decimal.from('0.00'));
    const [duck] = await sql('SELECT any_value(typeof(spend_90d)) AS t, sum(spend_90d) AS total, count(*) AS n FROM product_mix');
    expect(duck).toEqual({ t: 'DECIMAL(38,2)', total: total.toString(), n: String(rows.length) });
    expect(rows.some((r) => isDecimal(r.spend_90d) && r.spend_90d.scale === 2)).toBe(true);
  });

  it('the finance export prices every invoice, marks the lines priced from a later version first_known, and its amounts equal MariaDB', async () => {
    expectOk(await asof('export', 'invoices', '--root', root, '--to', out, '--as-of', AS_OF));
    const { exported, expected } = await figures();
    expect(exported).toEqual(expected);
    expect(exported.lines.map((l) => l.price_basis)).toEqual(['at_issue', 'first_known']);
    expect(exported.invoices.every((i) => i.unpriced === '0' && i.price_basis !== null)).toBe(true);
    const [nulls] = await sql(`SELECT count(*) FILTER (WHERE amount IS NULL) AS amounts, count(*) FILTER (WHERE price_basis IS NULL) AS bases FROM invoice_lines`);
    expect(nulls).toEqual({ amounts: '0', bases: '0' });
  });
});

describe('asof seed skus --file: the real price history', () => {
  /** Every SKU version in force at or before AS_OF, in the skus source's declared columns. */
  async function historyCsv(name: string, edit?: (rows: Record<string, unknown>[]) => void): Promise<{ file: string; rows: Record<string, unknown>[] }> {
    const { skus } = timeline;
    const asOf = Number(toEpochMicros(AS_OF));
    const rows: Record<string, unknown>[] = [];
    for (let j = 0; j < skus.count; j++) {
      for (let v = skus.versionStart[j]!; v < skus.versionStart[j + 1]!; v++) {
        if (skus.validFrom[v]! > asOf) continue;
        rows.push({
          sku_id: BigInt(j + 1),
          item_name: skus.itemName[j],
          category: SKU_CATEGORIES[skus.category[j]!],
          retail_price: new Decimal(BigInt(skus.priceCents[v]!), 2).toString(),
          updated_at: BigInt(skus.validFrom[v]!),
        });
      }
    }
    edit?.(rows);
    const file = path.join(out, name);
    // The price as text, so a test can write a value no decimal(12, 2) column could hold.
    await writeCsvFile(rowsToTable(rows, { sku_id: int64(), item_name: string(), category: string(), retail_price: string(), updated_at: timestamp() }, ['sku_id', 'item_name', 'category', 'retail_price', 'updated_at']), file);
    return { file, rows };
  }

  it('refuses a bad file, naming the file, row and column, and writes nothing', async () => {
    const store = openOfflineStore({ root });
    const before = await store.snapshot('_source.skus');
    const { file } = await historyCsv('bad-prices.csv', (rows) => (rows[2]!.retail_price = '12.345'));
    const bad = await asof('seed', 'skus', '--file', file, '--root', root, ...DEFS);
    expect(bad.code).toBe(1);
    expect(bad.errLines.at(-1)).toBe(
      `asof: seed failed: seed file ${file}, row 3, column 'retail_price': "12.345" is not a decimal(12,2): it has more than 2 digits after the point; nothing was written (INVALID_INPUT)`,
    );
    const naive = path.join(out, 'naive.csv');
    await writeFile(naive, 'sku_id,item_name,category,retail_price,updated_at\r\n1,x,data,1.00,2023-01-01 00:00:00\r\n');
    const noOffset = await asof('seed', 'skus', '--file', naive, '--root', root, ...DEFS);
    expect(noOffset.errLines.at(-1)).toMatch(/seed file .*naive\.csv, row 1, column 'updated_at': .*no UTC offset.*nothing was written \(INVALID_INPUT\)$/);
    const unknown = await asof('seed', 'skuz', '--file', naive, '--root', root, ...DEFS);
    expect([unknown.code, unknown.errLines.at(-1)]).toEqual([2, expect.stringMatching(/unknown source 'skuz'; did you mean 'skus'\?; usage: asof seed <source> --file/)]);
    const after = await store.snapshot('_source.skus');
    expect([after.version, after.files]).toEqual([before.version, before.files]);
  });

  it('appends the versions the mirror lacks; the next run recomputes, prices every line at issue, and the export says at_issue', async () => {
    const { file, rows } = await historyCsv('sku_prices.csv');
    const seeded = await asof('seed', 'skus', '--file', file, '--root', root, ...DEFS);
    expectOk(seeded);
    const [current] = await maria('SELECT COUNT(*) AS n FROM skus');
    const added = rows.length - Number(current!.n);
    expect(added).toBeGreaterThan(0);
    expect(seeded.stdout).toMatch(new RegExp(`skus\\s+│ .*sku_prices\\.csv\\s+│\\s+${rows.length.toLocaleString('en-US')} │\\s+${added.toLocaleString('en-US')} │\\s+${Number(current!.n).toLocaleString('en-US')} │`));
    expect(seeded.stdout).toContain('the next materialize run recomputes product_mix, receivables, sku_spend');
    // The oracle now knows the history too.
    for (const row of rows) {
      await db.pool.query('INSERT IGNORE INTO sku_versions_seen VALUES (?, ?, ?)', [
        String(row.sku_id),
        String(row.retail_price),
        formatMicros(row.updated_at as bigint).replace('T', ' ').replace('Z', ''),
      ]);
    }

    // Nothing changed in the source, yet the views that look the SKUs up are recomputed from the seeded mirror.
    const run = await asof('materialize-incremental', '--root', root, '--source', db.url, ...DEFS);
    expectOk(run);
    expect(statuses(run.stdout)).toEqual({ late_payments: 'unchanged', product_mix: 'committed', receivables: 'committed', sku_spend: 'committed' });
    const [counts] = await maria(`SELECT COUNT(*) AS n, SUM(first_known) AS first_known FROM (${LINES_SQL}) l`);
    expect(counts!.first_known).toBe('0');
    for (const view of LOOKUP_VIEWS) expect(lookupRows(run.stdout)[`${view}/skus`]).toEqual(['earliestKnown', counts!.n, '0', '0', '0']);
    await expectFeaturesMatchSql(db.pool, openOfflineStore({ root }), AS_OF, { accounts: 8 });

    expectOk(await asof('export', 'invoices', '--root', root, '--to', out, '--as-of', AS_OF));
    const { exported, expected } = await figures();
    expect(exported).toEqual(expected);
    expect(exported.lines.map((l) => l.price_basis)).toEqual(['at_issue']);
    expect(exported.invoices.map((l) => l.price_basis)).toEqual(['at_issue']);
    // Seeding the same file again adds nothing, and the next run commits nothing.
    const again = await asof('seed', 'skus', '--file', file, '--root', root, ...DEFS);
    expect(again.stdout).toContain("nothing to add: the mirror of 'skus' has every version of the file");
    const rerun = await asof('materialize-incremental', '--root', root, '--source', db.url, ...DEFS);
    expect(Object.values(statuses(rerun.stdout))).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  });
});
