/**
 * Consistency and incremental reads against the real MariaDB: a snapshot
 * sees every table as of one instant, and watermark extracts with an
 * overlap catch a transaction that committed late with an older
 * `updated_at`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, parseIsoMicros, SchemaMismatchError } from '@asof/core';
import { ensureServices } from '../../../../../test/helpers/services.js';
import { MySqlConnector } from './connector.js';
import { collect, exactRows } from './testing/exact-values.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

let db: TestDatabase;
let source: MySqlConnector;
const us = (iso: string): bigint => parseIsoMicros(iso);

beforeAll(async () => {
  const env = ensureServices('mariadb');
  db = await createTestDatabase(env.ASOF_MYSQL_URL!);
  source = new MySqlConnector(db.config());
});

afterAll(async () => {
  await source?.close();
  await db?.drop();
});

describe('MySQL consistent snapshot', () => {
  beforeAll(async () => {
    await db.admin.query(`
      CREATE TABLE accounts (id INT PRIMARY KEY, name VARCHAR(20));
      CREATE TABLE invoices (id INT PRIMARY KEY, account_id INT, amount DECIMAL(12,2));
      INSERT INTO accounts VALUES (1, 'acme'), (2, 'globex');
      INSERT INTO invoices VALUES (10, 1, '5.00'), (11, 2, '7.50');
    `);
  });

  it('does not see rows another connection commits after the snapshot started, in any table', async () => {
    const writer = await db.connect();
    try {
      const seen = await source.snapshot(async (s) => {
        const accounts = exactRows(await collect(s.extract({ table: 'accounts' })));
        // Committed (autocommit) by another connection while the snapshot is open.
        await writer.query("INSERT INTO invoices VALUES (12, 3, '1.25'); INSERT INTO accounts VALUES (3, 'initech')");
        const invoices = exactRows(await collect(s.extract({ table: 'invoices' })));
        const accountsAgain = exactRows(await collect(s.extract({ table: 'accounts' })));
        return { accounts, invoices, accountsAgain };
      });
      expect(seen.accounts.map((r) => r.id)).toEqual([1, 2]);
      expect(seen.invoices.map((r) => r.id)).toEqual([10, 11]);
      expect(seen.accountsAgain).toEqual(seen.accounts);
      const later = await source.snapshot(async (s) => exactRows(await collect(s.extract({ table: 'invoices' }))));
      expect(later.map((r) => r.id)).toEqual([10, 11, 12]);
    } finally {
      await writer.end();
    }
  });

  it('passes the callback result through and rejects with its error, releasing the connection', async () => {
    await expect(source.snapshot(async () => 42)).resolves.toBe(42);
    await expect(source.snapshot(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(source.activeQueries).toBe(0);
    let kept: import('@asof/core').SourceSession | undefined;
    await source.snapshot(async (s) => void (kept = s));
    await expect(collect(kept!.extract({ table: 'accounts' }))).rejects.toThrow(/snapshot has ended/);
    await expect(kept!.describe({ table: 'accounts' })).rejects.toThrow(/snapshot has ended/);
  });
});

describe('MySQL incremental extracts', () => {
  beforeAll(async () => {
    await db.admin.query(`
      CREATE TABLE changes (id INT PRIMARY KEY, status VARCHAR(10), updated_at TIMESTAMP(6) NOT NULL, changed_at DATETIME(6) NULL, note INT);
      INSERT INTO changes VALUES
        (1, 'a', '2024-05-01 09:59:59.999999', '2024-05-01 11:59:59.999999', 0),
        (2, 'b', '2024-05-01 10:00:00.000000', '2024-05-01 12:00:00.000000', 0),
        (3, 'c', '2024-05-01 10:00:00.000001', '2024-05-01 12:00:00.000001', 0),
        (5, 'e', '2024-05-01 10:00:00.700000', NULL, 0),
        (4, 'd', '2024-05-01 10:00:00.500000', '2024-05-01 12:00:00.500000', 0);
    `);
  });

  const changed = (options: { since: string; until?: string; overlapMs?: number; column?: string }, connector = source) =>
    connector.snapshot(async (s) =>
      exactRows(
        await collect(
          s.extractChanges(
            { table: 'changes' },
            {
              watermarkColumn: options.column ?? 'updated_at',
              since: us(options.since),
              until: options.until === undefined ? undefined : us(options.until),
              overlapMs: options.overlapMs,
              columns: ['id', 'updated_at'],
            },
          ),
        ),
      ).map((r) => r.id),
    );

  it('reads (since, until] to the microsecond, ordered by the watermark', async () => {
    expect(await changed({ since: '2024-05-01T10:00:00Z', until: '2024-05-01T10:00:00.5Z' })).toEqual([3, 4]);
    expect(await changed({ since: '2024-05-01T09:59:59.999999Z', until: '2024-05-01T10:00:00.000001Z' })).toEqual([2, 3]);
    expect(await changed({ since: '2024-05-01T10:00:00.000001Z' })).toEqual([4, 5]);
  });

  it('re-reads the overlap below since', async () => {
    expect(await changed({ since: '2024-05-01T10:00:00.000001Z', overlapMs: 0.002 })).toEqual([2, 3, 4, 5]);
    // The lower bound stays exclusive: since - overlap = 10:00:00 leaves row 2 (at exactly 10:00:00) out.
    expect(await changed({ since: '2024-05-01T10:00:01Z', overlapMs: 1000 })).toEqual([3, 4, 5]);
  });

  it('catches a transaction that commits after the run with an older updated_at, within the overlap', async () => {
    const late = await db.connect();
    try {
      // The late writer stamps updated_at inside its transaction, then commits only after run 1.
      await late.query("START TRANSACTION; INSERT INTO changes VALUES (6, 'late', '2024-05-01 10:00:01.000000', NULL, 0)");
      const run1 = await changed({ since: '2024-05-01T10:00:00.5Z', until: '2024-05-01T10:00:02Z' });
      expect(run1).toEqual([5]); // row 6 is not committed yet
      await late.query('COMMIT');
      // Run 2 starts from run 1's until: without an overlap the late row is lost, with one it is caught.
      expect(await changed({ since: '2024-05-01T10:00:02Z', until: '2024-05-01T10:00:03Z' })).toEqual([]);
      expect(await changed({ since: '2024-05-01T10:00:02Z', until: '2024-05-01T10:00:03Z', overlapMs: 5000 })).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await late.query('DELETE FROM changes WHERE id = 6');
      await late.end();
    }
  });

  it('compares a DATETIME watermark in the source zone', async () => {
    const paris = new MySqlConnector(db.config({ datetimeZone: '+02:00' }));
    try {
      // changed_at is wall clock at +02:00: 12:00:00 there is 10:00:00Z.
      expect(await changed({ since: '2024-05-01T09:59:59.999999Z', until: '2024-05-01T10:00:00Z', column: 'changed_at' }, paris)).toEqual([2]);
      expect(await changed({ since: '2024-05-01T10:00:00Z', column: 'changed_at' }, paris)).toEqual([3, 4]);
    } finally {
      await paris.close();
    }
  });

  it('works on a query relation, binding its parameters before the watermark', async () => {
    const ids = await source.snapshot(async (s) =>
      exactRows(
        await collect(
          s.extractChanges(
            { sql: 'SELECT id, updated_at FROM changes WHERE status <> ?', params: ['c'], name: 'not_c' },
            { watermarkColumn: 'updated_at', since: us('2024-05-01T09:00:00Z') },
          ),
        ),
      ).map((r) => r.id),
    );
    expect(ids).toEqual([1, 2, 4, 5]);
  });

  it('refuses a watermark column that is missing or not a time', async () => {
    await expect(changed({ since: '2024-05-01T00:00:00Z', column: 'modified' })).rejects.toThrow(SchemaMismatchError);
    await expect(changed({ since: '2024-05-01T00:00:00Z', column: 'note' })).rejects.toThrow(InvalidInputError);
    await expect(changed({ since: '2024-05-01T00:00:00Z', column: 'note' })).rejects.toThrow(/watermark column 'note' is int\(11\); it must be DATETIME or TIMESTAMP/);
    await expect(source.snapshot(async (s) => s.extractChanges({ table: 'changes' }, { watermarkColumn: 'updated_at', since: 5 as never }))).rejects.toThrow(
      /since \(epoch microseconds as a bigint\)/,
    );
  });
});
