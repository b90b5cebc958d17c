/**
 * Schema drift, identifier quoting, bound values and error messages,
 * against the real MariaDB.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimal, int32, mysqlTable, SchemaMismatchError, SourceQueryError, string, timestamp } from '@asof/core';
import { ensureServices } from '../../../../../test/helpers/services.js';
import { checkSchema } from '../../sources/check-schema.js';
import { MySqlConnector } from './connector.js';
import { mysqlRelation } from './relation.js';
import { quoteIdentifier } from './sql.js';
import { collect, exactRows } from './testing/exact-values.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

let db: TestDatabase;
let source: MySqlConnector;
const started: string[] = [];

beforeAll(async () => {
  const env = ensureServices('mariadb');
  db = await createTestDatabase(env.ASOF_MYSQL_URL!);
  source = new MySqlConnector(db.config({ observer: { queryStarted: (sql) => void started.push(sql) } }));
});

afterAll(async () => {
  await source?.close();
  await db?.drop();
});

describe('MySQL schema drift', () => {
  const invoices = mysqlTable({
    name: 'invoices',
    table: 'invoices',
    timestampField: 'issued_at',
    columns: { id: int32(), amount: decimal(12, 2), paid_at: timestamp(), status: string(), issued_at: timestamp() },
  });
  const extract = () =>
    source.snapshot(async (s) => exactRows(await collect(s.extract(mysqlRelation(invoices), { expectedColumns: invoices.columns! }))));

  beforeAll(async () => {
    await db.admin.query(`
      CREATE TABLE invoices (id INT PRIMARY KEY, amount DECIMAL(12,2), paid_at DATETIME(6), status VARCHAR(10), issued_at DATETIME(6));
      INSERT INTO invoices VALUES (1, '10.00', NULL, 'open', '2024-01-01 00:00:00');
    `);
  });

  it('reads when the columns match, and when the source only gained columns', async () => {
    expect(await extract()).toHaveLength(1);
    await db.admin.query('ALTER TABLE invoices ADD COLUMN currency CHAR(3) NULL');
    expect(await extract()).toEqual([{ id: 1, amount: 1000n, paid_at: null, status: 'open', issued_at: 1704067200000000n, currency: null }]);
  });

  it('stops before reading a row when a column was dropped, naming it', async () => {
    await db.admin.query('ALTER TABLE invoices DROP COLUMN paid_at');
    const before = started.length;
    const error = await extract().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect(error).toMatchObject({ code: 'SCHEMA_MISMATCH', column: 'paid_at' });
    expect((error as Error).message).toMatch(/^column 'paid_at' of table 'invoices' no longer exists in the source \(it has id, amount, status, issued_at, currency\); if it was renamed/);
    expect(started.slice(before).filter((sql) => /FROM `invoices`/.test(sql))).toEqual([]);
    await db.admin.query('ALTER TABLE invoices ADD COLUMN paid_at DATETIME(6) NULL AFTER amount');
  });

  it('stops when a column changed type, saying what it was and what it is', async () => {
    await db.admin.query('ALTER TABLE invoices MODIFY amount VARCHAR(20)');
    const error = await extract().catch((e: unknown) => e);
    expect(error).toMatchObject({ column: 'amount' });
    expect((error as Error).message).toMatch(/^column 'amount' of table 'invoices' was decimal\(12,2\), is now varchar\(20\) \(read as string\)/);
    // A wider decimal changes the stored type too.
    await db.admin.query('ALTER TABLE invoices MODIFY amount DECIMAL(14,2)');
    await expect(extract()).rejects.toThrow(/was decimal\(12,2\), is now decimal\(14,2\)/);
    await db.admin.query('ALTER TABLE invoices MODIFY amount DECIMAL(12,2)');
    expect(await extract()).toHaveLength(1);
  });

  it('checkSchema matches names case-insensitively, as MySQL does', () => {
    const actual = [{ name: 'Amount', dtype: decimal(12, 2), nullable: true, sourceType: 'decimal(12,2)' }];
    expect(() => checkSchema({ amount: decimal(12, 2) }, actual, "table 't'")).not.toThrow();
    expect(() => checkSchema({ amount: decimal(12, 3) }, actual, "table 't'")).toThrow(/was decimal\(12,3\), is now decimal\(12,2\)/);
  });

  it('names a missing projected column as drift', async () => {
    await expect(source.snapshot((s) => collect(s.extract({ table: 'invoices' }, { columns: ['id', 'total'] })))).rejects.toThrow(
      /column 'total' of table 'invoices' does not exist in the source/,
    );
  });
});

describe('MySQL identifiers and values', () => {
  const weird = 'we`ird name';
  beforeAll(async () => {
    await db.admin.query(`
      CREATE TABLE ${quoteIdentifier(weird)} (${quoteIdentifier('col`1 x')} INT PRIMARY KEY, \`select\` VARCHAR(40), ${quoteIdentifier('updated at`')} TIMESTAMP(6) NOT NULL);
      INSERT INTO ${quoteIdentifier(weird)} VALUES (1, 'O''Brien \\\\ "x" ; --', '2024-01-01 00:00:00'), (2, 'plain', '2024-01-02 00:00:00');
      CREATE TABLE victim (id INT);
    `);
  });

  it('quotes identifiers with backticks, doubling a backtick inside', () => {
    expect(quoteIdentifier('a`b c')).toBe('`a``b c`');
    expect(() => quoteIdentifier('')).toThrow(/non-empty/);
    expect(() => quoteIdentifier('a\u0000b')).toThrow(/NUL/);
  });

  it('reads a table and columns named with backticks, spaces and reserved words, plain and incremental', async () => {
    const rows = await source.snapshot(async (s) => {
      const all = exactRows(await collect(s.extract({ table: weird }, { columns: ['col`1 x', 'select'] })));
      const qualified = exactRows(await collect(s.extract({ schema: db.name, table: weird }, { columns: ['col`1 x'] })));
      const changed = exactRows(
        await collect(s.extractChanges({ table: weird }, { watermarkColumn: 'updated at`', since: 1704067200000000n, columns: ['col`1 x'] })),
      );
      return { all, qualified, changed };
    });
    expect(rows.all).toEqual([
      { 'col`1 x': 1, select: 'O\'Brien \\ "x" ; --' },
      { 'col`1 x': 2, select: 'plain' },
    ]);
    expect(rows.qualified).toHaveLength(2);
    expect(rows.changed).toEqual([{ 'col`1 x': 2 }]);
  });

  it('binds values on the server: quotes, backslashes and comment markers match literally', async () => {
    const rows = await source.snapshot(async (s) =>
      exactRows(await collect(s.extract({ sql: `SELECT \`select\` FROM ${quoteIdentifier(weird)} WHERE \`select\` = ?`, params: ['O\'Brien \\ "x" ; --'] }))),
    );
    expect(rows).toEqual([{ select: 'O\'Brien \\ "x" ; --' }]);
  });

  it('treats a hostile table name as a name', async () => {
    const hostile = 'victim`; DROP TABLE victim; -- ';
    const error = await source.snapshot((s) => collect(s.extract({ table: hostile }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceQueryError);
    expect((error as Error).message).toMatch(/table 'victim`; DROP TABLE victim; -- ' does not exist/);
    const [tables] = await db.admin.query("SHOW TABLES LIKE 'victim'");
    expect(tables).toHaveLength(1);
  });
});

describe('MySQL errors', () => {
  it('wraps a failing statement in SourceQueryError with the SQL, the params and the driver error', async () => {
    const error = await source
      .snapshot((s) => collect(s.extract({ sql: 'SELECT nope FROM victim WHERE id = ?', params: [7], name: 'broken' })))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceQueryError);
    expect(error).toMatchObject({ code: 'SOURCE_QUERY', params: [7], cause: { code: 'ER_BAD_FIELD_ERROR' } });
    expect((error as SourceQueryError).sql).toContain('SELECT nope FROM victim WHERE id = ?');
    expect((error as Error).message).toMatch(/^MySQL statement failed: Unknown column 'nope'.*\(ER_BAD_FIELD_ERROR 1054 42S22\); statement: SELECT/);
  });

  it('says where it tried to connect and what to check when the connection is refused', async () => {
    const port = await closedPort();
    const offline = new MySqlConnector({ host: '127.0.0.1', port, user: 'asof', connectTimeoutMs: 2000 });
    try {
      const error = await offline.snapshot(async () => 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SourceQueryError);
      expect((error as Error).message).toBe(
        `cannot connect to MySQL at 127.0.0.1:${port}: connection refused. Check that the server is running and listening there ` +
          '(bind-address, port), and that the connector configuration (url or host/port, e.g. ASOF_MYSQL_URL) names the right host and port',
      );
      expect(error).toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    } finally {
      await offline.close();
    }
  });

  it('names the user when the password is wrong', async () => {
    const url = new URL(db.url);
    url.password = 'wrong';
    const denied = new MySqlConnector({ url: url.toString() });
    try {
      await expect(denied.snapshot(async () => 1)).rejects.toThrow(/refused user 'asof': Access denied .* Check the user, password and grants/);
    } finally {
      await denied.close();
    }
  });
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
