import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AsofError } from '@asof/core';
import type { DynamoDbCommitCoordinator } from '../adapters/dynamodb/dynamodb-commit-coordinator.js';
import { DynamoDbOnlineStore } from '../adapters/dynamodb/dynamodb-online-store.js';
import { LmdbOnlineStore } from '../adapters/lmdb/lmdb-online-store.js';
import { openCommitCoordinator, openOnlineStore } from './open-from-settings.js';
import { describeConnection, readStoreSettings } from './store-settings.js';

const ENV = {
  ASOF_ROOT: 's3://asof/env-root',
  ASOF_S3_ENDPOINT: 'http://127.0.0.1:39000',
  ASOF_DYNAMODB_ENDPOINT: 'http://127.0.0.1:38000',
  ASOF_COMMIT_COORDINATOR: 'dynamodb://asof-commits',
  ASOF_ONLINE: 'dynamodb://asof-online',
};

describe('readStoreSettings', () => {
  it('reads every ASOF_* variable, with placeholder credentials for local endpoints and us-east-1', () => {
    const s = readStoreSettings({}, ENV);
    expect(s).toEqual({
      root: 's3://asof/env-root',
      s3: { endpoint: 'http://127.0.0.1:39000', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpointFrom: 'ASOF_S3_ENDPOINT', regionFrom: 'default' },
      dynamodb: { endpoint: 'http://127.0.0.1:38000', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpointFrom: 'ASOF_DYNAMODB_ENDPOINT', regionFrom: 'default' },
      commitCoordinator: 'dynamodb://asof-commits',
      online: 'dynamodb://asof-online',
    });
  });

  it('lets explicit values win, and treats empty strings as unset', () => {
    const s = readStoreSettings({ root: '/data/asof', s3Endpoint: 'http://minio:9000', online: '', commitCoordinator: ' ' }, ENV);
    expect(s.root).toBe('/data/asof');
    expect(s.s3).toMatchObject({ endpoint: 'http://minio:9000', endpointFrom: 'option' });
    expect(s.online).toBe('dynamodb://asof-online');
    expect(s.commitCoordinator).toBe('dynamodb://asof-commits');
    expect(readStoreSettings({}, { ASOF_ROOT: '' }).root).toBeUndefined();
  });

  it('without an endpoint: AWS, with the region the environment names and the SDK chain for credentials', () => {
    expect(readStoreSettings({}, {}).s3).toEqual({ endpointFrom: 'default', regionFrom: undefined });
    expect(readStoreSettings({}, { AWS_DEFAULT_REGION: 'eu-west-1' }).dynamodb).toEqual({ region: 'eu-west-1', endpointFrom: 'default', regionFrom: 'AWS_DEFAULT_REGION' });
    // Configured AWS credentials are left to the SDK even for a local endpoint.
    expect(readStoreSettings({}, { ...ENV, AWS_PROFILE: 'dev' }).s3.credentials).toBeUndefined();
  });

  it('describes where requests go without ever printing credentials', () => {
    const env = { ...ENV, AWS_ACCESS_KEY_ID: 'AKIASECRET', AWS_SECRET_ACCESS_KEY: 'very-secret', AWS_REGION: 'eu-central-1' };
    const local = readStoreSettings({}, env);
    expect(describeConnection(local.s3)).toBe('endpoint http://127.0.0.1:39000 (from ASOF_S3_ENDPOINT)');
    const aws = readStoreSettings({}, { AWS_ACCESS_KEY_ID: 'AKIASECRET', AWS_SECRET_ACCESS_KEY: 'very-secret', AWS_REGION: 'eu-central-1' });
    expect(describeConnection(aws.s3)).toBe('AWS, region eu-central-1 from AWS_REGION (no endpoint set)');
    expect(describeConnection(readStoreSettings({}, {}).s3)).toBe('AWS, region from the AWS profile (no endpoint set)');
    for (const line of [describeConnection(local.s3), describeConnection(aws.s3), describeConnection(aws.dynamodb)]) {
      expect(line).not.toMatch(/AKIASECRET|very-secret|local/);
    }
  });
});

describe('opening from settings', () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'asof-settings-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('opens the coordinator and online store the settings name, on their DynamoDB connection', async () => {
    const s = readStoreSettings({}, ENV);
    // The openers are asynchronous now: they load an adapter's client library only when a URL needs it.
    const coordinator = (await openCommitCoordinator(s)) as DynamoDbCommitCoordinator;
    expect(coordinator.describe()).toBe('dynamodb://asof-commits');
    expect(coordinator.endpoint).toBe('http://127.0.0.1:38000');
    expect(await openCommitCoordinator(readStoreSettings({}, {}))).toBeNull();
    const online = await openOnlineStore(s.online!, s);
    expect(online).toBeInstanceOf(DynamoDbOnlineStore);
    await online!.close();
    expect(await openOnlineStore('none', s)).toBeNull();
    const lmdb = await openOnlineStore('lmdb:relative/dir', s, { cwd });
    expect(lmdb).toBeInstanceOf(LmdbOnlineStore);
    expect(lmdb!.describe()).toContain(path.join(cwd, 'relative/dir'));
    await lmdb!.close();
    await expect(openOnlineStore('redis://x', s)).rejects.toThrow(AsofError);
    await expect(openOnlineStore('redis://x', s)).rejects.toThrow('online store "redis://x" is not lmdb:<dir>, dynamodb://<table> or none');
  });
});
