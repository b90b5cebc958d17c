/**
 * The change stream must be exactly as correct as the batch path. Rows of
 * every type asof reads are written to the real MariaDB and read back by
 * the MySQL adapter (the batch extract); the same rows, encoded as
 * Debezium and the JSON converter write them (the test encoder, from the
 * documentation), decode to Arrow row versions with the same values, in
 * each decimal and time encoding, with and without schemas.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal, TOMBSTONE_COLUMN } from '@asof/core';
import { ensureServices } from '../../../../../test/helpers/services.js';
import { MySqlConnector } from '../mysql/connector.js';
import { collect, exactRows, type ExactRow } from '../mysql/testing/exact-values.js';
import { createTestDatabase, type TestDatabase } from '../mysql/testing/test-database.js';
import { formatWallMicros } from '../mysql/value-parsers.js';
import { createDebeziumDecoder, rowVersionBatch, type RowChange } from './index.js';
import { encodeEvent, encodeKey, isoDate, javaFloat, topicOf, type EncodeSettings, type Row } from './testing/debezium-encoder.js';
import { WIDE_TABLE, wide } from './testing/trs-tables.js';

/** Rows of WIDE_TABLE within MySQL's ranges, a fixed sample so the test is the same every run. */
function sampleRows(): Row[] {
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 5 });
  const decimal = (p: number, s: number) => fc.bigInt(-(10n ** BigInt(p) - 1n), 10n ** BigInt(p) - 1n).map((u) => new Decimal(u, s));
  const row = fc.record({
    code: fc.string({ unit: 'grapheme', maxLength: 10 }),
    big_amount: maybe(decimal(38, 10)),
    whole: maybe(decimal(18, 0)),
    fraction: maybe(decimal(5, 5)),
    flag: maybe(fc.boolean()),
    ratio: maybe(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0))),
    weight: maybe(fc.float({ noNaN: true, noDefaultInfinity: true }).filter((f) => !Object.is(f, -0))),
    birthday: maybe(fc.integer({ min: -354_285, max: 2_932_896 })), // 1000-01-01 .. 9999-12-31
    seen_at: maybe(fc.bigInt(1_000_000n, 2_147_483_647_999_999n)), // TIMESTAMP's range
    logged_at: maybe(fc.bigInt(-30_610_224_000_000n, 253_402_300_799_999n).map((ms) => ms * 1000n)), // DATETIME(3): ms
    payload: maybe(fc.uint8Array({ maxLength: 16 })),
    count: maybe(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
    updated_at: fc.bigInt(-30_610_224_000_000_000n, 253_402_300_799_999_999n),
  });
  return fc.sample(row, { numRuns: 120, seed: 20240611 }).map((r, i) => ({ id: BigInt(i) * 76_861_433_640_456_465n - 2n ** 62n, ...r }));
}

let db: TestDatabase;
let source: MySqlConnector;
let rows: Row[];
let batchRows: ExactRow[];

beforeAll(async () => {
  const env = ensureServices('mariadb');
  db = await createTestDatabase(env.ASOF_MYSQL_URL!);
  await db.admin.query(`
    CREATE TABLE wide (
      id BIGINT NOT NULL, code VARCHAR(64) NOT NULL,
      big_amount DECIMAL(38,10), whole DECIMAL(18,0), fraction DECIMAL(5,5), flag TINYINT(1),
      ratio DOUBLE, weight FLOAT, birthday DATE, seen_at TIMESTAMP(6) NULL, logged_at DATETIME(3), payload BLOB, count INT,
      updated_at DATETIME(6) NOT NULL,
      PRIMARY KEY (id, code)
    ) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  rows = sampleRows();
  const sql = (v: unknown, column: string): unknown => {
    if (v === null || v === undefined) return null;
    if (v instanceof Decimal) return v.toString();
    if (typeof v === 'bigint') return column === 'id' ? v.toString() : formatWallMicros(v);
    if (column === 'birthday') return isoDate(v as number);
    if (column === 'weight') return javaFloat(v as number);
    if (column === 'ratio') return String(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v instanceof Uint8Array) return Buffer.from(v);
    return v;
  };
  const columns = WIDE_TABLE.columns.map((c) => c.name);
  await db.admin.query(`INSERT INTO wide (${columns.join(', ')}) VALUES ?`, [rows.map((r) => columns.map((c) => sql(r[c], c)))]);
  source = new MySqlConnector(db.config());
  const batches = await source.snapshot(async (s) => collect(s.extract({ table: 'wide' }, { expectedColumns: wide.columns! })));
  batchRows = sortById(exactRows(batches));
});

afterAll(async () => {
  await source?.close();
  await db?.drop();
});

function sortById(list: ExactRow[]): ExactRow[] {
  return [...list].sort((a, b) => (a.id === b.id ? ((a.code as string) < (b.code as string) ? -1 : 1) : (a.id as bigint) < (b.id as bigint) ? -1 : 1));
}

const variants: EncodeSettings[] = [
  { prefix: 'trs', schemas: true, decimals: 'base64', time: 'adaptive_time_microseconds' },
  { prefix: 'trs', schemas: false, decimals: 'base64', time: 'adaptive_time_microseconds' },
  { prefix: 'trs', schemas: true, decimals: 'numeric', time: 'isostring' },
  { prefix: 'trs', schemas: false, decimals: 'string', time: 'microseconds' },
  { prefix: 'trs', schemas: true, decimals: 'string', time: 'nanoseconds' },
];

describe('Debezium decoding matches the batch extract of the same rows (real MariaDB)', () => {
  it('the batch extract read every row written', () => {
    expect(batchRows).toHaveLength(rows.length);
  });

  it.each(variants.map((v) => [`schemas ${v.schemas}, decimals ${v.decimals}, ${v.time}`, v] as const))('%s', (_, settings) => {
    const decoder = createDebeziumDecoder({
      sources: [wide],
      topicPrefix: 'trs',
      decimalHandlingMode: settings.decimals === 'string' ? 'string' : 'precise',
      decimalFormat: settings.decimals === 'numeric' ? 'numeric' : 'base64',
      timePrecisionMode: settings.time,
      timestampUnits: settings.time === 'adaptive_time_microseconds' ? { columns: { wide: { logged_at: 'ms', updated_at: 'us' } } } : {},
    });
    const changes = rows.map((row, i) => {
      const outcome = decoder.decode({
        topic: topicOf(WIDE_TABLE, settings),
        key: encodeKey(WIDE_TABLE, settings, row),
        value: encodeEvent(WIDE_TABLE, settings, 'r', null, row, { tsMs: 1_718_000_000_000, snapshot: i === rows.length - 1 ? 'last' : 'true' }),
      });
      if (!outcome.ok) throw new Error(outcome.deadLetter.message);
      return outcome.change as RowChange;
    });
    const streamed = exactRows([rowVersionBatch(wide, changes)]).map(({ [TOMBSTONE_COLUMN]: deleted, ...rest }) => {
      expect(deleted).toBe(false);
      return rest;
    });
    const expected = settings.schemas ? batchRows : batchRows.map((r) => ({ ...r, weight: r.weight === null ? null : Number(javaFloat(r.weight as number)) }));
    // Without a schema a FLOAT is the double its text spells, not its float32 widened (see the README).
    expect(sortById(streamed)).toEqual(expected);
  });
});
