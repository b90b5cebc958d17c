/**
 * The exact type mapping, against the real MariaDB started by
 * scripts/services (no mocks): every type at its extremes, NULLs, µs digits
 * before 1970, unicode text, and the zone of DATETIME columns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, parseIsoMicros, SourceQueryError, toArrowType, type SourceColumn } from '@asof/core';
import { ensureServices } from '../../../../../test/helpers/services.js';
import { MySqlConnector } from './connector.js';
import { collect, exactRows, type ExactRow } from './testing/exact-values.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';

let db: TestDatabase;
let source: MySqlConnector;

const us = (iso: string): bigint => parseIsoMicros(iso);
const days = (isoDate: string): number => Number(parseIsoMicros(`${isoDate}T00:00:00Z`) / 86_400_000_000n);

beforeAll(async () => {
  const env = ensureServices('mariadb');
  db = await createTestDatabase(env.ASOF_MYSQL_URL!);
  await db.admin.query(`
    CREATE TABLE all_types (
      id INT NOT NULL PRIMARY KEY,
      b_bool BOOLEAN, b_tiny1 TINYINT(1),
      i_tiny TINYINT, i_tiny_u TINYINT UNSIGNED, i_small SMALLINT, i_small_u SMALLINT UNSIGNED,
      i_medium MEDIUMINT, i_medium_u MEDIUMINT UNSIGNED, i_int INT, i_int_u INT UNSIGNED, i_year YEAR,
      i_big BIGINT, i_big_u BIGINT UNSIGNED,
      d_38_10 DECIMAL(38,10), d_12_2 DECIMAL(12,2), d_5_0 DECIMAL(5,0), d_u DECIMAL(10,3) UNSIGNED,
      f_float FLOAT, f_double DOUBLE,
      t_dt DATETIME(6), t_dt0 DATETIME, t_dt3 DATETIME(3), t_ts TIMESTAMP(6) NULL, d_date DATE,
      s_char CHAR(5), s_varchar VARCHAR(100), s_text TEXT, s_long LONGTEXT, s_enum ENUM('open','paid','void'),
      s_set SET('a','b','c'), s_json JSON, s_time TIME(6),
      x_binary BINARY(4), x_varbinary VARBINARY(16), x_blob BLOB, x_bit BIT(10)
    );
    INSERT INTO all_types VALUES
    (1, TRUE, 1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 2155,
     9223372036854775807, 9223372036854775807,
     '9999999999999999999999999999.9999999999', '9999999999.99', 99999, '9999999.999',
     3.4028234e38, 1.7976931348623157e308,
     '9999-12-31 23:59:59.999999', '2024-02-29 12:34:56', '2024-01-01 00:00:00.123', '2038-01-19 03:14:07.999999', '9999-12-31',
     'abcde', 'héllo wörld', '日本語テキスト 🎉 e\u0301 ∑', REPEAT('xÿ', 50000), 'paid', 'a,c', '{"k": [1, 2.5, "é"]}', '838:59:59.000000',
     X'00FF7F80', X'', X'000102FF', b'1111111111'),
    (2, FALSE, 0, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, 1901,
     -9223372036854775808, 0,
     '-9999999999999999999999999999.9999999999', '-9999999999.99', -99999, '0.000',
     -1.2345678, -4.9406564584124654e-324,
     '1000-01-01 00:00:00.000000', '1969-12-31 23:59:59', '1969-12-31 23:59:59.999', '1970-01-01 00:00:01.000000', '1000-01-01',
     '', '', '', '', 'open', '', 'null', '-838:59:59.000000',
     X'00000000', X'00', X'', b'0'),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (4, TRUE, 0, 0, 1, 0, 1, 0, 1, 0, 1, 2000,
     -1, 1,
     '0.0000000001', '-0.01', 0, '0.001',
     16777217, 0.1,
     '1969-12-31 23:59:59.000001', '1970-01-01 00:00:00', '1969-12-31 23:59:59.001', '2024-06-30 12:00:00.000001', '1969-12-31',
     'ab', 'x', 'tab\\tnew\\nline', 'q', 'void', 'b', '"s"', '00:00:00.000001',
     X'FFFFFFFF', X'DEADBEEF', X'00', b'1000000000');
    CREATE TABLE big_unsigned (id INT PRIMARY KEY, v BIGINT UNSIGNED);
    INSERT INTO big_unsigned VALUES (1, 9223372036854775807), (2, 9223372036854775808), (3, 18446744073709551615);
  `);
  source = new MySqlConnector(db.config());
});

afterAll(async () => {
  await source?.close();
  await db?.drop();
});

const readAll = (id?: number, extra: { columns?: readonly string[] } = {}): Promise<ExactRow[]> =>
  source.snapshot(async (s) => {
    const relation = id === undefined ? { table: 'all_types' } : { sql: 'SELECT * FROM all_types WHERE id = ?', params: [id] };
    return exactRows(await collect(s.extract(relation, extra)));
  });

describe('MySQL type mapping', () => {
  it('describes every column with its dtype, nullability and source type', async () => {
    const columns = await source.snapshot((s) => s.describe({ table: 'all_types' }));
    const summary = Object.fromEntries(columns.map((c: SourceColumn) => [c.name, `${toArrowType(c.dtype)}${c.nullable ? '' : ' not null'} <- ${c.sourceType}`]));
    expect(summary).toMatchObject({
      id: 'Int32 not null <- int(11)',
      b_bool: 'Bool <- tinyint(1)',
      b_tiny1: 'Bool <- tinyint(1)',
      i_tiny: 'Int32 <- tinyint(4)',
      i_tiny_u: 'Int32 <- tinyint(3) unsigned',
      i_medium_u: 'Int32 <- mediumint(8) unsigned',
      i_int: 'Int32 <- int(11)',
      i_int_u: 'Int64 <- int(10) unsigned',
      i_year: 'Int32 <- year(4)',
      i_big: 'Int64 <- bigint(20)',
      i_big_u: 'Int64 <- bigint(20) unsigned',
      d_38_10: 'Decimal[38e+10] <- decimal(38,10)',
      d_12_2: 'Decimal[12e+2] <- decimal(12,2)',
      d_u: 'Decimal[10e+3] <- decimal(10,3) unsigned',
      f_float: 'Float64 <- float',
      f_double: 'Float64 <- double',
      t_dt: 'Timestamp<MICROSECOND, UTC> <- datetime(6)',
      t_ts: 'Timestamp<MICROSECOND, UTC> <- timestamp(6)',
      d_date: 'Date32<DAY> <- date',
      s_enum: "Utf8 <- enum('open','paid','void')",
      s_json: 'Utf8 <- longtext',
      s_time: 'Utf8 <- time(6)',
      x_blob: 'Binary <- blob',
      x_bit: 'Binary <- bit(10)',
    });
  });

  it('extracts with exactly the Arrow types describe() announces, for a table and for a query', async () => {
    const columns = await source.snapshot((s) => s.describe({ table: 'all_types' }));
    const fromTable = await source.snapshot(async (s) => collect(s.extract({ table: 'all_types' })));
    const fromQuery = await source.snapshot(async (s) => collect(s.extract({ sql: 'SELECT * FROM all_types' })));
    const described = columns.map((c) => `${c.name}: ${toArrowType(c.dtype)}`);
    expect(fromTable[0]!.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual(described);
    expect(fromQuery[0]!.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual(described);
  });

  it('reads the maximum of every type exactly', async () => {
    const [row] = await readAll(1);
    expect(row).toEqual({
      id: 1, b_bool: true, b_tiny1: true,
      i_tiny: 127, i_tiny_u: 255, i_small: 32767, i_small_u: 65535, i_medium: 8388607, i_medium_u: 16777215,
      i_int: 2147483647, i_int_u: 4294967295n, i_year: 2155,
      i_big: 2n ** 63n - 1n, i_big_u: 2n ** 63n - 1n,
      d_38_10: 10n ** 38n - 1n, d_12_2: 999999999999n, d_5_0: 99999n, d_u: 9999999999n,
      f_float: Math.fround(3.4028234e38), f_double: 1.7976931348623157e308,
      t_dt: us('9999-12-31T23:59:59.999999Z'), t_dt0: us('2024-02-29T12:34:56Z'), t_dt3: us('2024-01-01T00:00:00.123Z'),
      t_ts: us('2038-01-19T03:14:07.999999Z'), d_date: days('9999-12-31'),
      s_char: 'abcde', s_varchar: 'héllo wörld', s_text: '日本語テキスト 🎉 e\u0301 ∑', s_long: 'xÿ'.repeat(50000),
      s_enum: 'paid', s_set: 'a,c', s_json: '{"k": [1, 2.5, "é"]}', s_time: '838:59:59.000000',
      x_binary: '00ff7f80', x_varbinary: '', x_blob: '000102ff', x_bit: '03ff',
    });
  });

  it('reads the minimum of every type exactly, including dates before 1970', async () => {
    const [row] = await readAll(2);
    expect(row).toEqual({
      id: 2, b_bool: false, b_tiny1: false,
      i_tiny: -128, i_tiny_u: 0, i_small: -32768, i_small_u: 0, i_medium: -8388608, i_medium_u: 0,
      i_int: -2147483648, i_int_u: 0n, i_year: 1901,
      i_big: -(2n ** 63n), i_big_u: 0n,
      d_38_10: -(10n ** 38n - 1n), d_12_2: -999999999999n, d_5_0: -99999n, d_u: 0n,
      f_float: Math.fround(-1.2345678), f_double: -5e-324,
      t_dt: us('1000-01-01T00:00:00Z'), t_dt0: us('1969-12-31T23:59:59Z'), t_dt3: us('1969-12-31T23:59:59.999Z'),
      t_ts: us('1970-01-01T00:00:01Z'), d_date: days('1000-01-01'),
      s_char: '', s_varchar: '', s_text: '', s_long: '', s_enum: 'open', s_set: '', s_json: 'null', s_time: '-838:59:59.000000',
      x_binary: '00000000', x_varbinary: '00', x_blob: '', x_bit: '0000',
    });
  });

  it('keeps every microsecond digit and the smallest decimal steps', async () => {
    const [row] = await readAll(4);
    expect(row).toMatchObject({
      i_big: -1n, i_big_u: 1n, i_int_u: 1n,
      t_dt: -999_999n, t_dt0: 0n, t_dt3: -999_000n, t_ts: us('2024-06-30T12:00:00.000001Z'), d_date: -1,
      d_38_10: 1n, d_12_2: -1n, d_u: 1n, f_float: 16777216, f_double: 0.1,
      s_text: 'tab\tnew\nline', s_json: '"s"', s_time: '00:00:00.000001', x_bit: '0200',
    });
  });

  it('reads NULL as null in every type', async () => {
    const [row] = await readAll(3);
    const { id, ...rest } = row!;
    expect(id).toBe(3);
    expect(Object.values(rest).every((v) => v === null)).toBe(true);
    expect(Object.keys(rest)).toHaveLength(36);
  });

  it('refuses a BIGINT UNSIGNED above 2^63-1, naming the column and the value', async () => {
    const read = (sql: string) => source.snapshot(async (s) => exactRows(await collect(s.extract({ sql, name: 'big' }))));
    expect(await read('SELECT * FROM big_unsigned WHERE id = 1')).toEqual([{ id: 1, v: 2n ** 63n - 1n }]);
    await expect(read('SELECT * FROM big_unsigned')).rejects.toThrow(InvalidInputError);
    await expect(read('SELECT * FROM big_unsigned')).rejects.toThrow(
      /column 'v' \(bigint unsigned\) of query 'big' holds 9223372036854775808, above int64's maximum/,
    );
    // The stream was stopped, not the connection: the same snapshot reads on.
    const after = await source.snapshot(async (s) => {
      await expect(collect(s.extract({ table: 'big_unsigned' }))).rejects.toThrow(/above int64/);
      return exactRows(await collect(s.extract({ sql: 'SELECT id FROM big_unsigned WHERE id < ?', params: [3] })));
    });
    expect(after).toEqual([{ id: 1 }, { id: 2 }]);
  });
});

describe('MySQL time zones and dates', () => {
  beforeAll(async () => {
    // A permissive sql_mode lets the server store the zero and impossible dates real databases contain.
    await db.admin.query(`
      CREATE TABLE zoned (id INT PRIMARY KEY, dt DATETIME(6), ts TIMESTAMP(6) NULL);
      INSERT INTO zoned VALUES
        (1, '2024-07-01 12:00:00.000001', '2024-07-01 12:00:00.000001'),
        (2, '2024-03-31 02:30:00', NULL),
        (3, '2024-10-27 02:30:00', NULL),
        (4, '1969-12-31 23:00:00', NULL);
      SET SESSION sql_mode = 'ALLOW_INVALID_DATES';
      CREATE TABLE bad_dates (id INT PRIMARY KEY, d DATE, dt DATETIME);
      INSERT INTO bad_dates VALUES (1, '2024-01-02', '2024-01-02 03:04:05'), (2, '0000-00-00', '0000-00-00 00:00:00'), (3, '2023-02-30', '2023-02-30 10:00:00');
      SET SESSION sql_mode = DEFAULT;
    `);
  });

  const readZoned = async (datetimeZone: string): Promise<ExactRow[]> => {
    const connector = new MySqlConnector(db.config({ datetimeZone }));
    try {
      return await connector.snapshot(async (s) => exactRows(await collect(s.extract({ table: 'zoned' }))));
    } finally {
      await connector.close();
    }
  };

  it('takes DATETIME as UTC by default, and TIMESTAMP as the instant it stores', async () => {
    const rows = await readZoned('UTC');
    expect(rows[0]).toEqual({ id: 1, dt: us('2024-07-01T12:00:00.000001Z'), ts: us('2024-07-01T12:00:00.000001Z') });
    expect(rows[3]!.dt).toBe(us('1969-12-31T23:00:00Z'));
  });

  it('reads DATETIME in a configured offset or IANA zone, leaving TIMESTAMP alone', async () => {
    const offset = await readZoned('+02:00');
    expect(offset[0]).toEqual({ id: 1, dt: us('2024-07-01T10:00:00.000001Z'), ts: us('2024-07-01T12:00:00.000001Z') });
    expect(offset[3]!.dt).toBe(us('1969-12-31T21:00:00Z'));
    const paris = await readZoned('Europe/Paris');
    expect(paris.map((r) => r.dt)).toEqual([
      us('2024-07-01T10:00:00.000001Z'), // CEST, +02:00
      us('2024-03-31T01:30:00Z'), // 02:30 never happened (clocks jumped 02:00 -> 03:00): moved forward, as Temporal's 'compatible'
      us('2024-10-27T00:30:00Z'), // 02:30 happened twice: the earlier (CEST)
      us('1969-12-31T22:00:00Z'), // CET, +01:00
    ]);
    expect(paris[0]!.ts).toBe(us('2024-07-01T12:00:00.000001Z'));
  });

  it('refuses an unknown zone when the connector is created', () => {
    expect(() => new MySqlConnector(db.config({ datetimeZone: 'Mars/Olympus' }))).toThrow(/unknown time zone "Mars\/Olympus"/);
  });

  it('stops on a zero or impossible date naming the column, or reads it as null when configured', async () => {
    await expect(source.snapshot((s) => collect(s.extract({ table: 'bad_dates' })))).rejects.toThrow(
      /column 'd' \(date\) of table 'bad_dates' holds "0000-00-00", which is not a calendar date/,
    );
    const lenient = new MySqlConnector(db.config({ invalidDates: 'null' }));
    try {
      const rows = await lenient.snapshot(async (s) => exactRows(await collect(s.extract({ table: 'bad_dates' }))));
      expect(rows).toEqual([
        { id: 1, d: days('2024-01-02'), dt: us('2024-01-02T03:04:05Z') },
        { id: 2, d: null, dt: null },
        { id: 3, d: null, dt: null },
      ]);
    } finally {
      await lenient.close();
    }
  });
});

describe('MySQL columns asof does not read', () => {
  beforeAll(async () => {
    await db.admin.query(`
      CREATE TABLE places (id INT PRIMARY KEY, name VARCHAR(20), at POINT);
      INSERT INTO places VALUES (1, 'here', POINT(1, 2));
    `);
  });

  it('refuses a geometry column before reading, and reads the others when it is left out', async () => {
    await expect(source.snapshot((s) => collect(s.extract({ table: 'places' })))).rejects.toThrow(
      /column 'at' \(point\) of table 'places': asof does not read point columns; leave it out with `columns`/,
    );
    const rows = await source.snapshot(async (s) => exactRows(await collect(s.extract({ table: 'places' }, { columns: ['id', 'name'] }))));
    expect(rows).toEqual([{ id: 1, name: 'here' }]);
  });

  it('refuses a decimal wider than Decimal128, suggesting a CAST', async () => {
    const read = (sql: string) => source.snapshot(async (s) => exactRows(await collect(s.extract({ sql, name: 'wide' }))));
    await expect(read('SELECT d_38_10 * d_38_10 AS sq FROM all_types')).rejects.toThrow(/decimal\(65,20\) has more digits than .* CAST it AS DECIMAL\(38,20\)/);
    expect(await read('SELECT CAST(d_12_2 * 2 AS DECIMAL(38,2)) AS twice FROM all_types WHERE id = 1')).toEqual([{ twice: 1999999999998n }]);
  });

  it('fails a query with two columns of the same name with the SQL that failed', async () => {
    // The server itself refuses duplicate names in the derived table asof wraps queries in.
    const error = await source
      .snapshot((s) => collect(s.extract({ sql: 'SELECT id, id FROM all_types', name: 'dup' })))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceQueryError);
    expect((error as SourceQueryError).message).toMatch(/Duplicate column name 'id'/);
    expect((error as SourceQueryError).sql).toMatch(/SELECT id, id FROM all_types/);
    expect((error as SourceQueryError).cause).toMatchObject({ code: 'ER_DUP_FIELDNAME' });
  });
});
