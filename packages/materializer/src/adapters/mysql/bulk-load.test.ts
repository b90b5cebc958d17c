/**
 * The bulk loader against the real MariaDB (scripts/services): exact values
 * of every type it writes, several statements per table, the placeholder
 * cap, upserts, and errors that name the table and rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceQueryError } from '@asof/core';
import { Bool, Decimal, Field, makeData, makeVector, RecordBatch, Schema, Struct, Table, type Vector } from 'apache-arrow';
import { ensureServices } from '../../../../../test/helpers/services.js';
import { int32Vector, int64Vector, tsUs, utf8Vector, dateDayVector, float64Vector } from '../../../../../test/helpers/arrow.js';
import { bulkInsert, createMySqlWritePool, upsert, withTransaction, type MySqlWritePool } from './bulk-load.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

let db: TestDatabase;
let pool: MySqlWritePool;

beforeAll(async () => {
  db = await createTestDatabase(ensureServices('mariadb').ASOF_MYSQL_URL!);
  pool = createMySqlWritePool(db.config());
  await db.admin.query(`
    CREATE TABLE t (
      id BIGINT NOT NULL PRIMARY KEY, big BIGINT, amount DECIMAL(20,4), at DATETIME(6) NULL, ts TIMESTAMP(6) NULL,
      d DATE, flag BOOLEAN, name VARCHAR(100) NULL, score DOUBLE, n INT
    )`);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/** A Decimal128(20, 4) vector of scaled integers. */
function decimalVector(values: readonly bigint[]): Vector<Decimal> {
  const words = new Uint32Array(values.length * 4);
  values.forEach((v, i) => {
    let u = BigInt.asUintN(128, v);
    for (let k = 0; k < 4; k++, u >>= 32n) words[4 * i + k] = Number(u & 0xffffffffn);
  });
  return makeVector(makeData({ type: new Decimal(4, 20, 128), length: values.length, nullCount: 0, data: words }));
}

function boolVector(values: readonly boolean[]): Vector<Bool> {
  const bits = new Uint8Array(8);
  values.forEach((v, i) => (bits[i >> 3]! |= v ? 1 << (i & 7) : 0));
  return makeVector(makeData({ type: new Bool(), length: values.length, nullCount: 0, data: bits }));
}

function table(columns: Record<string, Vector>): Table {
  const names = Object.keys(columns);
  const schema = new Schema(names.map((name) => new Field(name, columns[name]!.type, true)));
  const length = columns[names[0]!]!.length;
  const children = names.map((name) => columns[name]!.data[0]!);
  return new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }))]);
}

async function rows(): Promise<unknown[][]> {
  const [result] = await db.admin.query({
    sql: `SELECT CAST(id AS CHAR), CAST(big AS CHAR), CAST(amount AS CHAR), CAST(at AS CHAR), CAST(ts AS CHAR), CAST(d AS CHAR), flag, name, score, n
          FROM t ORDER BY id`,
    rowsAsArray: true,
  });
  return result as unknown[][];
}

describe('bulkInsert', () => {
  it('writes every type exactly, over several statements', async () => {
    const rowsIn = table({
      id: int64Vector([1n, 2n, 3n]),
      big: int64Vector([9223372036854775807n, -9223372036854775808n, 9007199254740993n]),
      amount: decimalVector([-10005n, 12345678901234567890n, 0n]),
      at: tsUs([1_700_000_000_123_456n, -1n, null]),
      ts: tsUs([1_700_000_000_000_001n, null, 86_400_000_000n]),
      d: dateDayVector([19_723, -1, 0]),
      flag: boolVector([true, false, true]),
      name: utf8Vector(['Über 🚗, "quoted"', null, '']),
      score: float64Vector([0.1, -2.5e300, 0]),
      n: int32Vector([2147483647, -2147483648, 0]),
    });
    expect(await bulkInsert(pool, 't', rowsIn, { batchRows: 2 })).toBe(3);
    expect(await rows()).toEqual([
      ['1', '9223372036854775807', '-1.0005', '2023-11-14 22:13:20.123456', '2023-11-14 22:13:20.000001', '2024-01-01', 1, 'Über 🚗, "quoted"', 0.1, 2147483647],
      ['2', '-9223372036854775808', '1234567890123456.7890', '1969-12-31 23:59:59.999999', null, '1969-12-31', 0, null, -2.5e300, -2147483648],
      ['3', '9007199254740993', '0.0000', null, '1970-01-02 00:00:00.000000', '1970-01-01', 1, '', 0, 0],
    ]);
  });

  it('caps rows per statement at 65,535 placeholders', async () => {
    await db.admin.query('DELETE FROM t');
    const n = 7000; // 7000 rows x 10 columns would be 70,000 placeholders in one statement
    const ids = Array.from({ length: n }, (_, i) => BigInt(i + 100));
    const wide = table({
      id: int64Vector(ids),
      big: int64Vector(ids),
      amount: decimalVector(ids),
      at: tsUs(ids),
      ts: tsUs(ids.map(() => null)),
      d: dateDayVector(ids.map(() => 1)),
      flag: boolVector(ids.map(() => false)),
      name: utf8Vector(ids.map(String)),
      score: float64Vector(ids.map(Number)),
      n: int32Vector(ids.map(Number)),
    });
    expect(await bulkInsert(pool, 't', wide, { batchRows: 100_000 })).toBe(n);
    const [count] = await db.admin.query('SELECT COUNT(*) AS c FROM t');
    expect(Number((count as { c: string }[])[0]!.c)).toBe(n);
  });

  it('names the table and the rows when a statement fails, and stops on an aborted signal', async () => {
    const dup = table({ id: int64Vector([100n]), n: int32Vector([1]) });
    const error = await bulkInsert(pool, 't', dup).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceQueryError);
    expect((error as SourceQueryError).message).toMatch(/rows 1\.\.1 into t .*Duplicate entry/);
    await expect(bulkInsert(pool, 't', dup, { signal: AbortSignal.abort(new Error('stop')) })).rejects.toThrow('stop');
  });
});

describe('upsert', () => {
  it('inserts new keys and overwrites the other columns of existing ones, inside a transaction', async () => {
    await db.admin.query('DELETE FROM t');
    await bulkInsert(pool, 't', table({ id: int64Vector([1n, 2n]), n: int32Vector([10, 20]), name: utf8Vector(['a', 'b']) }));
    const changes = table({ id: int64Vector([2n, 3n]), n: int32Vector([21, 30]), name: utf8Vector([null, 'c']) });
    const sent = await withTransaction(pool, (connection) => upsert(connection, 't', changes, { keyColumns: ['id'] }));
    expect(sent).toBe(2);
    const [result] = await db.admin.query({ sql: 'SELECT CAST(id AS CHAR), n, name FROM t ORDER BY id', rowsAsArray: true });
    expect(result).toEqual([
      ['1', 10, 'a'],
      ['2', 21, null],
      ['3', 30, 'c'],
    ]);
  });

  it('rolls the whole transaction back when a statement fails', async () => {
    const bad = table({ id: int64Vector([4n, 5n]), n: int32Vector([40, null]) }); // n NULL is fine; id NULL is not
    const worse = table({ id: int64Vector([null]), n: int32Vector([1]) });
    await expect(
      withTransaction(pool, async (connection) => {
        await upsert(connection, 't', bad, { keyColumns: ['id'] });
        await upsert(connection, 't', worse, { keyColumns: ['id'] });
      }),
    ).rejects.toBeInstanceOf(SourceQueryError);
    const [result] = await db.admin.query('SELECT COUNT(*) AS c FROM t WHERE id IN (4, 5)');
    expect(Number((result as { c: string }[])[0]!.c)).toBe(0);
  });
});
