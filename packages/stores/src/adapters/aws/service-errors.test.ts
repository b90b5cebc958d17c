/**
 * What S3 and DynamoDB failures look like to a caller: a service that is
 * down (a port with nothing listening, a server that never answers), a
 * bucket that does not exist on the real S3 server, AWS without a region
 * or credentials. Each is a typed asof error naming the service, the
 * endpoint and what to do, with the SDK's error as its cause.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AsofError, int64, rowsToTable, ServiceUnavailableError, timestamp } from '@asof/core';
import { DynamoDbCommitCoordinator } from '../dynamodb/dynamodb-commit-coordinator.js';
import { DynamoDbLeaseStore } from '../dynamodb/dynamodb-lease-store.js';
import { DynamoDbOnlineStore } from '../dynamodb/dynamodb-online-store.js';
import { S3ObjectStore } from '../s3/s3-object-store.js';
import { closedPortUrl, silentServer } from '../../testing/network.js';
import { s3Connection, TEST_CREDENTIALS } from '../../testing/services.js';

s3Connection(); // start the S3 server while collecting, outside any test timeout

const view = { name: 'v', keys: { account_id: int64() }, features: { n: int64() }, ttlMs: null };
const rows = rowsToTable([{ account_id: 1n, event_ts: 1_000_000n, created_ts: 1_000_000n, n: 5n }], {
  account_id: int64(),
  event_ts: timestamp(),
  created_ts: timestamp(),
  n: int64(),
});

async function rejection(promise: Promise<unknown>): Promise<AsofError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AsofError);
  return error as AsofError;
}

function expectUnreachable(error: AsofError, service: string, endpoint: string, setting: string): void {
  expect(error).toBeInstanceOf(ServiceUnavailableError);
  expect(error.code).toBe('SERVICE_UNAVAILABLE');
  expect(error).toMatchObject({ service, endpoint });
  expect(error.message).toContain(`${service} at ${endpoint} is unreachable`);
  expect(error.message).toContain(setting);
}

describe('a service that is down', () => {
  let down: string;
  beforeAll(async () => {
    down = await closedPortUrl();
  });

  it('S3: every call names S3, the endpoint and what to check; the refused connection is the cause', async () => {
    const store = new S3ObjectStore({ endpoint: down, credentials: TEST_CREDENTIALS, bucket: 'b' });
    for (const call of [() => store.get('k'), () => store.put('k', new Uint8Array(1)), () => store.putIfAbsent('k', new Uint8Array(1)), () => store.ensureBucket(), () => store.delete(['k'])]) {
      const error = await rejection(call());
      expectUnreachable(error, 'S3', down, 'ASOF_S3_ENDPOINT');
      expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED');
    }
    const listing = await rejection((async () => {
      for await (const item of store.list('')) void item;
    })());
    expectUnreachable(listing, 'S3', down, 'ASOF_S3_ENDPOINT');
  });

  it('DynamoDB: the commit coordinator, leases and the online store say which service is unreachable', async () => {
    const connection = { endpoint: down, credentials: TEST_CREDENTIALS };
    const coordinator = new DynamoDbCommitCoordinator({ ...connection, tableName: 'asof-down' });
    expectUnreachable(await rejection(coordinator.claim('t', 1, '{}')), 'DynamoDB', down, 'ASOF_DYNAMODB_ENDPOINT');
    const leases = new DynamoDbLeaseStore({ table: coordinator, scope: 'root' });
    expectUnreachable(await rejection(leases.acquire('v', 'me', 60_000)), 'DynamoDB', down, 'ASOF_DYNAMODB_ENDPOINT');
    const online = new DynamoDbOnlineStore({ ...connection, tableName: 'asof-down' });
    try {
      expectUnreachable(await rejection(online.write(view, rows)), 'DynamoDB', down, 'ASOF_DYNAMODB_ENDPOINT');
      expectUnreachable(await rejection(online.read(view, [{ account_id: 1n }])), 'DynamoDB', down, 'ASOF_DYNAMODB_ENDPOINT');
      expectUnreachable(await rejection(online.createTable()), 'DynamoDB', down, 'ASOF_DYNAMODB_ENDPOINT');
    } finally {
      await online.close();
    }
  });

  it('a server that accepts connections and never answers fails in bounded time, not a hang', async () => {
    const silent = await silentServer();
    try {
      const store = new S3ObjectStore({ endpoint: silent.url, credentials: TEST_CREDENTIALS, bucket: 'b', idleTimeoutMs: 200 });
      expectUnreachable(await rejection(store.get('k')), 'S3', silent.url, 'ASOF_S3_ENDPOINT');
      const coordinator = new DynamoDbCommitCoordinator({ endpoint: silent.url, credentials: TEST_CREDENTIALS, tableName: 'asof-silent', idleTimeoutMs: 200 });
      expectUnreachable(await rejection(coordinator.read('t', 1)), 'DynamoDB', silent.url, 'ASOF_DYNAMODB_ENDPOINT');
    } finally {
      await silent.close();
    }
  });
});

describe('a bucket that does not exist (the real S3 server)', () => {
  it('is a CONFIG error naming the bucket, on reads too (never "no such object")', async () => {
    const bucket = `asof-missing-${randomBytes(4).toString('hex')}`;
    const store = new S3ObjectStore({ ...s3Connection(), bucket, prefix: 'p' });
    const expected = new RegExp(`S3 bucket '${bucket}' does not exist at ${s3Connection().endpoint}: create it, or let 'asof apply' create it`);
    for (const call of [() => store.get('registry.json'), () => store.put('k', new Uint8Array(1))]) {
      const error = await rejection(call());
      expect(error.code).toBe('CONFIG');
      expect(error.message).toMatch(expected);
      expect((error.cause as { name?: string }).name).toBe('NoSuchBucket');
    }
    expect(await store.ensureBucket()).toBe(true);
    expect(await store.ensureBucket()).toBe(false);
    expect(await store.get('registry.json')).toBeNull();
  });
});

describe('AWS itself without a region or credentials', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    // No profile files, no instance metadata: nothing for the SDK's chains to find, and nothing reaches the network.
    Object.assign(process.env, { AWS_CONFIG_FILE: '/nonexistent/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials', AWS_EC2_METADATA_DISABLED: 'true' });
  });
  afterEach(() => {
    delete process.env.AWS_REGION;
  });
  afterAll(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('no region: a CONFIG error saying to set AWS_REGION or a local endpoint', async () => {
    const error = await rejection(new S3ObjectStore({ bucket: 'b' }).get('k'));
    expect(error.code).toBe('CONFIG');
    expect(error.message).toMatch(/^no AWS region for S3: set AWS_REGION .*ASOF_S3_ENDPOINT/);
  });

  it('no credentials: a CONFIG error saying to set the endpoint variables or configure AWS credentials', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    const s3 = await rejection(new S3ObjectStore({ bucket: 'b' }).get('k'));
    expect(s3.code).toBe('CONFIG');
    expect(s3.message).toMatch(/^no AWS credentials found for S3 at AWS \(region eu-west-1\): configure AWS credentials .*or set --s3-endpoint \/ ASOF_S3_ENDPOINT/);
    const dynamo = await rejection(new DynamoDbCommitCoordinator({ tableName: 'asof-commits' }).read('t', 1));
    expect(dynamo.code).toBe('CONFIG');
    expect(dynamo.message).toMatch(/^no AWS credentials found for DynamoDB .*ASOF_DYNAMODB_ENDPOINT/);
  });
});
