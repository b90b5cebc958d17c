/**
 * The store adapters' registry lines: one URL parser per adapter folder,
 * the forms messages list, what each opens (without loading a client until
 * asked), and the synchronous `openOfflineStore` for local roots only.
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AsofError, InvalidInputError, type CommitCoordinator, type LeaseStore } from '@asof/core';
import { openLeaseStore } from '../leases/open-lease-store.js';
import { openOfflineRoot, openOfflineStore } from '../offline/open.js';
import { defaultOnlineSpec, openObjectRoot } from '../settings/open-from-settings.js';
import { parseDynamoDbUrl } from './dynamodb/dynamodb-url.js';
import { parseLmdbUrl } from './lmdb/lmdb-url.js';
import { LocalObjectStore } from './local-fs/local-object-store.js';
import { parseLocalRoot } from './local-fs/local-root.js';
import { S3ObjectStore } from './s3/s3-object-store.js';
import { parseS3Url } from './s3/s3-url.js';
import { storeAdapters } from './store-adapters.js';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'asof-adapters-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('one URL parser per adapter', () => {
  it('local roots: paths against cwd, file:// URLs decoded', () => {
    expect(parseLocalRoot('store', '/data')).toBe('/data/store');
    expect(parseLocalRoot('/abs/store', '/data')).toBe('/abs/store');
    expect(parseLocalRoot('file:///data/a%20b')).toBe('/data/a b');
    expect(parseLocalRoot('store:v2', '/data')).toBe('/data/store:v2');
    expect(() => parseLocalRoot('file://host/x')).toThrow(InvalidInputError);
  });

  it('s3://bucket/prefix, dynamodb://<table>, lmdb:<dir>', () => {
    expect(parseS3Url('s3://bucket/some/prefix/')).toEqual({ bucket: 'bucket', prefix: 'some/prefix' });
    expect(parseS3Url('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(() => parseS3Url('s3:///prefix')).toThrow('invalid S3 URL "s3:///prefix": expected s3://bucket[/prefix]');
    expect(parseDynamoDbUrl('dynamodb://asof-online/')).toBe('asof-online');
    expect(() => parseDynamoDbUrl('dynamodb://ab', 'online store')).toThrow('invalid online store "dynamodb://ab": expected dynamodb://<table name>');
    expect(parseLmdbUrl('lmdb:online', '/data')).toBe('/data/online');
    expect(parseLmdbUrl('lmdb:/abs/online', '/data')).toBe('/abs/online');
    expect(() => parseLmdbUrl('lmdb:')).toThrow('invalid LMDB online store "lmdb:": expected lmdb:<dir>');
  });
});

describe('storeAdapters', () => {
  it('lists each kind’s forms in registry order', () => {
    expect(storeAdapters.adapters.map((a) => a.name)).toEqual(['local', 's3', 'lmdb', 'dynamodb']);
    expect(storeAdapters.forms('objects')).toEqual(['a directory', 'file:///…', 's3://bucket/prefix']);
    expect(storeAdapters.forms('online')).toEqual(['lmdb:<dir>', 'dynamodb://<table>']);
    expect(storeAdapters.forms('coordinator')).toEqual(['dynamodb://<table>']);
    expect(storeAdapters.forms('source')).toEqual([]);
  });

  it('opens a local root and an S3 root as object roots; only S3 can create its container', async () => {
    const dir = await tempDir();
    const local = await openObjectRoot(`file://${dir}/x%20y`, {});
    expect(local).toMatchObject({ location: `${dir}/x y`, directory: `${dir}/x y`, putIfAbsent: 'trusted' });
    expect(local.objects).toBeInstanceOf(LocalObjectStore);
    expect(local.objects.createContainer).toBeUndefined();
    const s3 = await openObjectRoot('s3://bucket/p/', { s3: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1' } });
    expect(s3).toMatchObject({ location: 's3://bucket/p', directory: null, putIfAbsent: 'probe' });
    expect(s3.objects).toBeInstanceOf(S3ObjectStore);
    expect(s3.objects.describe()).toBe('s3://bucket/p (endpoint http://127.0.0.1:9)');
    expect(typeof s3.objects.createContainer).toBe('function');
    await expect(openObjectRoot('gs://bucket/p', {}, { what: 'export target' })).rejects.toThrow('export target "gs://bucket/p" is not a directory, file:///… or s3://bucket/prefix');
  });

  it('the default online store: <root>/_online for a local root (for readers only if it exists), none for S3', async () => {
    const dir = await tempDir();
    const local = await openObjectRoot(dir, {});
    expect(defaultOnlineSpec(local)).toBe(`lmdb:${dir}/_online`);
    expect(defaultOnlineSpec(local, { onlyIfExists: true })).toBe('none');
    await mkdir(path.join(dir, '_online'));
    expect(defaultOnlineSpec(local, { onlyIfExists: true })).toBe(`lmdb:${dir}/_online`);
    expect(defaultOnlineSpec(await openObjectRoot('s3://bucket/p', {}))).toBe('none');
  });
});

describe('openOfflineStore and openOfflineRoot', () => {
  it('openOfflineStore opens a local root at once and refuses one whose adapter must load a client first', async () => {
    const dir = await tempDir();
    expect(openOfflineStore({ root: dir })).toMatchObject({ location: dir, directory: dir });
    expect(() => openOfflineStore({ root: 's3://bucket/p' })).toThrow(InvalidInputError);
    expect(() => openOfflineStore({ root: 's3://bucket/p' })).toThrow(/needs the s3 adapter's client loaded first: use await openOfflineRoot/);
    const unknown = (() => {
      try {
        return openOfflineStore({ root: 'gs://bucket/p' });
      } catch (error) {
        return error;
      }
    })();
    expect(unknown).toBeInstanceOf(AsofError);
    expect((unknown as AsofError).code).toBe('CONFIG');
    expect(() => openOfflineStore({ root: ' ' })).toThrow('openOfflineStore needs a root: a directory, file:///… or s3://bucket/prefix');
    const s3 = await openOfflineRoot({ root: 's3://bucket/p', s3: { endpoint: 'http://127.0.0.1:9' } });
    expect(s3).toMatchObject({ location: 's3://bucket/p', directory: null });
  });
});

describe('openLeaseStore asks the coordinator whether it holds leases', () => {
  it('a coordinator with leases() keeps them, scoped by the root; one without leaves them to the object store', async () => {
    const dir = await tempDir();
    const scopes: string[] = [];
    const leases = { describe: () => 'fake leases' } as LeaseStore;
    const withLeases: CommitCoordinator = {
      describe: () => 'fake://coordinator',
      claim: async () => true,
      read: async () => null,
      leases: (scope) => (scopes.push(scope), leases),
    };
    expect(await openLeaseStore({ objects: new LocalObjectStore(dir), coordinator: withLeases })).toBe(leases);
    expect(scopes).toEqual([dir]);
    const { leases: _, ...without } = withLeases;
    expect((await openLeaseStore({ objects: new LocalObjectStore(dir), coordinator: without })).describe()).toBe(`${dir}/_locks/`);
  });
});
