/**
 * Issue 10, point 2: the CLI context and `FeatureStore.open` compose every
 * backend from one adapter registry, so they agree on what a URL means,
 * and a URL no adapter takes fails in one line naming it.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { IncrementalRequest, PipelinePort } from '@asof/materializer';
import { FeatureStore } from '@asof/sdk';
import { cli, removeTempRoots, tempRoot } from '../../packages/materializer/src/cli/testing/cli-harness.js';

afterAll(removeTempRoots);

/** stderr without the JSON log records. */
const failures = (stderr: string[]) => stderr.filter((l) => !l.startsWith('{'));

describe('one registry for the CLI and the SDK', () => {
  it('a file:// root with escapes: the offline store and the default online store live in the same decoded directory, for the CLI and the SDK', async () => {
    const parent = await tempRoot();
    const dir = path.join(parent, 'a b');
    const url = pathToFileURL(dir).href; // …/a%20b
    expect(url).toMatch(/a%20b$/);
    const r = await cli(['apply', '--root', url, '--definitions', 'definitions-v1.ts']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'registry.json'))).toBe(true);
    expect(existsSync(path.join(dir, '_online'))).toBe(true);
    expect(readdirSync(parent)).toEqual(['a b']); // nothing under a literal 'a%20b'
    const store = await FeatureStore.open({ root: url, env: {} });
    expect(store.online?.describe()).toBe(path.join(dir, '_online'));
    await store.close();
  });

  it('a URL no adapter takes: one CONFIG line naming it (password masked) and listing what the flag takes', async () => {
    const root = await tempRoot();
    const apply = (...flags: string[]) => cli(['apply', '--root', root, '--definitions', 'definitions-v1.ts', ...flags]);
    expect(failures((await apply('--online', 'redis://cache:6379')).errLines)).toEqual([
      'asof: apply failed: online store "redis://cache:6379" is not lmdb:<dir>, dynamodb://<table> or none (CONFIG)',
    ]);
    expect(failures((await apply('--commit-coordinator', 'etcd://coordinator')).errLines)).toEqual([
      'asof: apply failed: commit coordinator "etcd://coordinator" is not dynamodb://<table> (CONFIG)',
    ]);
    expect(failures((await cli(['apply', '--root', 'gs://bucket/store', '--definitions', 'definitions-v1.ts'])).errLines)).toEqual([
      'asof: apply failed: offline store root "gs://bucket/store" is not a directory, file:///… or s3://bucket/prefix (CONFIG)',
    ]);
    // An lmdb: URL is an online store, never a directory named "lmdb:…" under the working directory.
    expect(failures((await cli(['apply', '--root', `lmdb:${root}`, '--definitions', 'definitions-v1.ts'])).errLines)).toEqual([
      `asof: apply failed: offline store root "lmdb:${root}" is not a directory, file:///… or s3://bucket/prefix (CONFIG)`,
    ]);
    expect((await apply()).code).toBe(0);
    await expect(FeatureStore.open({ root, online: 'redis://user:s3cret@cache:6379', env: {} })).rejects.toThrow(
      'online store "redis://user:***@cache:6379" is not lmdb:<dir>, dynamodb://<table> or none',
    );
  });

  it('--source names its adapter: another scheme is refused before any connection, its password never printed', async () => {
    const root = await tempRoot();
    expect((await cli(['apply', '--root', root, '--definitions', 'definitions-v1.ts'])).code).toBe(0);
    const r = await cli(['materialize-incremental', '--root', root, '--definitions', 'definitions-v1.ts', '--source', 'postgres://asof:s3cret@db:5432/trs'], {
      // A pipeline that only opens the source, as a run does first.
      pipeline: { materializeIncremental: async (request: IncrementalRequest) => (await request.source(), []) } as unknown as PipelinePort,
    });
    expect(r.stderr).not.toContain('s3cret');
    expect(failures(r.errLines)).toEqual(['asof: materialize-incremental failed: source "postgres://asof:***@db:5432/trs" is not mysql://user:password@host:port/database (CONFIG)']);
  });
});
