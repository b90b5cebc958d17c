/**
 * Faults DynamoDB Local never produces by itself, injected by wrapping the
 * client's `send`: throttling, 5xx, `UnprocessedKeys`. The rows still go to
 * (and come from) DynamoDB Local, so "nothing dropped" is checked against
 * real storage.
 */
import { randomBytes } from 'node:crypto';
import {
  BatchGetItemCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bool, int64, InvalidInputError, StoreReadError, StoreWriteError, string, timestamp, TOMBSTONE_COLUMN, type OnlineView } from '@asof/core';
import { tableOf } from '../../testing/online-fixtures.js';
import { dynamoDbConnection } from '../../testing/services.js';
import { packInt64 } from '../../online/timeline-items.js';
import { DynamoDbOnlineStore, type DynamoDbOnlineStoreOptions } from './dynamodb-online-store.js';

dynamoDbConnection(); // start DynamoDB Local while collecting, outside any test timeout

const T0 = 1_709_251_200_000_000n;
const tableName = `asof-online-faults-${randomBytes(4).toString('hex')}`;
let plainStore: DynamoDbOnlineStore;
let views = 0;

beforeAll(async () => {
  plainStore = new DynamoDbOnlineStore({ ...dynamoDbConnection(), tableName });
  await plainStore.createTable();
});
afterAll(() => plainStore.close());

function view(ttlMs: number | null = null): OnlineView {
  return { name: `faults_${views++}_${randomBytes(3).toString('hex')}`, keys: { account_id: int64() }, features: { v: int64(), s: string() }, ttlMs };
}

function rows(ids: readonly number[], ets = T0) {
  return tableOf({
    account_id: [int64(), ids.map(BigInt)],
    event_ts: [timestamp(), ids.map(() => ets)],
    created_ts: [timestamp(), ids.map(() => ets)],
    v: [int64(), ids.map((i) => BigInt(i) * 10n)],
    s: [string(), ids.map((i) => `s${i}`)],
  });
}

type Send = (command: unknown) => Promise<unknown>;
/** A store whose every request passes through `inject(command, realSend)`; sleeps are recorded, jitter is fixed at half the cap. */
function faultyStore(inject: (command: unknown, send: Send) => Promise<unknown>, options: Partial<DynamoDbOnlineStoreOptions> = {}) {
  const sleeps: number[] = [];
  const store = new DynamoDbOnlineStore({
    ...dynamoDbConnection(),
    tableName,
    retry: { baseDelayMs: 10, maxDelayMs: 40, maxAttempts: 6, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) },
    ...options,
  });
  const real = store.client.send.bind(store.client) as (command: unknown, options?: unknown) => Promise<unknown>;
  (store.client as unknown as { send: unknown }).send = (command: unknown, opts?: unknown) => inject(command, (c) => real(c, opts));
  return { store, sleeps };
}

const throttle = () => new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
const provisioned = () => new ProvisionedThroughputExceededException({ message: 'throughput exceeded', $metadata: { httpStatusCode: 400 } });
const serverError = () => new InternalServerError({ message: 'internal', $metadata: { httpStatusCode: 500 } });
const pkOf = (command: unknown) => ((command as PutItemCommand).input.Item!.pk as { S: string }).S;

describe('DynamoDbOnlineStore under faults (DynamoDB Local behind a faulty client)', () => {
  it('retries throttled and failed puts with capped exponential backoff and full jitter until every row is written', async () => {
    const attempts = new Map<string, number>();
    const { store, sleeps } = faultyStore(async (command, send) => {
      if (command instanceof PutItemCommand) {
        const pk = pkOf(command);
        const n = (attempts.get(pk) ?? 0) + 1;
        attempts.set(pk, n);
        const id = Number(pk.split('#')[1]);
        if (id % 3 === 0 && n <= 5) throw [throttle, provisioned, serverError][n % 3]!();
      }
      return send(command);
    }, { writeConcurrency: 4 });
    const v = view();
    const ids = Array.from({ length: 30 }, (_, i) => i);
    const result = await store.write(v, rows(ids));
    expect(result.written).toBe(30);
    const throttled = ids.filter((i) => i % 3 === 0);
    expect(throttled.map((i) => attempts.get(`${v.name}#${i}`))).toEqual(throttled.map(() => 6));
    // caps 10, 20, 40, 40, 40 (max 40), jitter fixed at half: 5, 10, 20, 20, 20 per throttled row
    expect([...sleeps].sort((a, b) => a - b)).toEqual(throttled.flatMap(() => [5, 10, 20, 20, 20]).sort((a, b) => a - b));
    const read = await plainStore.read(v, ids.map((i) => ({ account_id: i })), { at: T0, consistent: true });
    expect(read.rows.map((r) => r.values.v)).toEqual(ids.map((i) => BigInt(i) * 10n));
    await store.close();
  });

  it('fails a write whose rows stay throttled with a StoreWriteError naming the keys written and not written; the rest is stored', async () => {
    const attempts = new Map<string, number>();
    const { store, sleeps } = faultyStore(async (command, send) => {
      if (command instanceof PutItemCommand) {
        const pk = pkOf(command);
        attempts.set(pk, (attempts.get(pk) ?? 0) + 1);
        if (/#(3|7)$/.test(pk)) throw throttle();
      }
      return send(command);
    });
    const v = view();
    const ids = [1, 2, 3, 4, 5, 6, 7, 8];
    const error = await store.write(v, rows(ids)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreWriteError);
    const e = error as StoreWriteError;
    expect(e.notWritten).toEqual([`${v.name}#3`, `${v.name}#7`]);
    expect([...e.written].sort()).toEqual([1, 2, 4, 5, 6, 8].map((i) => `${v.name}#${i}`));
    expect(e.message).toContain(`${v.name}#3`);
    expect((e.cause as Error).name).toBe('ThrottlingException');
    expect(attempts.get(`${v.name}#3`)).toBe(6); // maxAttempts
    expect(sleeps).toHaveLength(2 * 5);
    const read = await plainStore.read(v, ids.map((i) => ({ account_id: i })), { at: T0, consistent: true });
    expect(read.rows.map((r) => r.status.v)).toEqual(ids.map((i) => (i === 3 || i === 7 ? 'missing' : 'present')));
    await store.close();
  });

  it('does not retry an error that is not transient, and a failed condition is stale, not an error', async () => {
    const calls: string[] = [];
    const { store, sleeps } = faultyStore(async (command, send) => {
      if (command instanceof PutItemCommand) {
        calls.push(pkOf(command));
        if (pkOf(command).endsWith('#2')) throw Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
      }
      return send(command);
    });
    const v = view();
    await expect(store.write(v, rows([2]))).rejects.toThrow(StoreWriteError);
    expect(calls).toEqual([`${v.name}#2`]);
    await store.write(v, rows([1], T0 + 1n));
    expect((await store.write(v, rows([1]))).statuses).toEqual(['stale']);
    expect(sleeps).toEqual([]);
    await store.close();
  });

  it('retries UnprocessedKeys and throttled BatchGetItem calls until every key is read, 100 keys a call at most', async () => {
    const v = view();
    const ids = Array.from({ length: 250 }, (_, i) => i);
    await plainStore.write(v, rows(ids));
    let calls = 0;
    const sizes: number[] = [];
    const { store, sleeps } = faultyStore(async (command, send) => {
      if (!(command instanceof BatchGetItemCommand)) return send(command);
      calls++;
      sizes.push(command.input.RequestItems![tableName]!.Keys!.length);
      if (calls % 4 === 1) throw throttle();
      const out = (await send(command)) as { Responses: Record<string, Record<string, { S?: string }>[]>; UnprocessedKeys?: unknown };
      if (calls <= 12) {
        // keep one item, hand the rest back as unprocessed (as DynamoDB does under load)
        const got = out.Responses[tableName]!;
        out.UnprocessedKeys = { [tableName]: { Keys: got.slice(1).map((item) => ({ pk: item.pk })) } };
        out.Responses[tableName] = got.slice(0, 1);
      }
      return out;
    });
    const read = await store.read(v, ids.map((i) => ({ account_id: i })), { at: T0 });
    expect(read.rows.map((r) => r.values.v)).toEqual(ids.map((i) => BigInt(i) * 10n));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(sleeps.length).toBeGreaterThan(3);
    await store.close();
  });

  it('fails a read with StoreReadError naming the keys DynamoDB keeps leaving unprocessed', async () => {
    const v = view();
    await plainStore.write(v, rows([1, 2]));
    const { store, sleeps } = faultyStore(async (command, send) => {
      if (!(command instanceof BatchGetItemCommand)) return send(command);
      return { Responses: { [tableName]: [] }, UnprocessedKeys: command.input.RequestItems, $metadata: {} };
    });
    const error = await store.read(v, [{ account_id: 1 }, { account_id: 2 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreReadError);
    expect((error as Error).message).toMatch(new RegExp(`${v.name}#1, ${v.name}#2.*unprocessed 6 times`));
    expect(sleeps).toEqual([5, 10, 20, 20, 20]);
    await store.close();
  });

  it('projects only the requested attributes, passes ConsistentRead through and bounds the calls in flight', async () => {
    const v = view();
    const ids = Array.from({ length: 450 }, (_, i) => i);
    await plainStore.write(v, rows(ids));
    const inflight = { BatchGetItemCommand: [0, 0], PutItemCommand: [0, 0] } as Record<string, [number, number]>;
    const gets: BatchGetItemCommand[] = [];
    const { store } = faultyStore(
      async (command, send) => {
        const counter = inflight[(command as object).constructor.name];
        if (command instanceof BatchGetItemCommand) gets.push(command);
        if (!counter) return send(command);
        counter[1] = Math.max(counter[1], ++counter[0]);
        await new Promise((resolve) => setTimeout(resolve, 5));
        try {
          return await send(command);
        } finally {
          counter[0]--;
        }
      },
      { readConcurrency: 2, writeConcurrency: 3 },
    );
    const read = await store.read(v, ids.map((i) => ({ account_id: i })), { features: ['s'], at: T0, consistent: true });
    expect(read.rows.map((r) => r.values)).toEqual(ids.map((i) => ({ s: `s${i}` })));
    expect(gets).toHaveLength(5);
    for (const get of gets) {
      const request = get.input.RequestItems![tableName]!;
      expect(request.ConsistentRead).toBe(true);
      // The head's order key, horizon and columns (and `del` of items from before timelines), and of the features only `f:s`.
      expect(Object.values(request.ExpressionAttributeNames!).sort()).toEqual(['cts', 'del', 'dig', 'ets', 'f:s', 'fmt', 'hor', 'pk', 'prt', 'pti', 'pub', 'tag', 'tc', 'td', 'te']);
      expect(request.ProjectionExpression!.split(', ').sort()).toEqual(Object.keys(request.ExpressionAttributeNames!).sort());
    }
    expect(inflight.BatchGetItemCommand![1]).toBe(2);
    await store.read(v, [{ account_id: 1 }], { at: T0 });
    expect(gets.at(-1)!.input.RequestItems![tableName]!.ConsistentRead).toBe(false);
    await store.write(v, rows(Array.from({ length: 20 }, (_, i) => 1000 + i)));
    expect(inflight.PutItemCommand![1]).toBe(3);
    await store.close();
  });

  it('reads a head again when a part it names is not there (a writer replaced it), and fails naming the key when it stays missing', async () => {
    const v = view();
    const n = 60;
    const points = tableOf({
      account_id: [int64(), Array.from({ length: n }, () => 1n)],
      event_ts: [timestamp(), Array.from({ length: n }, (_, i) => T0 + BigInt(i))],
      created_ts: [timestamp(), Array.from({ length: n }, () => T0)],
      v: [int64(), Array.from({ length: n }, (_, i) => BigInt(i))],
      s: [string(), Array.from({ length: n }, (_, i) => `s${i}`)],
    });
    const small = new DynamoDbOnlineStore({ ...dynamoDbConnection(), tableName, maxItemBytes: 900 });
    const written = await small.write(v, points, { timeline: { publishedAt: T0, horizonEnd: T0 + BigInt(n) } });
    expect(written.timeline?.split).toBe(1);
    await small.close();
    let dropped = 0;
    const dropParts = (times: number) => async (command: unknown, send: Send) => {
      const out = (await send(command)) as { Responses?: Record<string, Record<string, { S?: string }>[]> };
      if (command instanceof BatchGetItemCommand && dropped < times && out.Responses?.[tableName]?.some((item) => item.pk!.S!.includes('#part-'))) {
        dropped++;
        out.Responses[tableName] = out.Responses[tableName]!.filter((item) => !item.pk!.S!.includes('#part-'));
      }
      return out;
    };
    const { store, sleeps } = faultyStore(dropParts(2));
    const read = await store.read(v, [{ account_id: 1 }], { at: T0 + BigInt(n - 1), consistent: true });
    expect([read.rows[0]!.values.v, dropped, sleeps.length]).toEqual([BigInt(n - 1), 2, 2]);
    await store.close();
    dropped = 0;
    const { store: lost } = faultyStore(dropParts(100));
    const error = await lost.read(v, [{ account_id: 1 }], { at: T0 + BigInt(n - 1) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreReadError);
    expect((error as Error).message).toMatch(new RegExp(`the timeline of ${v.name}#1 names a part that is not stored .*6 reads in a row`));
    await lost.close();
  });

  it('rejects an item over 400 KB before sending it, and aborts on the signal', async () => {
    const puts: string[] = [];
    const { store } = faultyStore(async (command, send) => {
      if (command instanceof PutItemCommand) puts.push(pkOf(command));
      return send(command);
    });
    const v = view();
    const big = tableOf({ account_id: [int64(), [1n]], event_ts: [timestamp(), [T0]], created_ts: [timestamp(), [T0]], v: [int64(), [1n]], s: [string(), ['x'.repeat(410_000)]] });
    const error = await store.write(v, big).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreWriteError);
    expect((error as StoreWriteError).cause).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/over DynamoDB's 409600/);
    expect(puts).toEqual([]);
    const aborted = await store.write(v, rows([1, 2]), { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((aborted as StoreWriteError).notWritten).toHaveLength(2);
    expect(puts).toEqual([]);
    await store.close();
  });
});

describe('DynamoDbOnlineStore table layout', () => {
  it('createTable is idempotent: on-demand, partition key pk, TTL on ttl', async () => {
    await plainStore.createTable();
    const table = (await plainStore.client.send(new DescribeTableCommand({ TableName: tableName }))).Table!;
    expect(table.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(table.BillingModeSummary?.BillingMode ?? 'PAY_PER_REQUEST').toBe('PAY_PER_REQUEST');
    const ttl = (await plainStore.client.send(new DescribeTimeToLiveCommand({ TableName: tableName }))).TimeToLiveDescription!;
    expect(ttl).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
  });

  // The item layout is the timeline format (docs/online-store.md, "Item layout"); a row written without a timeline is a timeline of one point that holds until replaced.
  it('stores one head per entity: pk, the order key (ets, cts, ver, pub, hor) in µs, ttl in epoch seconds after event_ts + ttl, the points columnar; tombstones in a bitmap', async () => {
    const ttlMs = 90 * 86_400_000;
    const v = view(ttlMs);
    const ets = T0 + 123_456n;
    const int64s = (...values: bigint[]) => ({ B: packInt64(values) });
    await plainStore.write(v, rows([42], ets));
    const item = (await plainStore.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `${v.name}#42` } }, ConsistentRead: true }))).Item;
    const expiry = (ets + BigInt(ttlMs) * 1000n) / 1_000_000n + 1n;
    const order = (e: bigint, c: string) => ({ ets: { N: String(e) }, cts: { N: c }, ver: { N: '0' }, pub: { N: String(e) }, hor: { N: '9223372036854775807' }, fmt: { N: '2' } });
    expect(item).toEqual({
      pk: { S: `${v.name}#42` },
      ...order(ets, String(ets)),
      dig: { S: expect.stringMatching(/^[0-9a-f]{32}$/) },
      ttl: { N: String(expiry) },
      te: int64s(ets),
      tc: int64s(ets),
      'f:v': { L: [{ N: '420' }] },
      'f:s': { L: [{ S: 's42' }] },
    });
    const tombstone = tableOf({ account_id: [int64(), [42n]], event_ts: [timestamp(), [ets + 1n]], created_ts: [timestamp(), [null]], [TOMBSTONE_COLUMN]: [bool(), [true]] });
    await plainStore.write(v, tombstone);
    const deleted = (await plainStore.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `${v.name}#42` } }, ConsistentRead: true }))).Item;
    expect(deleted).toEqual({
      pk: { S: `${v.name}#42` },
      ...order(ets + 1n, '-9223372036854775808'),
      dig: { S: expect.stringMatching(/^[0-9a-f]{32}$/) },
      ttl: { N: String((ets + 1n + BigInt(ttlMs) * 1000n) / 1_000_000n + 1n) },
      te: int64s(ets + 1n),
      tc: int64s(-(2n ** 63n)),
      td: { B: Uint8Array.of(1) },
      'f:v': { L: [{ NULL: true }] },
      'f:s': { L: [{ NULL: true }] },
    });
  });
});
