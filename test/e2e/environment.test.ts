/**
 * The CLI and the SDK read the same environment: with only `ASOF_*`
 * variables set (no flags, no connection options), `asof demo` writes a
 * store to the S3 server with commits coordinated in DynamoDB Local and an
 * online store there, and `FeatureStore.open` reads it back, offline and
 * online, from the same variables.
 */
import { randomBytes } from 'node:crypto';
import { createPipeline } from '@asof/materializer';
import { FeatureStore } from '@asof/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrsDemo } from '../../examples/trs/demo.js';
import { latePayments } from '../../examples/trs/features.js';
import { cli as runAsof } from '../../packages/materializer/src/cli/testing/cli-harness.js';
import { ensureServices } from '../helpers/services.js';

const id = randomBytes(4).toString('hex');
let env: Record<string, string>;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  const services = ensureServices('s3', 'dynamodb-local');
  env = {
    ASOF_ROOT: `s3://asof-test/env-${id}`,
    ASOF_S3_ENDPOINT: services.ASOF_S3_ENDPOINT!,
    ASOF_DYNAMODB_ENDPOINT: services.ASOF_DYNAMODB_ENDPOINT!,
    ASOF_COMMIT_COORDINATOR: `dynamodb://asof-env-commits-${id}`,
    ASOF_ONLINE: `dynamodb://asof-env-online-${id}`,
  };
  const r = await runAsof(['demo'], { env, pipeline: createPipeline({ demo: runTrsDemo }) });
  expect(r.code, r.stderr).toBe(0);
  // The choice of endpoints is logged, never silent.
  expect(r.errLines).toContainEqual(expect.stringContaining(`"s3":"endpoint ${env.ASOF_S3_ENDPOINT} (from ASOF_S3_ENDPOINT)"`));
  expect(r.errLines).toContainEqual(expect.stringContaining(`"dynamodb":"endpoint ${env.ASOF_DYNAMODB_ENDPOINT} (from ASOF_DYNAMODB_ENDPOINT)"`));
  for (const [name, value] of Object.entries(env)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
}, 180_000);

afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('FeatureStore.open from the environment alone', () => {
  it('finds the S3 root, the coordinator and the DynamoDB online store the CLI used', async () => {
    const store = await FeatureStore.open({ root: env.ASOF_ROOT! });
    try {
      expect(store.toString()).toMatch(new RegExp(`^FeatureStore\\(s3://asof-test/env-${id} \\(endpoint ${env.ASOF_S3_ENDPOINT}\\), \\d+ views, online dynamodb://asof-env-online-${id}\\)$`));
      const snapshot = await store.asOf('2025-09-30T23:59:59Z', { features: [latePayments] });
      expect(snapshot.numRows).toBeGreaterThan(0);
      // The demo publishes at its last extract (2025-09-30) with a 7-day horizon: inside it the value is there; now, long after, it is stale, not an old value.
      const online = await store.getOnlineFeatures({ features: [latePayments], entities: [{ account_id: 1n }], at: '2025-10-01T00:00:00Z' });
      expect(online.statuses[0]!.overdue_invoices).toBe('present');
      expect((await store.getOnlineFeatures({ features: [latePayments], entities: [{ account_id: 1n }] })).statuses[0]!.overdue_invoices).toBe('stale');
    } finally {
      await store.close();
    }
  });

  it('takes the root from ASOF_ROOT too, and explicit options still win', async () => {
    const store = await FeatureStore.open({ online: 'none' });
    try {
      expect(store.online).toBeNull();
      expect(store.offline.describe()).toContain(`s3://asof-test/env-${id}`);
    } finally {
      await store.close();
    }
  });

  it('says what to set when there is no root at all', async () => {
    await expect(FeatureStore.open({ env: {} })).rejects.toThrow('FeatureStore.open needs a root: pass { root: <dir|s3://bucket/prefix> } or set ASOF_ROOT');
  });
});
