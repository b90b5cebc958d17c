/**
 * Streaming against the real MariaDB: batch boundaries, memory bounded by
 * the batch size (rows held, not wall time), stopping early or on abort,
 * and the bound on concurrent statements (seen by the connector and by the
 * server's own process list).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceQueryError } from '@asof/core';
import { ensureServices } from '../../../../../test/helpers/services.js';
import { MySqlConnector } from './connector.js';
import type { MySqlObserver } from './config.js';
import { collect, exactRows } from './testing/exact-values.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

const ROWS = 200_000;
let db: TestDatabase;

beforeAll(async () => {
  const env = ensureServices('mariadb');
  db = await createTestDatabase(env.ASOF_MYSQL_URL!);
  // seq_1_to_N is MariaDB's Sequence engine: 200k rows in one statement.
  await db.admin.query(`
    CREATE TABLE big (id BIGINT PRIMARY KEY, account_id INT NOT NULL, amount DECIMAL(12,2) NOT NULL,
                      issued_at DATETIME(6) NOT NULL, note VARCHAR(40) NULL);
    INSERT INTO big SELECT seq, seq % 1000, (seq % 100000) / 100, TIMESTAMP('2024-01-01') + INTERVAL seq SECOND,
                           IF(seq % 7 = 0, NULL, CONCAT('invoice ', seq)) FROM seq_1_to_${ROWS};
  `);
});

afterAll(async () => {
  await db?.drop();
});

/** A connector whose observer records the load it puts on the server. */
function instrumented(options: { maxConcurrentQueries?: number; batchSize?: number } = {}) {
  const stats = { running: 0, maxRunning: 0, started: [] as string[], maxBuffered: 0 };
  const observer: MySqlObserver = {
    queryStarted: (sql) => {
      stats.started.push(sql);
      stats.maxRunning = Math.max(stats.maxRunning, ++stats.running);
    },
    queryFinished: () => void stats.running--,
    rowsBuffered: (rows) => void (stats.maxBuffered = Math.max(stats.maxBuffered, rows)),
  };
  return { connector: new MySqlConnector(db.config({ ...options, observer })), stats };
}

/** Statements of our test user the server is running now, except SHOW PROCESSLIST itself. */
async function serverStatements(pattern: RegExp): Promise<string[]> {
  const [rows] = await db.admin.query<import('mysql2/promise').RowDataPacket[]>('SHOW FULL PROCESSLIST');
  return rows.filter((r) => r.Command === 'Query' && typeof r.Info === 'string' && pattern.test(r.Info)).map((r) => String(r.Info));
}

/**
 * The server has stopped every statement matching `pattern`. Polled: a
 * killed statement can stay in the process list for a moment after its
 * error reached the client.
 */
async function expectNoneRunning(pattern: RegExp): Promise<void> {
  await expect.poll(() => serverStatements(pattern), { timeout: 3000, interval: 50 }).toEqual([]);
}

describe('MySQL streaming', () => {
  it('streams 200k rows in exactly 20 batches of 10k, holding at most one batch even for a slow consumer', async () => {
    const { connector, stats } = instrumented();
    try {
      const sizes: number[] = [];
      let sum = 0n;
      let last = 0n;
      await connector.snapshot(async (s) => {
        for await (const batch of s.extract({ table: 'big' }, { batchSize: 10_000 })) {
          sizes.push(batch.numRows);
          const ids = batch.getChild('id')!.data[0]!.values as BigInt64Array;
          let ordered = true;
          for (const id of ids) {
            ordered &&= id === last + 1n;
            last = id;
            sum += id;
          }
          expect(ordered).toBe(true);
          // A slow consumer: the server must be paused meanwhile, not buffered into memory.
          if (sizes.length <= 3) await sleep(200);
        }
      });
      expect(sizes).toEqual(Array(20).fill(10_000));
      expect(sum).toBe((BigInt(ROWS) * BigInt(ROWS + 1)) / 2n);
      expect(stats.maxBuffered).toBeGreaterThan(0);
      expect(stats.maxBuffered).toBeLessThanOrEqual(10_000);
    } finally {
      await connector.close();
    }
  });

  it('uses 50,000 rows a batch by default and a shorter last batch', async () => {
    const { connector } = instrumented();
    try {
      const sizes = await connector.snapshot(async (s) =>
        (await collect(s.extract({ sql: 'SELECT id, note FROM big WHERE id <= ?', params: [120_001] }))).map((b) => b.numRows),
      );
      expect(sizes).toEqual([50_000, 50_000, 20_001]);
      const empty = await connector.snapshot((s) => collect(s.extract({ sql: 'SELECT id FROM big WHERE id < 0' })));
      expect(empty).toEqual([]);
    } finally {
      await connector.close();
    }
  });

  it('stops the query on the server when the consumer breaks out early, and the snapshot reads on', async () => {
    const { connector, stats } = instrumented();
    try {
      await connector.snapshot(async (s) => {
        let seen = 0;
        for await (const batch of s.extract({ table: 'big' }, { batchSize: 5_000 })) {
          seen += batch.numRows;
          if (seen >= 15_000) break;
        }
        expect(seen).toBe(15_000);
        await expectNoneRunning(/FROM `big`/);
        expect(stats.running).toBe(0);
        const rows = exactRows(await collect(s.extract({ sql: 'SELECT COUNT(*) AS n FROM big' })));
        expect(rows).toEqual([{ n: BigInt(ROWS) }]);
      });
    } finally {
      await connector.close();
    }
  });

  it('stops mid-stream on abort: the loop rejects with the abort reason and the connection is released', async () => {
    const { connector, stats } = instrumented();
    try {
      const controller = new AbortController();
      let batches = 0;
      const outcome = await connector
        .snapshot(async (s) => {
          for await (const _ of s.extract({ table: 'big' }, { batchSize: 10_000, signal: controller.signal })) {
            if (++batches === 3) controller.abort();
          }
        })
        .catch((e: unknown) => e);
      expect(outcome).toMatchObject({ name: 'AbortError' });
      expect(batches).toBe(3);
      expect(stats.running).toBe(0);
      await expectNoneRunning(/FROM `big`/);
      // Aborted before it starts: no statement is sent at all.
      const before = stats.started.length;
      await expect(
        connector.snapshot((s) => collect(s.extract({ table: 'big' }, { signal: AbortSignal.abort() }))),
      ).rejects.toMatchObject({ name: 'AbortError' });
      // Only the snapshot's own statements ran (SET, START TRANSACTION, ROLLBACK), nothing on `big`.
      expect(stats.started.slice(before).filter((sql) => /big/.test(sql))).toEqual([]);
      // The pool is still healthy afterwards.
      const rows = await connector.snapshot(async (s) => exactRows(await collect(s.extract({ sql: 'SELECT MAX(id) AS m FROM big' }))));
      expect(rows).toEqual([{ m: BigInt(ROWS) }]);
    } finally {
      await connector.close();
    }
  });

  it('aborting the snapshot stops the extract running in it', async () => {
    const { connector } = instrumented();
    try {
      const controller = new AbortController();
      const outcome = await connector
        .snapshot(
          async (s) => {
            for await (const _ of s.extract({ table: 'big' }, { batchSize: 10_000 })) controller.abort(new Error('shutting down'));
          },
          { signal: controller.signal },
        )
        .catch((e: unknown) => e);
      expect(outcome).toMatchObject({ message: 'shutting down' });
      await expectNoneRunning(/FROM `big`/);
    } finally {
      await connector.close();
    }
  });

  it('fails, rather than hangs, when the server drops the connection mid-stream', async () => {
    const { connector } = instrumented();
    try {
      // No statement of an earlier test may linger, so the one found below is ours.
      await expectNoneRunning(/FROM `big`/);
      const outcome = await connector
        .snapshot(async (s) => {
          for await (const _ of s.extract({ table: 'big' }, { batchSize: 10_000 })) {
            const [rows] = await db.admin.query<import('mysql2/promise').RowDataPacket[]>('SHOW FULL PROCESSLIST');
            const victim = rows.find((r) => typeof r.Info === 'string' && /FROM `big`/.test(r.Info));
            // A thread that just finished is gone by the time of the KILL: try again at the next batch.
            if (victim) await db.admin.query(`KILL CONNECTION ${Number(victim.Id)}`).catch(() => undefined);
          }
        })
        .catch((e: unknown) => e);
      expect(outcome).toBeInstanceOf(SourceQueryError);
      expect((outcome as Error).message).toMatch(/^lost the connection to MySQL at 127\.0\.0\.1:\d+ while running: SELECT .* FROM `big`$/);
      // The dead connection left the pool: the next snapshot gets a fresh one.
      const rows = await connector.snapshot(async (s) => exactRows(await collect(s.extract({ sql: 'SELECT COUNT(*) AS n FROM big' }))));
      expect(rows).toEqual([{ n: BigInt(ROWS) }]);
    } finally {
      await connector.close();
    }
  });

  it('never runs more than maxConcurrentQueries statements at once, however many snapshots run', async () => {
    const { connector, stats } = instrumented({ maxConcurrentQueries: 2 });
    let maxOnServer = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        // The server shows an EXECUTE by the text of the statement it runs.
        maxOnServer = Math.max(maxOnServer, (await serverStatements(/SELECT \* FROM big WHERE id <= \?/)).length);
        await sleep(10);
      }
    })();
    try {
      const slowRead = (s: import('@asof/core').SourceSession) =>
        (async () => {
          let rows = 0;
          for await (const batch of s.extract({ sql: 'SELECT * FROM big WHERE id <= ?', params: [40_000] }, { batchSize: 5_000 })) {
            rows += batch.numRows;
            await sleep(25);
          }
          return rows;
        })();
      const results = await Promise.all(Array.from({ length: 6 }, () => connector.snapshot(slowRead)));
      expect(results).toEqual(Array(6).fill(40_000));
    } finally {
      sampling = false;
      await sampler;
      await connector.close();
    }
    expect(stats.maxRunning).toBe(2);
    expect(maxOnServer).toBeGreaterThanOrEqual(1);
    expect(maxOnServer).toBeLessThanOrEqual(2);
  });

  it('refuses a second statement while an extract of the same session is still open', async () => {
    const { connector } = instrumented();
    try {
      await connector.snapshot(async (s) => {
        const first = s.extract({ table: 'big' }, { batchSize: 1000 })[Symbol.asyncIterator]() as AsyncGenerator<RecordBatch>;
        await first.next();
        await expect(s.describe({ table: 'big' })).rejects.toThrow(/one statement at a time/);
        await first.return(undefined);
        expect((await s.describe({ table: 'big' })).map((c) => c.name)).toEqual(['id', 'account_id', 'amount', 'issued_at', 'note']);
      });
    } finally {
      await connector.close();
    }
  });
});
