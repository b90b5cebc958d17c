/**
 * Issue 5's "done when": on the store `asof demo` writes, the SDK's
 * getHistoricalFeatures on a random spine equals an independent DuckDB SQL
 * point-in-time query over the same Parquet files (the latest snapshot's
 * files, read from the commit log), `asKnownAt` included.
 */
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createPipeline } from '@asof/materializer';
import { FeatureStore } from '@asof/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrsDemo } from '../../examples/trs/demo.js';
import { cli as runAsof, removeTempRoots, tempRoot } from '../../packages/materializer/src/cli/testing/cli-harness.js';
import { Prng } from '../../examples/trs/prng.js';

let root: string;
let store: FeatureStore;
let instance: DuckDBInstance;
let duck: DuckDBConnection;

beforeAll(async () => {
  root = await tempRoot();
  const r = await runAsof(['demo', '--root', root], { pipeline: createPipeline({ demo: runTrsDemo }) });
  expect(r.code, r.stderr).toBe(0);
  store = await FeatureStore.open({ root, online: 'none' });
  instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  duck = await instance.connect();
}, 120_000);

afterAll(async () => {
  duck?.closeSync();
  instance?.closeSync();
  await store?.close();
  await removeTempRoots();
});


/** Values in one comparable form: bigints and numbers by text, decimals as exact text, lists element-wise. */
function norm(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(norm);
  if (typeof value === 'object' && 'items' in (value as object)) return ((value as { items: unknown[] }).items).map(norm);
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  return typeof value === 'object' ? String(value) : value;
}

const sqlTime = (ms: number) => `'${new Date(ms).toISOString()}'::TIMESTAMPTZ`;

/** DESIGN §3 in SQL: per spine row the stored row with the greatest event time, created time, then latest write. */
async function sqlJoin(view: string, spine: readonly { account_id: number; ms: number }[], asKnownAt: number | null): Promise<Record<string, unknown>[]> {
  const v = store.registry.getFeatureView(view);
  const snapshot = await store.offline.snapshot(view);
  const files = snapshot.files.map((f) => `'${path.join(root, 'views', view, f.path)}'`);
  const seq = snapshot.files.map((f) => `('${path.join(root, 'views', view, f.path)}', ${f.seq})`).join(', ');
  const values = spine.map((s, i) => `(${i}, ${s.account_id}::BIGINT, ${sqlTime(s.ms)})`).join(', ');
  const select = v.featureNames
    .map((f) => {
      const kind = store.registry.resolveFeatures([`${view}:${f}`])[0]!.dtype.kind;
      const value = kind === 'decimal' ? `CAST(c."${f}" AS VARCHAR)` : `c."${f}"`;
      return `CASE WHEN c._asof_deleted THEN NULL ELSE ${value} END AS "${f}"`;
    })
    .join(', ');
  const ttl = v.ttlMs === null ? '' : `AND r.event_ts >= s.t - to_microseconds(${v.ttlMs * 1000}::BIGINT)`;
  const known = asKnownAt === null ? '' : `AND r.created_ts <= ${sqlTime(asKnownAt)}`;
  const sql = `
    WITH spine AS (SELECT * FROM (VALUES ${values}) s(rid, account_id, t)),
    seqs AS (SELECT * FROM (VALUES ${seq}) q(filename, seq)),
    stored AS (SELECT p.*, q.seq FROM read_parquet([${files.join(', ')}], union_by_name = true, filename = true, file_row_number = true) p JOIN seqs q USING (filename)),
    cand AS (
      SELECT s.rid, r.*, ROW_NUMBER() OVER (PARTITION BY s.rid ORDER BY r.event_ts DESC, r.created_ts DESC, r.seq DESC, r.file_row_number DESC) AS rn
      FROM spine s JOIN stored r ON r.account_id = s.account_id AND r.event_ts <= s.t ${ttl} ${known}
    )
    SELECT s.rid, ${select} FROM spine s LEFT JOIN cand c ON c.rid = s.rid AND c.rn = 1 ORDER BY s.rid`;
  const reader = await duck.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

describe('the SDK on the demo store', () => {
  const views = () => store.registry.listFeatureViews().filter((v) => v.joinKeyNames.join() === 'account_id').map((v) => v.name);

  it('equals an independent DuckDB point-in-time query, asKnownAt included', async () => {
    expect(views().length).toBeGreaterThanOrEqual(2);
    const bounds = await Promise.all(views().map((v) => store.offline.snapshot(v)));
    const events = bounds.flatMap((s) => s.files.flatMap((f) => [Number(BigInt(f.minEventTs) / 1000n), Number(BigInt(f.maxEventTs) / 1000n)]));
    const created = bounds.flatMap((s) => s.files.flatMap((f) => (f.minCreatedTs === null ? [] : [Number(BigInt(f.minCreatedTs) / 1000n), Number(BigInt(f.maxCreatedTs!) / 1000n)])));
    const [lo, hi] = [Math.min(...events), Math.max(...events)];
    const accounts = (await store.asOf(hi, { features: [`${views()[0]}:*`] })).toArray().map((r) => Number(r.account_id));
    expect(accounts.length).toBeGreaterThan(0);
    const prng = new Prng(5, 'sdk-e2e');
    const next = () => prng.next();
    for (const asKnownAt of [null, Math.min(...created) + (Math.max(...created) - Math.min(...created)) / 2, Math.max(...created)]) {
      const spine = Array.from({ length: 300 }, () => ({
        account_id: next() < 0.05 ? 999_999 : accounts[Math.floor(next() * accounts.length)]!,
        ms: Math.floor(lo - 30 * 86_400_000 + next() * (hi - lo + 60 * 86_400_000)),
      }));
      spine.push(spine[0]!, { account_id: spine[1]!.account_id, ms: hi }); // duplicates and the last instant
      const result = await store.getHistoricalFeatures({
        entities: spine.map((s) => ({ account_id: s.account_id, event_timestamp: new Date(s.ms) })),
        features: views().map((v) => `${v}:*`),
        ...(asKnownAt !== null ? { asKnownAt: new Date(asKnownAt) } : {}),
      });
      const got = result.toArray();
      for (const view of views()) {
        const want = await sqlJoin(view, spine, asKnownAt);
        const names = store.registry.getFeatureView(view).featureNames;
        const column = (f: string) => (result.schema.fields.some((x) => x.name === f) ? f : `${view}__${f}`);
        const sdk = got.map((row) => Object.fromEntries(names.map((f) => [f, norm(row[column(f)])])));
        const sql = want.map((row) => Object.fromEntries(names.map((f) => [f, norm(row[f])])));
        expect(sdk, `${view} asKnownAt=${asKnownAt}`).toEqual(sql);
        expect(sql.some((r) => names.some((f) => r[f] !== null)), `${view}: some features are set`).toBe(true);
      }
    }
  }, 120_000);
});
