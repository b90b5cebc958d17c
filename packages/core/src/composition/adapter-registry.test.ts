import { describe, expect, it } from 'vitest';
import { AsofError, InvalidInputError } from '../errors.js';
import type { AdapterDescriptor, ObjectRoot } from './adapter.js';
import { AdapterRegistry, redactUrl, schemeOf } from './adapter-registry.js';

/** Adapters whose openers record what they were asked, standing in for the real ones (which load client libraries). */
function fakes() {
  const opened: string[] = [];
  const root = (url: string): ObjectRoot => ({ objects: { describe: () => url } as never, location: url, putIfAbsent: 'trusted', directory: url });
  const local: AdapterDescriptor = { name: 'local', schemes: ['', 'file'], kinds: { objects: { forms: ['a directory', 'file:///…'], open: async (url) => (opened.push(`local ${url}`), root(url)) } } };
  const s3: AdapterDescriptor = { name: 's3', schemes: ['s3'], kinds: { objects: { forms: ['s3://bucket/prefix'], open: async (url) => (opened.push(`s3 ${url}`), root(url)) } } };
  const lmdb: AdapterDescriptor = { name: 'lmdb', schemes: ['lmdb'], kinds: { online: { forms: ['lmdb:<dir>'], open: async (url) => (opened.push(`lmdb ${url}`), {} as never) } } };
  const dynamodb: AdapterDescriptor = {
    name: 'dynamodb',
    schemes: ['dynamodb'],
    kinds: {
      online: { forms: ['dynamodb://<table>'], open: async (url) => (opened.push(`dynamodb online ${url}`), {} as never) },
      coordinator: { forms: ['dynamodb://<table>'], open: async (url) => (opened.push(`dynamodb coordinator ${url}`), {} as never) },
    },
  };
  return { opened, registry: new AdapterRegistry([local, s3, lmdb, dynamodb]) };
}

describe('AdapterRegistry', () => {
  it('sends each URL to the adapter registered for its scheme and kind, and opens nothing before it is asked', async () => {
    const { opened, registry } = fakes();
    expect(opened).toEqual([]);
    expect(registry.resolve('objects', '/data/asof').name).toBe('local');
    expect(registry.resolve('objects', 'relative/dir').name).toBe('local');
    expect(registry.resolve('objects', 'file:///data/asof').name).toBe('local');
    expect(registry.resolve('objects', 'S3://bucket/p').name).toBe('s3');
    expect(registry.resolve('online', 'lmdb:/tmp/x').name).toBe('lmdb');
    expect(registry.resolve('coordinator', 'dynamodb://t').name).toBe('dynamodb');
    expect(opened).toEqual([]);
    await registry.open('online', 'dynamodb://asof-online', {});
    await registry.open('coordinator', 'dynamodb://asof-commits', {});
    await registry.open('objects', 's3://b/p', {});
    expect(opened).toEqual(['dynamodb online dynamodb://asof-online', 'dynamodb coordinator dynamodb://asof-commits', 's3 s3://b/p']);
  });

  it('reads a scheme no adapter knows, without //, as a relative path; never a known scheme or a URL', () => {
    const { registry } = fakes();
    expect(registry.resolve('objects', 'store:v2').name).toBe('local');
    expect(() => registry.resolve('objects', 'lmdb:/tmp/x')).toThrow('object store root "lmdb:/tmp/x" is not a directory, file:///… or s3://bucket/prefix');
    expect(() => registry.resolve('objects', 'ftp://host/dir', { what: 'offline store root' })).toThrow('offline store root "ftp://host/dir" is not a directory, file:///… or s3://bucket/prefix');
    // A kind without a path adapter takes no plain paths.
    expect(() => registry.resolve('online', '/tmp/online', { also: ['none'] })).toThrow('online store "/tmp/online" is not lmdb:<dir>, dynamodb://<table> or none');
  });

  it('refuses an unknown scheme with a CONFIG error naming the URL (password masked) and listing the forms', async () => {
    const { registry } = fakes();
    const error = await registry.open('online', 'redis://user:s3cret@cache:6379/0', {}, { also: ['none'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AsofError);
    expect((error as AsofError).code).toBe('CONFIG');
    expect((error as Error).message).toBe('online store "redis://user:***@cache:6379/0" is not lmdb:<dir>, dynamodb://<table> or none');
    expect(() => registry.resolve('source', 'postgres://u:p@h/db')).toThrow('source "postgres://u:***@h/db" is not anything (no source adapter is registered)');
    expect(() => registry.resolve('objects', '  ')).toThrow('object store root is empty: use a directory, file:///… or s3://bucket/prefix');
  });

  it('grows by registry lines, and refuses two adapters claiming one scheme for one kind', async () => {
    const { opened, registry } = fakes();
    const postgres: AdapterDescriptor = { name: 'postgres', schemes: ['postgres'], kinds: { source: { forms: ['postgres://user:password@host/db'], open: async (url) => (opened.push(`postgres ${url}`), {} as never) } } };
    const more = registry.with(postgres);
    await more.open('source', 'postgres://h/db', {});
    expect(opened).toEqual(['postgres postgres://h/db']);
    expect(registry.adapters.map((a) => a.name)).toEqual(['local', 's3', 'lmdb', 'dynamodb']); // the original is unchanged
    const rival: AdapterDescriptor = { name: 'minio', schemes: ['s3'], kinds: { objects: { forms: ['s3://…'], open: async () => ({}) as never } } };
    expect(() => registry.with(rival)).toThrow(InvalidInputError);
    expect(() => registry.with(rival)).toThrow("adapters 's3' and 'minio' both open s3: as object store root; register one of them");
    expect(() => new AdapterRegistry([{ ...rival, name: 'bad', schemes: ['S3:'] }])).toThrow(/scheme "S3:" must be lowercase/);
  });
});

describe('schemeOf and redactUrl', () => {
  it('finds the scheme, lowercase', () => {
    expect(schemeOf('s3://b/p')).toBe('s3');
    expect(schemeOf('DynamoDB://t')).toBe('dynamodb');
    expect(schemeOf('lmdb:/x')).toBe('lmdb');
    expect(schemeOf('/abs/dir')).toBeNull();
    expect(schemeOf('./rel')).toBeNull();
  });

  it('masks the password of a URL, and only that', () => {
    expect(redactUrl('mysql://asof:p%40ss@db:3306/trs')).toBe('mysql://asof:***@db:3306/trs');
    expect(redactUrl('mysql://asof:p@ss@db/trs')).toBe('mysql://asof:***@db/trs');
    expect(redactUrl('mysql://asof@db/trs')).toBe('mysql://asof@db/trs');
    expect(redactUrl('s3://bucket/a:b@c')).toBe('s3://bucket/a:b@c');
    expect(redactUrl('/data/asof')).toBe('/data/asof');
  });
});
