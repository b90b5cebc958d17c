/**
 * MySQL extraction benchmark: asof's MySqlConnector streaming a TRS-like
 * invoices table into Arrow record batches, against the ceiling for any
 * extraction from this source, mysql2's own `query().stream()` with
 * `rowsAsArray` over the same rows (REFERENCE.md, "MariaDB").
 *
 *   pnpm bench mysql-extract              # 1M invoices
 *   pnpm bench mysql-extract --rows 200k  # (env: MYSQL_BENCH_ROWS)
 *
 * Uses the project's MariaDB (scripts/services/up.sh mariadb, started if
 * ASOF_MYSQL_URL is unset). The table is generated once per size in the
 * database `asof_bench` and reused. Each side runs three times, alternating;
 * the best run counts (the machine may be busy).
 */
import { createRequire } from 'node:module';
import { ensureServices } from '../test/helpers/services.js';
import { count, peakRssMiB, runIfMain, timed, type BenchResult } from './lib/common.js';

const BENCH = 'mysql-extract';
const DATABASE = 'asof_bench';

/** The slices of mysql2 the benchmark uses, loaded from the adapter's own dependency (bench/ has none). */
interface RawConnection {
  query(options: { sql: string; rowsAsArray: boolean }): { stream(options?: object): NodeJS.ReadableStream };
  end(): void;
}
interface PromiseConnection {
  query(sql: string): Promise<[unknown, unknown]>;
  end(): Promise<void>;
}
const load = createRequire(new URL('../packages/materializer/package.json', import.meta.url));
const mysql2 = load('mysql2') as { createConnection(options: object): RawConnection };
const mysql2Promise = load('mysql2/promise') as { createConnection(options: object): Promise<PromiseConnection> };

const TABLE = `CREATE TABLE IF NOT EXISTS invoices_%ROWS% (
  id BIGINT PRIMARY KEY, account_id BIGINT NOT NULL, company_id INT NOT NULL,
  issued_at DATETIME(6) NOT NULL, due_date DATE NOT NULL, paid_at DATETIME(6) NULL,
  amount DECIMAL(12,2) NOT NULL, currency CHAR(3) NOT NULL, status ENUM('open','paid','void') NOT NULL,
  updated_at TIMESTAMP(6) NOT NULL)`;
const FILL = `INSERT INTO invoices_%ROWS% SELECT seq, seq % 50000, seq % 500,
  TIMESTAMP('2020-01-01') + INTERVAL seq * 37 SECOND + INTERVAL seq % 1000000 MICROSECOND,
  DATE('2020-01-01') + INTERVAL (seq DIV 2000) DAY, IF(seq % 5 = 0, NULL, TIMESTAMP('2020-02-01') + INTERVAL seq * 37 SECOND),
  (seq % 100000) / 100 + 0.01, 'EUR', ELT(1 + seq % 3, 'open', 'paid', 'void'), TIMESTAMP('2021-01-01') + INTERVAL seq SECOND
  FROM seq_1_to_%ROWS%`;

/** Runs the benchmark and returns its results (also printed as a table when run alone). */
export async function run(rows = count('rows', 'MYSQL_BENCH_ROWS', 1_000_000)): Promise<BenchResult[]> {
  const env = ensureServices('mariadb');
  const url = new URL(env.ASOF_MYSQL_URL!);
  const options = {
    host: url.hostname,
    port: Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    multipleStatements: true,
  };
  const table = `invoices_${rows}`;
  await prepare(options, rows);
  // Imported here, once the asof-source export condition is active (see the re-exec below).
  const { MySqlConnector } = await import('../packages/materializer/src/adapters/mysql/index.js');
  url.pathname = `/${DATABASE}`;
  const connector = new MySqlConnector({ url: url.toString() });

  const reference = async (): Promise<number> => {
    const conn = mysql2.createConnection({ ...options, database: DATABASE });
    try {
      let n = 0;
      for await (const _ of conn.query({ sql: `SELECT * FROM ${table}`, rowsAsArray: true }).stream()) n++;
      return n;
    } finally {
      conn.end();
    }
  };
  const asof = (): Promise<number> =>
    connector.snapshot(async (s) => {
      let n = 0;
      for await (const batch of s.extract({ table })) n += batch.numRows;
      return n;
    });

  const best = { reference: [Infinity, 0] as [number, number], asof: [Infinity, 0] as [number, number] };
  try {
    for (let round = 0; round < 3; round++) {
      for (const [name, f] of [['reference', reference], ['asof', asof]] as const) {
        const [n, seconds, cpu] = await timed(f);
        if (n !== rows) throw new Error(`${name} read ${n} rows, expected ${rows}`);
        if (seconds < best[name][0]) best[name] = [seconds, cpu];
      }
    }
  } finally {
    await connector.close();
  }
  const ratio = best.asof[0] / best.reference[0];
  console.log(`mysql-extract: asof ${fmt(best.asof[0])} s vs mysql2 stream ${fmt(best.reference[0])} s for ${rows} rows: ${ratio.toFixed(2)}x`);
  return [
    { bench: BENCH, step: 'mysql2 query().stream() rowsAsArray (reference)', seconds: best.reference[0], cpuSeconds: best.reference[1], rows, note: '10 columns, JS rows only' },
    {
      bench: BENCH,
      step: 'asof MySqlConnector.extract -> Arrow batches (50k)',
      seconds: best.asof[0],
      cpuSeconds: best.asof[1],
      rows,
      peakRssMiB: peakRssMiB(),
      note: `${ratio.toFixed(2)}x the reference`,
    },
  ];
}

async function prepare(options: object, rows: number): Promise<void> {
  const conn = await mysql2Promise.createConnection(options);
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${DATABASE}; USE ${DATABASE}; ${TABLE.replace('%ROWS%', String(rows))}`);
    const [[counted]] = (await conn.query(`SELECT COUNT(*) AS n FROM invoices_${rows}`)) as [[{ n: string }], unknown];
    if (Number(counted.n) !== rows) {
      console.log(`mysql-extract: generating ${rows} invoices (once)...`);
      await conn.query(`TRUNCATE invoices_${rows}; ${FILL.replaceAll('%ROWS%', String(rows))}`);
    }
  } finally {
    await conn.end();
  }
}

function fmt(seconds: number): string {
  return seconds.toFixed(2);
}

await runIfMain(import.meta.url, run);
