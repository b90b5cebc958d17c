/**
 * Issue 6's proof: the TRS example is materialized from a real MariaDB with
 * the CLI (in-process), exported with `asof export invoices`, and the
 * figures `asof sql` reads from the export (totals by month to the cent,
 * late and overdue counts, most overdue accounts, revenue by SKU) equal the
 * same figures computed in MariaDB directly from the source tables, with
 * line items priced at the SKU version in force at issue among the versions
 * the store has seen (`sku_versions_seen`), or the earliest seen one for a
 * line older than all of them (the TRS lookup's `beforeHistory:
 * 'earliestKnown'`; test/e2e/first-import.test.ts covers that case and the
 * seeded history). Then: the export reads back in
 * DuckDB with the documented schema, a second export is atomic for a reader
 * in the middle of it, and an interrupted export leaves the current version
 * readable.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPipeline } from '@asof/materializer';
import { openLocalRoot, openOfflineStore } from '@asof/stores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrsDemo } from '../../examples/trs/demo.js';
import { accounts, invoices, lineItems, skus } from '../../examples/trs/features.js';
import { generateTrs } from '../../examples/trs/generator.js';
import { applyTrsChanges } from '../../examples/trs/load-mysql.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { DuckDbSession } from '../../packages/materializer/src/adapters/duckdb/duckdb-session.js';
import { CURRENT_KEY, exportInvoices } from '../../packages/materializer/src/finance/export-invoices.js';
import { cli, removeTempRoots, tempRoot, type CliResult } from '../../packages/materializer/src/cli/testing/cli-harness.js';
import { createTrsDatabase, type TrsDatabase } from '../helpers/trs-database.js';
import { createSkuVersionsSeen, PRICE_SQL, recordSkuVersions } from '../helpers/trs-sql-oracle.js';

const WORKSPACE = fileURLToPath(new URL('../..', import.meta.url));
const DEFS = ['--definitions', 'examples/trs/features.ts'];
const FULL = ['--start', '2023-01-01T00:00:00Z', '--end', '2030-01-01T00:00:00Z'];
const timeline = generateTrs({ seed: 11, scale: 0.001 });
const AS_OF = ['2024-06-30T00:00:00Z', '2024-10-31T00:00:00Z'] as const;
const states = AS_OF.map((t) => stateAt(timeline, t));
const pipeline = createPipeline({ demo: runTrsDemo });

let db: TrsDatabase;
let root: string;
let out: string;

const asof = (...argv: string[]) => cli(argv, { cwd: WORKSPACE, env: {}, pipeline });

function expectOk(r: CliResult): void {
  expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
}

/** `asof sql --format json` as rows. */
async function sql(query: string): Promise<Record<string, unknown>[]> {
  const r = await asof('sql', '--root', root, '--format', 'json', query);
  expectOk(r);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** MariaDB rows with every value as text (DECIMAL and BIGINT arrive exact), `null` kept. */
async function maria(query: string, params: unknown[] = []): Promise<Record<string, string | null>[]> {
  const [rows] = (await db.pool.query(query, params)) as unknown as [Record<string, unknown>[]];
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])));
}

/** DuckDB JSON rows with every value as text, for comparing with {@link maria}. */
const text = (rows: Record<string, unknown>[]) => rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])));

const mariaTime = (iso: string) => iso.replace('T', ' ').replace('Z', '');

/**
 * One row per invoice in MariaDB: its amount at the SKU prices in force at issue among the versions seen,
 * a line older than every seen version at the earliest one (the TRS lookup's `earliestKnown`; null when a
 * SKU has no version at all; 0.00 without lines), and its lateness at `asOf` with a 30-day term.
 */
const INVOICES_SQL = `
  SELECT i.invoice_id, i.account_id, a.company_name, i.issued_at, i.paid_at, i.status AS source_status,
         DATE_FORMAT(i.issued_at, '%Y-%m') AS issued_month,
         CASE WHEN l.invoice_id IS NULL THEN 0.00 WHEN l.n = l.priced THEN l.amount END AS amount,
         CASE WHEN i.status = 'void' THEN 'void' WHEN i.paid_at IS NOT NULL THEN 'paid'
              WHEN i.issued_at + INTERVAL 30 DAY <= CAST(? AS DATETIME(6)) THEN 'overdue' ELSE 'open' END AS status,
         i.status <> 'void' AND (i.paid_at > i.issued_at + INTERVAL 30 DAY
           OR (i.paid_at IS NULL AND i.issued_at + INTERVAL 30 DAY <= CAST(? AS DATETIME(6)))) AS is_late,
         CASE WHEN i.paid_at IS NOT NULL AND i.status <> 'void'
              THEN GREATEST(0, FLOOR(TIMESTAMPDIFF(MICROSECOND, i.issued_at + INTERVAL 30 DAY, i.paid_at) / 86400000000)) END AS days_late
  FROM invoices i
  JOIN accounts a USING (account_id)
  LEFT JOIN (
    SELECT invoice_id, COUNT(*) AS n, COUNT(price) AS priced, SUM(quantity * price) AS amount
    FROM (SELECT li.invoice_id, li.quantity,
                 ${PRICE_SQL} AS price
          FROM invoice_line_items li JOIN invoices i USING (invoice_id)) x
    GROUP BY invoice_id
  ) l USING (invoice_id)`;

const invoicesAt = (asOf: string) => `(${INVOICES_SQL.replaceAll('CAST(? AS DATETIME(6))', `CAST('${mariaTime(asOf)}' AS DATETIME(6))`)}) inv`;

/** The figures finance asks for, from MariaDB. */
async function mariaFigures(asOf: string) {
  const byMonth = await maria(
    `SELECT issued_month, COUNT(*) AS invoices, SUM(amount) AS total, SUM(is_late) AS late, SUM(status = 'overdue') AS overdue, SUM(amount IS NULL) AS unpriced
     FROM ${invoicesAt(asOf)} WHERE status <> 'void' GROUP BY issued_month ORDER BY issued_month`,
  );
  const topOverdue = await maria(
    `SELECT account_id, company_name, COUNT(*) AS overdue_invoices, SUM(amount) AS overdue_amount
     FROM ${invoicesAt(asOf)} WHERE status = 'overdue' GROUP BY account_id, company_name ORDER BY overdue_amount DESC, account_id LIMIT 5`,
  );
  const daysLate = await maria(`SELECT status, COUNT(*) AS n, SUM(days_late) AS days FROM ${invoicesAt(asOf)} GROUP BY status ORDER BY status`);
  const bySku = await maria(
    `SELECT li.sku_id, SUM(li.quantity) AS units,
            SUM(li.quantity * ${PRICE_SQL}) AS revenue
     FROM invoice_line_items li JOIN invoices i USING (invoice_id) WHERE i.status <> 'void' GROUP BY li.sku_id ORDER BY li.sku_id`,
  );
  return { byMonth, topOverdue, daysLate, bySku };
}

const BY_MONTH = `SELECT issued_month, count(*) AS invoices, sum(amount) AS total, count(*) FILTER (WHERE is_late) AS late,
  count(*) FILTER (WHERE status = 'overdue') AS overdue, count(*) FILTER (WHERE amount IS NULL) AS unpriced
  FROM invoices WHERE status <> 'void' GROUP BY issued_month ORDER BY issued_month`;

/** The same figures through `asof sql` over the export. */
async function exportFigures() {
  const byMonth = text(await sql(BY_MONTH));
  const topOverdue = text(
    await sql(`SELECT account_id, company_name, count(*) AS overdue_invoices, sum(amount) AS overdue_amount
      FROM invoices WHERE status = 'overdue' GROUP BY account_id, company_name ORDER BY overdue_amount DESC NULLS LAST, account_id LIMIT 5`),
  );
  const daysLate = text(await sql(`SELECT status, count(*) AS n, sum(days_late) AS days FROM invoices GROUP BY status ORDER BY status`));
  const bySku = text(
    await sql(`SELECT sku_id, sum(quantity) AS units, sum(amount) AS revenue FROM invoice_lines WHERE invoice_status <> 'void' GROUP BY sku_id ORDER BY sku_id`),
  );
  return { byMonth, topOverdue, daysLate, bySku };
}

beforeAll(async () => {
  db = await createTrsDatabase('asof_finance', states[0]!);
  await createSkuVersionsSeen(db.pool);
  root = await tempRoot();
  out = await tempRoot();
  expectOk(await asof('apply', '--root', root, ...DEFS));
  expectOk(await asof('materialize', '--root', root, '--source', db.url, ...DEFS, ...FULL));
}, 300_000);

afterAll(async () => {
  await db?.drop();
  await removeTempRoots();
});

describe('asof export invoices and asof sql against MariaDB', () => {
  it('exports Hive-partitioned Parquet with _schema.sql and a _CURRENT pointer', async () => {
    const r = await asof('export', 'invoices', '--root', root, '--to', out, '--as-of', AS_OF[0]);
    expectOk(r);
    expect(r.stdout).toMatch(/published .*versions\/.* as the current export \(sequence 1, as of 2024-06-30T00:00:00/);
    const pointer = JSON.parse(await readFile(path.join(out, CURRENT_KEY), 'utf8')) as { version: string; sequence: number };
    expect(pointer.sequence).toBe(1);
    const months = await readdir(path.join(out, `versions/${pointer.version}`, 'invoices'));
    expect(months.length).toBeGreaterThan(6);
    expect(months.every((m) => /^issued_month=\d{4}-\d{2}$/.test(m))).toBe(true);
    expect(await readdir(path.join(out, `versions/${pointer.version}`, 'invoices', months[0]!))).toEqual(['part-00000.parquet']);
    const ddl = await readFile(path.join(out, '_schema.sql'), 'utf8');
    expect(ddl).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS invoices (');
    expect(ddl).toContain('PARTITIONED BY (`issued_month` string)');
    expect(ddl).toContain(`'projection.issued_month.type' = 'date'`);
    expect(ddl).toContain(`'storage.location.template' = '${out}/versions/${pointer.version}/invoices/issued_month=\${issued_month}/'`);
    expect(ddl).toContain(`CREATE OR REPLACE VIEW invoices AS SELECT * FROM read_parquet('${out}/versions/${pointer.version}/invoices/issued_month=*/*.parquet', hive_partitioning = true`);
  });

  it('totals by month (to the cent), late and overdue counts, days late, top overdue accounts and revenue by SKU equal MariaDB', async () => {
    const expected = await mariaFigures(AS_OF[0]);
    const got = await exportFigures();
    expect(got.byMonth.length).toBeGreaterThan(6);
    expect(got.byMonth.some((m) => Number(m.late) > 0)).toBe(true);
    expect(got.topOverdue.length).toBeGreaterThan(0);
    expect(got).toEqual(expected);
  });

  it('reads back in DuckDB with the documented schema, through the DDL in _schema.sql', async () => {
    const columns = text(await sql('DESCRIBE invoices')).map((c) => `${c.column_name} ${c.column_type}`);
    expect(columns).toEqual([
      'invoice_id BIGINT',
      'account_id BIGINT',
      'company_name VARCHAR',
      'issued_at TIMESTAMP WITH TIME ZONE',
      'due_at TIMESTAMP WITH TIME ZONE',
      'paid_at TIMESTAMP WITH TIME ZONE',
      'amount DECIMAL(14,2)',
      'days_late INTEGER',
      'is_late BOOLEAN',
      'status VARCHAR',
      'line_count INTEGER',
      'unpriced_lines INTEGER',
      'price_basis VARCHAR',
      'issued_month VARCHAR',
    ]);
    const history = text(await sql('DESCRIBE invoice_history')).map((c) => `${c.column_name} ${c.column_type}`);
    expect(history.slice(-3)).toEqual(['valid_from TIMESTAMP WITH TIME ZONE', 'valid_to TIMESTAMP WITH TIME ZONE', 'issued_month VARCHAR']);
    // A plain DuckDB, given only _schema.sql's view statements, sees the same table.
    const duck = await DuckDbSession.open();
    try {
      const ddl = await readFile(path.join(out, '_schema.sql'), 'utf8');
      for (const line of ddl.split('\n').filter((l) => l.startsWith('CREATE OR REPLACE VIEW'))) await duck.run(line);
      const direct = await duck.query('SELECT count(*) AS n, sum(amount) AS total FROM invoices');
      const viaCli = text(await sql('SELECT count(*) AS n, sum(amount) AS total FROM invoices'))[0]!;
      expect(direct.rows.map((r) => r.map(String))).toEqual([[viaCli.n, viaCli.total]]);
      expect(direct.columns.map((c) => c.type)).toEqual(['BIGINT', 'DECIMAL(38,2)']);
    } finally {
      duck.close();
    }
    // Every invoice's current version is the history's open version; the history covers each invoice's versions.
    const [check] = text(
      await sql(`SELECT (SELECT count(*) FROM invoices) AS current, (SELECT count(*) FROM invoice_history WHERE valid_to IS NULL) AS open_versions,
                 (SELECT count(*) FROM invoice_history h JOIN invoices i USING (invoice_id)
                  WHERE h.valid_to IS NULL AND h.status = i.status AND h.amount IS NOT DISTINCT FROM i.amount) AS same,
                 (SELECT count(*) FROM invoice_history WHERE valid_to <= valid_from) AS empty_intervals`),
    );
    expect(check).toEqual({ current: check!.current, open_versions: check!.current, same: check!.current, empty_intervals: '0' });
  });

  it('queries the offline feature tables from their snapshot file lists, and prints a table by default', async () => {
    const store = openOfflineStore({ root });
    const snapshot = await store.snapshot('late_payments');
    const rows = snapshot.files.reduce((n, f) => n + f.rows, 0);
    expect(text(await sql('SELECT count(*) AS n FROM late_payments'))).toEqual([{ n: String(rows) }]);
    const r = await asof('sql', '--root', root, `SELECT status, count(*) AS n FROM invoices GROUP BY status ORDER BY status`);
    expectOk(r);
    expect(r.stdout).toMatch(/status\s+│\s+n\n/);
    expect(r.stdout).toMatch(/\(\d rows\)/);
    const csv = await asof('sql', '--root', root, '--format', 'csv', `SELECT 'a,b' AS x, 1.50::DECIMAL(14,2) AS y, NULL AS z`);
    expect(csv.stdout).toBe('x,y,z\n"a,b",1.50,\n');
    const bad = await asof('sql', '--root', root, 'SELECT * FROM nope');
    expect(bad.code).not.toBe(0);
    expect(bad.errLines.at(-1)).toMatch(/nope.*views here: invoices, invoice_history, invoice_lines/);
  });

  it('a second export is atomic: a reader during it sees the old version; afterwards the new figures match MariaDB', async () => {
    const before = await exportFigures();
    await applyTrsChanges(db.pool, states[0]!, states[1]!);
    await recordSkuVersions(db.pool);
    expectOk(await asof('materialize-incremental', '--root', root, '--source', db.url, ...DEFS));
    const store = openOfflineStore({ root });
    const target = openLocalRoot(out, WORKSPACE);
    let during: Awaited<ReturnType<typeof exportFigures>> | null = null;
    const second = await exportInvoices({
      store,
      target: target.objects,
      location: target.location,
      sources: { invoices, lineItems, skus, accounts },
      asOf: BigInt(Date.parse(AS_OF[1])) * 1000n,
      beforePublish: async (version) => {
        // Every file of the new version is written, and nothing a reader follows names it yet.
        expect(await readdir(path.join(out, "versions"))).toContain(version);
        during = await exportFigures();
      },
    });
    expect(during).toEqual(before);
    expect(second.sequence).toBe(2);
    const after = await exportFigures();
    expect(after).toEqual(await mariaFigures(AS_OF[1]));
    expect(after).not.toEqual(before);
    // The new history reproduces the first export at its instant.
    const [replay] = text(
      await sql(`WITH past AS (SELECT * FROM invoice_history WHERE valid_from <= TIMESTAMPTZ '${AS_OF[0]}' AND (valid_to IS NULL OR valid_to > TIMESTAMPTZ '${AS_OF[0]}'))
        SELECT count(*) AS n, sum(amount) AS total, count(*) FILTER (WHERE is_late) AS late, count(*) FILTER (WHERE status = 'overdue') AS overdue FROM past WHERE status <> 'void'`),
    );
    const totals = (rows: Record<string, string | null>[]) => ({
      n: String(rows.reduce((s, r) => s + Number(r.invoices), 0)),
      late: String(rows.reduce((s, r) => s + Number(r.late), 0)),
      overdue: String(rows.reduce((s, r) => s + Number(r.overdue), 0)),
    });
    expect({ n: replay!.n, late: replay!.late, overdue: replay!.overdue }).toEqual(totals(before.byMonth));
  });

  it('an interrupted export leaves the current version readable and the pointer unchanged', async () => {
    const before = await exportFigures();
    const pointer = await readFile(path.join(out, CURRENT_KEY), 'utf8');
    const target = openLocalRoot(out, WORKSPACE);
    let orphan = '';
    await expect(
      exportInvoices({
        store: openOfflineStore({ root }),
        target: target.objects,
        location: target.location,
        sources: { invoices, lineItems, skus, accounts },
        asOf: BigInt(Date.parse('2024-12-31T00:00:00Z')) * 1000n,
        beforePublish: async (version) => {
          orphan = version;
          throw new Error('killed before publishing');
        },
      }),
    ).rejects.toThrow('killed before publishing');
    expect(await readFile(path.join(out, CURRENT_KEY), 'utf8')).toBe(pointer);
    expect(await readdir(path.join(out, "versions"))).toContain(orphan);
    expect(await exportFigures()).toEqual(before);
  });
});
