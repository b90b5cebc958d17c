/**
 * Keys outside their entity's type (issue 9, point 2) are refused on every
 * entry point with an error naming the column, row, value and key type:
 * never wrapped (2^64 + 80 is not account 80), rounded, or turned into a
 * row of nulls.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  defineEntity,
  defineFeatureView,
  float64,
  int32,
  InvalidKeyError,
  InvalidTimestampError,
  parquetSource,
  rowsToTable,
  type AnyFeatureView,
} from '@asof/core';
import { encodeParquet } from '@asof/stores';
import { DynamoDbOnlineStore } from '@asof/stores/dynamodb';
import { LmdbOnlineStore } from '@asof/stores/lmdb';
import { Int64, makeData, makeVector, Table, Uint64, type DataType } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServices } from '../../../test/helpers/services.js';
import { FeatureStore } from './feature-store.js';
import { commitRows, payments, removeRoots, risk, rowTypes, tempRoot, VIEWS, writeRegistry, type StoredRow } from './testing/fixture.js';

const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
const shop = defineEntity({ name: 'shop', joinKeys: { shop_id: int32() } });
const footfall = defineFeatureView({
  name: 'footfall',
  entities: [shop],
  source: parquetSource({ name: 'visits', path: 'visits.parquet', timestampField: 'ts' }),
  features: { visitors: float64() },
});
const ALL: readonly AnyFeatureView[] = [...VIEWS, footfall];
const T = '2024-03-02T00:00:00Z';

let root: string;
let store: FeatureStore;

/** A one-column Arrow table of 64-bit integers, built from raw values (no wrapping on the way in). */
function int64Table(name: string, type: Int64 | Uint64, values: readonly bigint[], times?: readonly (string | null)[]): Table {
  const data = type instanceof Uint64 ? BigUint64Array.from(values) : BigInt64Array.from(values);
  const keys = makeVector(makeData({ type: type as DataType, length: values.length, data } as never));
  const table = new Table({ [name]: keys });
  if (!times) return table;
  return table.assign(rowsToTable(times.map((t) => ({ event_timestamp: t })), { event_timestamp: rowTypes(payments).event_ts! }));
}

beforeAll(async () => {
  root = await tempRoot();
  await writeRegistry(root, ALL, false);
  const account80: StoredRow = { account_id: 80n, event_ts: us('2024-03-01T00:00:00Z'), created_ts: us('2024-03-01T00:00:00Z'), _asof_deleted: false, amount: 80, status: 'open' };
  await commitRows(root, payments, [[account80]]);
  await commitRows(root, risk, [[{ ...account80, score: 0.8, amount: 8n }]]);
  await commitRows(root, footfall, [[{ shop_id: 80, event_ts: us('2024-03-01T00:00:00Z'), created_ts: us('2024-03-01T00:00:00Z'), _asof_deleted: false, visitors: 8 }]]);
  store = await FeatureStore.open({ root, online: 'none' });
});
afterAll(removeRoots);

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<InvalidKeyError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected an InvalidKeyError, got a result: ${String(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(InvalidKeyError);
  return outcome.error as InvalidKeyError;
}

const BAD_INT64: readonly [string, unknown, RegExp][] = [
  ['2^64 + 80 (would wrap to 80)', 2n ** 64n + 80n, /18446744073709551696n \(bigint\) is not an int64 key .*-2\^63\.\.2\^63-1.* of entity 'account'/],
  ['2^63 (would wrap to -2^63)', 2n ** 63n, /9223372036854775808n \(bigint\) is not an int64 key/],
  ['-2^63 - 1', -(2n ** 63n) - 1n, /-9223372036854775809n \(bigint\) is not an int64 key/],
  ['a fraction', 1.5, /1\.5 \(number\) is not an int64 key/],
  ['a decimal string', '80', /"80" \(string\) is not an int64 key/],
  ['an unsafe number', 2 ** 63, /lost digits already: pass a bigint/],
  ['null', null, /null is not an int64 key .*every row needs its key/],
  ['undefined', undefined, /undefined is not an int64 key/],
];

describe.each(BAD_INT64)('an int64 key that is %s', (_, value, message) => {
  const entities = [
    { account_id: 1n, event_timestamp: T },
    { account_id: value, event_timestamp: T },
  ];
  const expectNamed = (error: InvalidKeyError) => {
    expect(error.message).toMatch(message);
    expect(error.message).toContain("entities column 'account_id', row 1:");
    expect({ column: error.column, row: error.row, keyType: error.keyType }).toEqual({ column: 'account_id', row: 1, keyType: 'int64' });
    expect(error.value).toBe(value);
  };

  it('is refused by getHistoricalFeatures', async () => {
    expectNamed(await failure(store.getHistoricalFeatures({ entities, features: ['payments:amount'] })));
  });
  it('is refused by asOf and compare with entities', async () => {
    const keys = entities.map(({ account_id }) => ({ account_id }));
    expectNamed(await failure(store.asOf(T, { features: ['payments:amount'], entities: keys })));
    expectNamed(await failure(store.compare(T, '2024-03-03T00:00:00Z', { features: ['risk:score'], entities: keys })));
  });
});

describe('Arrow and Parquet spines', () => {
  it('refuses a Uint64 key past 2^63 (it would equal no key, or wrap)', async () => {
    const spine = int64Table('account_id', new Uint64(), [1n, 2n ** 63n + 80n], [T, T]);
    const error = await failure(store.getHistoricalFeatures({ entities: spine, features: ['payments:amount'] }));
    expect(error.message).toMatch(/entities column 'account_id', row 1: 9223372036854775888n \(Uint64\) is not an int64 key/);
    expect(error.row).toBe(1);
    const keys = int64Table('account_id', new Uint64(), [2n ** 64n - 1n]);
    expect((await failure(store.asOf(T, { features: ['payments:amount'], entities: keys }))).row).toBe(0);
  });
  it('accepts a Uint64 spine within int64 and finds the same rows as an Int64 one', async () => {
    const unsigned = await store.getHistoricalFeatures({ entities: int64Table('account_id', new Uint64(), [80n], [T]), features: ['payments:amount'] });
    expect(unsigned.toArray().map((r) => r.amount)).toEqual([80]);
  });
  it('refuses an Int64 spine for an int32 key past 2^31', async () => {
    for (const bad of [2n ** 31n, -(2n ** 31n) - 1n, 2n ** 32n + 80n]) {
      const spine = new Table({ shop_id: int64Table('shop_id', new Int64(), [80n, bad]).getChild('shop_id')! }).assign(
        rowsToTable([{ event_timestamp: T }, { event_timestamp: T }], { event_timestamp: rowTypes(payments).event_ts! }),
      );
      const error = await failure(store.getHistoricalFeatures({ entities: spine, features: ['footfall:visitors'] }));
      expect(error.message).toContain(`entities column 'shop_id', row 1: ${bad}n (Int64) is not an int32 key (a whole number in -2^31..2^31-1) of entity 'shop'`);
      expect(error.keyType).toBe('int32');
    }
    const ok = new Table({ shop_id: int64Table('shop_id', new Int64(), [80n]).getChild('shop_id')! }).assign(
      rowsToTable([{ event_timestamp: T }], { event_timestamp: rowTypes(payments).event_ts! }),
    );
    expect((await store.getHistoricalFeatures({ entities: ok, features: ['footfall:visitors'] })).toArray()[0]!.visitors).toBe(8);
  });
  it('refuses an int32 key past 2^31 given as rows', async () => {
    const error = await failure(store.asOf(T, { features: ['footfall:visitors'], entities: [{ shop_id: 2 ** 31 + 80 }] }));
    expect(error.message).toMatch(/2147483728 \(number\) is not an int32 key/);
  });
  it('refuses a Parquet spine with a Uint64 key past 2^63', async () => {
    const spine = int64Table('account_id', new Uint64(), [2n ** 63n + 80n], [T]);
    const file = path.join(root, 'uint64-spine.parquet');
    await writeFile(file, encodeParquet(spine.schema, spine.batches));
    const error = await failure(store.getHistoricalFeatures({ entities: file, features: ['payments:amount'] }));
    expect(error.message).toMatch(/'account_id', row 0: 9223372036854775888n/);
  });
  it('refuses null keys in a table', async () => {
    const spine = rowsToTable([{ account_id: 1n, event_timestamp: T }, { account_id: null, event_timestamp: T }], rowTypes(payments), ['account_id']).assign(
      rowsToTable([{ event_timestamp: T }, { event_timestamp: T }], { event_timestamp: rowTypes(payments).event_ts! }),
    );
    const error = await failure(store.getHistoricalFeatures({ entities: spine, features: ['payments:amount'] }));
    expect(error.message).toMatch(/'account_id', row 1: null is not an int64 key/);
  });
  it('refuses a key column of another type, naming it', async () => {
    const spine = rowsToTable([{ account_id: 'a', event_timestamp: T }], { event_timestamp: rowTypes(payments).event_ts! });
    const error = await failure(store.getHistoricalFeatures({ entities: spine, features: ['payments:amount'] }));
    expect(error.message).toBe("entities column 'account_id' is Utf8; expected integers (an int64 key (a bigint or a whole number in -2^63..2^63-1) of entity 'account')");
    expect(error.row).toBeNull();
  });
});

describe('times', () => {
  it('refuses a null time in rows and in tables instead of answering a row of nulls', async () => {
    const rows = [{ account_id: 80n, event_timestamp: T }, { account_id: 80n, event_timestamp: null }];
    const error = await store.getHistoricalFeatures({ entities: rows, features: ['payments:amount'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTimestampError);
    expect((error as Error).message).toMatch(/entities column 'event_timestamp', row 1 has no time/);
    const table = rowsToTable(rows, { account_id: rowTypes(payments).account_id!, event_timestamp: rowTypes(payments).event_ts! });
    await expect(store.getHistoricalFeatures({ entities: table, features: ['payments:amount'] })).rejects.toThrow(/'event_timestamp', row 1 has no time/);
    const missing = [{ account_id: 80n, event_timestamp: T }, { account_id: 80n }];
    await expect(store.getHistoricalFeatures({ entities: missing, features: ['payments:amount'] })).rejects.toThrow(/'event_timestamp', row 1 has no time/);
  });
});

describe.each(['lmdb', 'dynamodb'] as const)('getOnlineFeatures on %s', (kind) => {
  let online: FeatureStore;
  beforeAll(async () => {
    const backend =
      kind === 'lmdb'
        ? new LmdbOnlineStore({ path: path.join(await tempRoot(), 'online') })
        : new DynamoDbOnlineStore({
            endpoint: ensureServices('dynamodb-local').ASOF_DYNAMODB_ENDPOINT!,
            region: 'us-east-1',
            credentials: { accessKeyId: 'asof', secretAccessKey: 'asof-secret' },
            tableName: `asof-keys-${randomBytes(4).toString('hex')}`,
          });
    if (backend instanceof DynamoDbOnlineStore) await backend.createTable();
    const row = { account_id: 80n, event_ts: us('2024-03-01T00:00:00Z'), created_ts: us('2024-03-01T00:00:00Z'), _asof_deleted: false, amount: 80, status: 'open' };
    await backend.write(payments, rowsToTable([row], rowTypes(payments)));
    online = new FeatureStore({ registry: store.registry, offline: store.offline, online: backend });
  }, 60_000);
  afterAll(() => online?.close());

  it('answers account 80 for 80n', async () => {
    const read = await online.getOnlineFeatures({ features: ['payments:amount'], entities: [{ account_id: 80n }], at: T });
    expect(read.rows).toEqual([{ account_id: 80n, amount: 80 }]);
  });
  it.each(BAD_INT64)('refuses an int64 key that is %s', async (_, value, message) => {
    const error = await failure(online.getOnlineFeatures({ features: ['payments:amount'], entities: [{ account_id: 80n }, { account_id: value }], at: T }));
    expect(error.message).toMatch(message);
    expect([error.column, error.row]).toEqual(['account_id', 1]);
  });
  it('refuses a Uint64 key table past 2^63', async () => {
    const error = await failure(online.getOnlineFeatures({ features: ['payments:amount'], entities: int64Table('account_id', new Uint64(), [2n ** 63n + 80n]), at: T }));
    expect(error.row).toBe(0);
  });
});

