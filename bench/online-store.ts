/**
 * Online store benchmark on DynamoDB Local: DynamoDbOnlineStore against raw
 * AWS SDK calls doing the same requests, so the ratio is asof's overhead
 * (Arrow decoding, value encoding, de-duplication, result building) over
 * the floor of the wire protocol.
 *
 *   pnpm bench online-store               # 10k keys
 *   pnpm bench online-store --keys 50k    # (env: ONLINE_BENCH_KEYS)
 *
 * Write: `store.write(view, table)` of N rows vs N conditional `PutItem`s
 * of the same items prebuilt (asof's own encoding, the same order-key
 * condition), both 32 in flight, each round on fresh keys. Read:
 * `store.read(view, keys)` of the same N keys vs raw `BatchGetItem` calls
 * of 100 keys with the same projection, 8 in flight, retrying
 * `UnprocessedKeys`. Three rounds each, alternating; the best counts.
 * (bench/online-timeline.ts measures timelines of the TRS example.)
 * Uses the project's DynamoDB Local (scripts/services/up.sh dynamodb-local,
 * started if ASOF_DYNAMODB_ENDPOINT is unset).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { ensureServices } from '../test/helpers/services.js';
import { count, peakRssMiB, runIfMain, timed, type BenchResult } from './lib/common.js';

const BENCH = 'online-store';
const WRITE_CONCURRENCY = 32;
const READ_CONCURRENCY = 8;
/**
 * The rows' event time: the start of the run (whole seconds, µs). The view
 * has a 90-day TTL and DynamoDB Local deletes items whose TTL has passed
 * while the bench runs, so rows stamped in the past (a fixed 2024 date)
 * vanished mid-run and the read found fewer than it wrote.
 */
const T0 = BigInt(Math.floor(Date.now() / 1000)) * 1_000_000n;

/** The slices of the AWS SDK the raw side uses, loaded from the stores package's own dependency (bench/ has none). */
type Command = object;
interface RawClient {
  send(command: Command): Promise<Record<string, unknown>>;
  destroy(): void;
}
type Item = Record<string, Record<string, unknown>>;
const sdk = createRequire(new URL('../packages/stores/package.json', import.meta.url))('@aws-sdk/client-dynamodb') as {
  DynamoDBClient: new (config: object) => RawClient;
  PutItemCommand: new (input: object) => Command;
  BatchGetItemCommand: new (input: object) => Command;
};

/** Runs the benchmark and returns its results (also printed as a table when run alone). */
export async function run(keys = count('keys', 'ONLINE_BENCH_KEYS', 10_000)): Promise<BenchResult[]> {
  const env = ensureServices('dynamodb-local');
  const connection = { endpoint: env.ASOF_DYNAMODB_ENDPOINT!, region: 'us-east-1', credentials: { accessKeyId: 'asof', secretAccessKey: 'asof-secret' } };
  // Imported here, once the asof-source export condition is active (see the re-exec below).
  const { DynamoDbOnlineStore } = await import('../packages/stores/src/adapters/dynamodb/index.js');
  const { encodeRows } = await import('../packages/stores/src/online/online-rows.js');
  const { planTimelines, NEWER_ORDER_CONDITION, ORDER_CONDITION_NAMES, orderConditionValues } = await import('../packages/stores/src/online/write-plan.js');
  const { timelineItems } = await import('../packages/stores/src/online/timeline-items.js');
  const { headAttributes } = await import('../packages/stores/src/online/timeline-read.js');
  const core = await import('../packages/core/src/index.js');
  const { Table, makeData, makeVector, Int64, Float64, vectorFromArray, Utf8 } = await import('apache-arrow');

  const tableName = `asof-bench-online-${randomBytes(4).toString('hex')}`;
  const store = new DynamoDbOnlineStore({ ...connection, tableName, writeConcurrency: WRITE_CONCURRENCY, readConcurrency: READ_CONCURRENCY });
  await store.createTable();
  const raw = new sdk.DynamoDBClient({ ...connection, maxAttempts: 1 });
  const features = { n: core.int64(), avg: core.float64(), status: core.string(), last_at: core.timestamp(), amount: core.decimal(12, 2) };
  const view = (name: string) => ({ name, keys: { account_id: core.int64() }, features, ttlMs: 90 * 86_400_000 });
  const ids = BigInt64Array.from({ length: keys }, (_, i) => BigInt(i) * 7919n + 1n);
  const int64 = (values: BigInt64Array) => makeVector(makeData({ type: new Int64(), length: values.length, nullCount: 0, data: values }));
  const rows = new Table({
    account_id: int64(ids),
    event_ts: core.microsVector(BigInt64Array.from(ids, (id) => T0 + id)),
    created_ts: core.microsVector(BigInt64Array.from(ids, () => T0 + 10n)),
    n: int64(BigInt64Array.from(ids, (id) => id % 1000n)),
    avg: vectorFromArray(Array.from(ids, (id) => Number(id) / 7), new Float64()),
    status: vectorFromArray(Array.from(ids, (id) => (id % 3n === 0n ? 'late' : 'on_time')), new Utf8()),
    last_at: core.microsVector(BigInt64Array.from(ids, (id) => T0 - id)),
    amount: core.rowsToTable(Array.from(ids, (id) => ({ x: `${id % 100000n}.25` })), { x: core.decimal(12, 2) }).getChild('x')!,
  });
  // The very items asof writes (for a view named `name`), with their order keys, so the raw side sends the same bytes.
  const rawItems = (name: string): { item: Item; condition: Record<string, { N: string }> }[] => {
    const v = view(name);
    const limits = { maxItemBytes: 400 * 1024, label: 'the limit', maxParts: 64, now: T0 };
    return planTimelines(name, encodeRows(v, rows)).keys.map((key) => {
      const items = timelineItems(v, key, limits);
      return { item: items.head as Item, condition: orderConditionValues(items.order) };
    });
  };

  const pool = async <T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) => {
    let next = 0;
    await Promise.all(Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }));
  };
  const rawWrite = async (items: readonly { item: Item; condition: Record<string, { N: string }> }[]) =>
    pool(items, WRITE_CONCURRENCY, async ({ item, condition }) => {
      await raw.send(
        new sdk.PutItemCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: NEWER_ORDER_CONDITION,
          ExpressionAttributeNames: { ...ORDER_CONDITION_NAMES },
          ExpressionAttributeValues: condition,
        }),
      );
    });
  const rawRead = async (name: string): Promise<number> => {
    const chunks: Item[][] = [];
    for (let i = 0; i < keys; i += 100) chunks.push(Array.from(ids.subarray(i, i + 100), (id) => ({ pk: { S: `${name}#${id}` } })));
    const names = Object.fromEntries(headAttributes(Object.keys(features)).map((a, i) => [`#a${i}`, a]));
    let found = 0;
    await pool(chunks, READ_CONCURRENCY, async (chunk) => {
      let pending: Item[] = chunk;
      while (pending.length > 0) {
        const out = (await raw.send(
          new sdk.BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: pending, ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names } } }),
        )) as { Responses?: Record<string, unknown[]>; UnprocessedKeys?: Record<string, { Keys?: Item[] }> };
        found += out.Responses?.[tableName]?.length ?? 0;
        pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
    });
    return found;
  };
  const keyRows = Array.from(ids, (id) => ({ account_id: id }));

  const best = { rawWrite: Infinity, asofWrite: Infinity, rawRead: Infinity, asofRead: Infinity };
  const cpu = { rawWrite: 0, asofWrite: 0, rawRead: 0, asofRead: 0 };
  const keep = (name: keyof typeof best, seconds: number, cpuSeconds: number) => {
    if (seconds < best[name]) [best[name], cpu[name]] = [seconds, cpuSeconds];
  };
  try {
    for (let round = 0; round < 3; round++) {
      const rawView = `raw_${round}`;
      const asofView = `asof_${round}`;
      const items = rawItems(rawView);
      const [, rw, rwCpu] = await timed(() => rawWrite(items));
      keep('rawWrite', rw, rwCpu);
      const [written, aw, awCpu] = await timed(() => store.write(view(asofView), rows));
      if (written.written !== keys) throw new Error(`asof wrote ${written.written} rows, expected ${keys}`);
      keep('asofWrite', aw, awCpu);
      // both read the same keys (the rows the store wrote), in alternating order so neither always reads warm
      const readRaw = async () => {
        const [found, seconds, cpuSeconds] = await timed(() => rawRead(asofView));
        if (found !== keys) throw new Error(`raw BatchGetItem found ${found} items, expected ${keys}`);
        keep('rawRead', seconds, cpuSeconds);
      };
      const readAsof = async () => {
        const [read, seconds, cpuSeconds] = await timed(() => store.read(view(asofView), keyRows, { at: T0 + 10n ** 12n }));
        const present = read.rows.filter((r) => r.status.n === 'present').length;
        if (present !== keys) throw new Error(`asof read ${present} present rows, expected ${keys}`);
        keep('asofRead', seconds, cpuSeconds);
      };
      for (const step of round % 2 === 0 ? [readRaw, readAsof] : [readAsof, readRaw]) await step();
    }
  } finally {
    await store.close();
    raw.destroy();
  }
  const writeRatio = best.asofWrite / best.rawWrite;
  const readRatio = best.asofRead / best.rawRead;
  console.log(
    `online-store (${keys} keys, DynamoDB Local): write ${fmt(best.asofWrite)} s vs raw PutItem ${fmt(best.rawWrite)} s = ${writeRatio.toFixed(2)}x; ` +
      `read ${fmt(best.asofRead)} s vs raw BatchGetItem ${fmt(best.rawRead)} s = ${readRatio.toFixed(2)}x`,
  );
  return [
    { bench: BENCH, step: `raw conditional PutItem x${WRITE_CONCURRENCY} (reference)`, seconds: best.rawWrite, cpuSeconds: cpu.rawWrite, rows: keys, note: 'prebuilt items' },
    { bench: BENCH, step: 'DynamoDbOnlineStore.write (Arrow -> conditional PutItem)', seconds: best.asofWrite, cpuSeconds: cpu.asofWrite, rows: keys, note: `${writeRatio.toFixed(2)}x the reference` },
    { bench: BENCH, step: `raw BatchGetItem 100 keys x${READ_CONCURRENCY} (reference)`, seconds: best.rawRead, cpuSeconds: cpu.rawRead, rows: keys, note: 'raw items, no decoding' },
    { bench: BENCH, step: 'DynamoDbOnlineStore.read (keys -> typed rows, TTL)', seconds: best.asofRead, cpuSeconds: cpu.asofRead, rows: keys, peakRssMiB: peakRssMiB(), note: `${readRatio.toFixed(2)}x the reference` },
  ];
}

function fmt(seconds: number): string {
  return seconds.toFixed(2);
}

await runIfMain(import.meta.url, run);
