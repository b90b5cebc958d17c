// A CommonJS user of the built packages, as a tslab cell or a `.cjs` script
// is: `require`s each one from its `dist` (no TypeScript, no asof-source
// condition) and uses the parts that load native or WebAssembly code
// (parquet-wasm in the offline store, LMDB online, DuckDB behind `asof sql`).
// Prints one `ok <what>` line per check; any failure throws and exits 1.
//
//   node require-built.cjs <empty dir>
'use strict';
const assert = require('node:assert/strict');
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const core = require('@asof/core');
const stores = require('@asof/stores');
const materializer = require('@asof/materializer');
const sdk = require('@asof/sdk');

const ok = (what) => console.log(`ok ${what}`);

async function main(root) {
  // @asof/core: definitions, dtypes, exact time parsing.
  const account = core.defineEntity({ name: 'account', joinKeys: { account_id: core.int64() } });
  const source = core.parquetSource({ name: 'payments', path: 'payments.parquet', timestampField: 'ts' });
  const spend = core.defineFeatureView({
    name: 'spend',
    entities: [account],
    source,
    features: { total: core.float64(), invoices: core.int64(), last_paid_at: core.timestamp() },
  });
  const t1 = core.toEpochMicros('2025-01-01T00:00:00.000001Z');
  const t2 = core.toEpochMicros('2025-02-01T00:00:00Z');
  assert.equal(t1, 1735689600000001n);
  ok('@asof/core');

  // @asof/stores: rows written as Parquet (parquet-wasm) under a commit, as a materialization would.
  writeFileSync(path.join(root, 'registry.json'), `${JSON.stringify(core.createRegistry(spend), null, 2)}\n`);
  const types = { account_id: core.int64(), event_ts: core.timestamp(), created_ts: core.timestamp(), [core.TOMBSTONE_COLUMN]: core.bool(), total: core.float64(), invoices: core.int64(), last_paid_at: core.timestamp() };
  const big = 9_007_199_254_740_993n; // 2^53 + 1: not a double
  const rows = [
    { account_id: 1n, event_ts: t1, created_ts: t1, [core.TOMBSTONE_COLUMN]: false, total: 10.5, invoices: big, last_paid_at: t1 },
    { account_id: 1n, event_ts: t2, created_ts: t2, [core.TOMBSTONE_COLUMN]: false, total: 12.25, invoices: big + 2n, last_paid_at: t2 },
    { account_id: 2n, event_ts: t1, created_ts: t1, [core.TOMBSTONE_COLUMN]: false, total: 3, invoices: 1n, last_paid_at: t1 },
  ];
  const offline = stores.openOfflineStore({ root });
  const writer = offline.beginWrite('spend');
  for (const batch of core.rowsToTable(rows, types, Object.keys(types)).batches) await writer.writeBatch(batch);
  await writer.commit({ operation: 'append' });
  const snapshot = await offline.snapshot('spend');
  assert.equal(snapshot.files.reduce((n, f) => n + f.rows, 0), 3);
  ok('@asof/stores (Parquet through parquet-wasm)');

  // @asof/materializer: publish to the embedded LMDB online store, then DuckDB through `asof sql`.
  const onlineDir = path.join(root, '_online');
  const online = new (require('@asof/stores/lmdb').LmdbOnlineStore)({ path: onlineDir });
  const published = await materializer.publishOnline(offline, online, spend, t2);
  assert.equal(published.entities, 2);
  await online.close();
  ok('@asof/materializer publishOnline (LMDB)');
  let out = '';
  let err = '';
  const code = await materializer.runCli(['sql', '--root', root, '--format', 'json', 'SELECT account_id, count(*) AS n FROM spend GROUP BY 1 ORDER BY 1'], {
    stdout: { write: (t) => (out += t) },
    stderr: { write: (t) => (err += t), isTTY: false },
    env: {},
    cwd: root,
  });
  assert.equal(code, 0, err);
  assert.deepEqual(out.trim().split('\n').map((line) => JSON.parse(line)), [{ account_id: 1, n: 2 }, { account_id: 2, n: 1 }]);
  ok('@asof/materializer asof sql (DuckDB)');

  // @asof/sdk: a training set, a long comparison and an online lookup, exact.
  const store = await sdk.FeatureStore.open({ root, online: `lmdb:${onlineDir}` });
  const training = await store.getHistoricalFeatures({
    entities: [{ account_id: 1n, event_timestamp: '2025-01-15T00:00:00Z' }, { account_id: 1n, event_timestamp: '2025-03-01T00:00:00Z' }],
    features: ['spend:invoices', 'spend:last_paid_at'],
  });
  const [jan, mar] = training.toArray();
  assert.equal(jan.invoices, big);
  assert.equal(jan.last_paid_at.toISOString(), '2025-01-01T00:00:00.000001Z');
  assert.equal(mar.invoices, big + 2n);
  assert.match(training.toHTML(), /9007199254740993/);
  const changes = (await store.compare(t1, t2, { features: ['spend:total', 'spend:invoices'], format: 'long' })).toArray();
  assert.deepEqual(
    changes.map((r) => [r.account_id, r.feature, r.before, r.after, r.change]),
    [
      [1n, 'total', 10.5, 12.25, 1.75],
      [1n, 'invoices', big, big + 2n, 2n],
    ],
  );
  // Published at t2 with a 7-day horizon: a day later the value is exact; now, long after, it is stale.
  const lookup = await store.getOnlineFeatures({ features: ['spend:invoices'], entities: [{ account_id: 1n }, { account_id: 3n }], at: '2025-02-02T00:00:00Z' });
  assert.equal(lookup.rows[0].invoices, big + 2n);
  assert.deepEqual(lookup.statuses.map((s) => s.invoices), ['present', 'missing']);
  const now = await store.getOnlineFeatures({ features: ['spend:invoices'], entities: [{ account_id: 1n }] });
  assert.deepEqual([now.rows[0].invoices, now.statuses[0].invoices], [null, 'stale']);
  await store.close();
  ok('@asof/sdk');
}

main(path.resolve(process.argv[2])).catch((error) => {
  console.error(error);
  process.exit(1);
});
