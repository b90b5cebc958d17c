/**
 * Online timelines of the TRS example on DynamoDB Local (issue 13.5): the
 * example materialized at a scale (its state at the demo's last extract),
 * each view published with its 7-day timeline, then
 *
 * - the items' size distribution per view (heads and parts, in DynamoDB's
 *   size accounting), at each scale;
 * - `FeatureStore.getOnlineFeatures` of 100 random accounts × 2 views
 *   (late_payments, product_mix; read one day after the publish, inside the
 *   horizon) against raw `BatchGetItem` calls for the same items with the
 *   same projection (both views in parallel, as the SDK reads them), p50
 *   and p99 over `--calls` calls each, interleaved so both see the same
 *   machine, at the largest scale.
 *
 *   pnpm bench online-timeline                            # scales 0.001 (the demo) and 0.02, 2,000 calls
 *   pnpm bench online-timeline --scales 0.001,0.05 --calls 500
 *
 * The measuring functions (`itemSizes`, `lookupLatency`) take plain
 * callbacks, so they move with the bench harness.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureServices } from '../test/helpers/services.js';
import { arg, count, runIfMain, timed, type BenchResult } from './lib/common.js';

const BENCH = 'online-timeline';
const DAY_US = 86_400_000_000n;

type Item = Record<string, Record<string, unknown>>;
interface RawClient {
  send(command: object): Promise<Record<string, unknown>>;
  destroy(): void;
}
const sdk = createRequire(new URL('../packages/stores/package.json', import.meta.url))('@aws-sdk/client-dynamodb') as {
  DynamoDBClient: new (config: object) => RawClient;
  BatchGetItemCommand: new (input: object) => object;
  ScanCommand: new (input: object) => object;
};

/** Size statistics of a set of items, bytes. */
export interface SizeStats {
  readonly items: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly total: number;
}

/** The distribution of `sizes` (bytes). */
export function sizeStats(sizes: readonly number[]): SizeStats {
  const sorted = [...sizes].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { items: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? 0, total: sorted.reduce((a, b) => a + b, 0) };
}

/** Per view, the size distribution of its heads and how many entities were split (parts are `<head>#part-…`), from every item `scan` yields. */
export async function itemSizes(scan: () => AsyncIterable<Item>, bytesOf: (item: Item) => number): Promise<Map<string, { heads: SizeStats; split: number }>> {
  const heads = new Map<string, number[]>();
  const parts = new Map<string, Set<string>>();
  for await (const item of scan()) {
    const pk = (item.pk as { S: string }).S;
    const view = pk.slice(0, pk.indexOf('#'));
    const part = pk.indexOf('#part-');
    if (part >= 0) {
      const set = parts.get(view) ?? new Set<string>();
      set.add(pk.slice(0, part));
      parts.set(view, set);
      continue;
    }
    const list = heads.get(view) ?? [];
    list.push(bytesOf(item));
    heads.set(view, list);
  }
  return new Map([...heads].map(([view, sizes]) => [view, { heads: sizeStats(sizes), split: parts.get(view)?.size ?? 0 }]));
}

/** p50 and p99 (ms) of `calls` calls of `a` and of `b`, interleaved (a, b, b, a, …) after a warm-up. */
export async function lookupLatency(a: () => Promise<unknown>, b: () => Promise<unknown>, calls: number): Promise<{ a: { p50: number; p99: number }; b: { p50: number; p99: number } }> {
  for (let i = 0; i < Math.min(100, calls); i++) {
    await a();
    await b();
  }
  const times = { a: [] as number[], b: [] as number[] };
  const once = async (f: () => Promise<unknown>, into: number[]) => {
    const start = process.hrtime.bigint();
    await f();
    into.push(Number(process.hrtime.bigint() - start) / 1e6);
  };
  for (let i = 0; i < calls; i++) {
    if (i % 2 === 0) {
      await once(a, times.a);
      await once(b, times.b);
    } else {
      await once(b, times.b);
      await once(a, times.a);
    }
  }
  const q = (list: number[], p: number) => [...list].sort((x, y) => x - y)[Math.min(list.length - 1, Math.floor(p * list.length))]!;
  return { a: { p50: q(times.a, 0.5), p99: q(times.a, 0.99) }, b: { p50: q(times.b, 0.5), p99: q(times.b, 0.99) } };
}

/** Runs the benchmark and returns its results (also printed as a table when run alone). */
export async function run(): Promise<BenchResult[]> {
  const scales = (arg('scales') ?? process.env.ONLINE_TIMELINE_SCALES ?? '0.001,0.02').split(',').map(Number);
  const calls = count('calls', 'ONLINE_TIMELINE_CALLS', 2000);
  const env = ensureServices('dynamodb-local');
  const connection = { endpoint: env.ASOF_DYNAMODB_ENDPOINT!, region: 'us-east-1', credentials: { accessKeyId: 'asof', secretAccessKey: 'asof-secret' } };
  // Imported here, once the asof-source export condition is active.
  const { toEpochMicros } = await import('../packages/core/src/index.js');
  const { openOfflineStore, itemBytes } = await import('../packages/stores/src/index.js');
  const { DynamoDbOnlineStore } = await import('../packages/stores/src/adapters/dynamodb/index.js');
  const { headAttributes } = await import('../packages/stores/src/online/timeline-read.js');
  const { materialize, publishOnline, TableSourceConnector } = await import('../packages/materializer/src/index.js');
  const { FeatureStore } = await import('../packages/sdk/src/index.js');
  const { createRegistry } = await import('../packages/core/src/index.js');
  const { definitions, latePayments, productMix, receivables, skuSpend } = await import('../examples/trs/features.js');
  const { generateTrs } = await import('../examples/trs/generator.js');
  const { stateAt } = await import('../examples/trs/state-at.js');
  const { demoRounds } = await import('../examples/trs/demo.js');

  const views = [latePayments, receivables, productMix, skuSpend];
  const published = toEpochMicros(demoRounds().at(-1)!);
  const raw = new sdk.DynamoDBClient({ ...connection, maxAttempts: 3 });
  const results: BenchResult[] = [];
  const dirs: string[] = [];
  try {
    let last: { online: InstanceType<typeof DynamoDbOnlineStore>; tableName: string; store: Awaited<ReturnType<typeof openOfflineStore>>; accounts: bigint[] } | null = null;
    for (const scale of scales) {
      const dir = mkdtempSync(join(tmpdir(), 'asof-bench-timeline-'));
      dirs.push(dir);
      const store = openOfflineStore({ root: dir });
      const tableName = `asof-bench-timeline-${randomBytes(4).toString('hex')}`;
      const online = new DynamoDbOnlineStore({ ...connection, tableName });
      await online.createTable();
      const state = stateAt(generateTrs({ seed: 42, scale }), demoRounds().at(-1)!);
      const [, materializeSeconds] = await timed(() => materialize({ store, connector: new TableSourceConnector(state.tables), views, mode: 'full' }));
      const [publishes, publishSeconds] = await timed(() => Promise.all(views.map((view) => publishOnline(store, online, view, published))));
      const scan = async function* () {
        let start: Item | undefined;
        do {
          const out = (await raw.send(new sdk.ScanCommand({ TableName: tableName, ExclusiveStartKey: start }))) as { Items?: Item[]; LastEvaluatedKey?: Item };
          yield* out.Items ?? [];
          start = out.LastEvaluatedKey;
        } while (start);
      };
      const sizes = await itemSizes(scan, (item) => itemBytes(item as never));
      const entities = publishes.reduce((n, p) => n + p.entities, 0);
      results.push({ bench: BENCH, step: `scale ${scale}: materialize the 4 views`, seconds: materializeSeconds, note: `state at ${demoRounds().at(-1)}` });
      results.push({ bench: BENCH, step: `scale ${scale}: publish the 4 views' timelines (7 days)`, seconds: publishSeconds, rows: entities, note: `${entities} entities, to DynamoDB Local` });
      for (const view of views) {
        const s = sizes.get(view.name);
        const p = publishes.find((x) => x.view === view.name)!;
        if (!s) continue;
        results.push({
          bench: BENCH,
          step: `scale ${scale}: ${view.name} item bytes (${p.entities} entities)`,
          seconds: 0,
          note: `p50 ${s.heads.p50}, p90 ${s.heads.p90}, p99 ${s.heads.p99}, max ${s.heads.max}, total ${s.heads.total}; ${s.split} split over parts`,
        });
        console.log(`online-timeline scale ${scale} ${view.name}: ${s.heads.items} heads, bytes p50 ${s.heads.p50} p90 ${s.heads.p90} p99 ${s.heads.p99} max ${s.heads.max}, ${s.split} split`);
      }
      if (last) await last.online.close();
      last = { online, tableName, store, accounts: (state.tables.accounts!.getChild('account_id')!.toArray() as BigInt64Array).slice() as unknown as bigint[] };
    }
    if (last) {
      const { online, tableName, store, accounts } = last;
      const ids = Array.from(accounts as unknown as BigInt64Array);
      if (ids.length < 100) throw new Error(`the largest scale has ${ids.length} accounts; latency needs at least 100 (pass a larger --scales)`);
      const registry = createRegistry(...definitions);
      const features = new FeatureStore({ registry, offline: store, online });
      const at = published + DAY_US;
      let seed = 7;
      const pick = () => {
        // A fixed-seed shuffle: the same 100-account samples every run.
        const chosen = new Set<bigint>();
        while (chosen.size < 100) {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          chosen.add(ids[seed % ids.length]!);
        }
        return [...chosen];
      };
      const pair = [latePayments, productMix];
      const projections = pair.map((view) => {
        const names = Object.fromEntries(headAttributes(view.featureNames).map((a, i) => [`#a${i}`, a]));
        return { view: view.name, names, projection: Object.keys(names).join(', ') };
      });
      let sample = pick();
      const asofCall = async () => {
        const read = await features.getOnlineFeatures({ features: pair, entities: sample.map((account_id) => ({ account_id })), at });
        if (read.rows.length !== 100) throw new Error('getOnlineFeatures returned the wrong rows');
      };
      const rawCall = async () => {
        await Promise.all(
          projections.map(async ({ view, names, projection }) => {
            let keys = sample.map((id) => ({ pk: { S: `${view}#${id}` } }));
            while (keys.length > 0) {
              const out = (await raw.send(
                new sdk.BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys, ProjectionExpression: projection, ExpressionAttributeNames: names } } }),
              )) as { UnprocessedKeys?: Record<string, { Keys?: typeof keys }> };
              keys = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
            }
          }),
        );
      };
      const latency = await lookupLatency(
        async () => {
          sample = pick();
          await asofCall();
        },
        rawCall,
        calls,
      );
      const ratio = latency.a.p99 / latency.b.p99;
      console.log(
        `online-timeline getOnlineFeatures 100 entities x 2 views, ${calls} calls: p50 ${latency.a.p50.toFixed(2)} ms, p99 ${latency.a.p99.toFixed(2)} ms; ` +
          `raw BatchGetItem p50 ${latency.b.p50.toFixed(2)} ms, p99 ${latency.b.p99.toFixed(2)} ms; p99 ratio ${ratio.toFixed(2)}x`,
      );
      results.push(
        { bench: BENCH, step: `raw BatchGetItem 100 keys x 2 views (reference), scale ${scales.at(-1)}`, seconds: latency.b.p50 / 1000, note: `p50 ${latency.b.p50.toFixed(2)} ms, p99 ${latency.b.p99.toFixed(2)} ms over ${calls} calls` },
        {
          bench: BENCH,
          step: 'getOnlineFeatures 100 entities x 2 views (timelines)',
          seconds: latency.a.p50 / 1000,
          note: `p50 ${latency.a.p50.toFixed(2)} ms, p99 ${latency.a.p99.toFixed(2)} ms; p99 ${ratio.toFixed(2)}x the reference`,
        },
      );
      await online.close();
    }
  } finally {
    raw.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

await runIfMain(import.meta.url, run);
