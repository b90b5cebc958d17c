import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AsofError } from '@asof/core';
import { S3ObjectStore } from '../adapters/s3/s3-object-store.js';
import { batchOf, makeRows, sorted, visible } from '../testing/fixtures.js';
import { s3Connection, TEST_BUCKET, testCoordinator } from '../testing/services.js';
import { encodeCommit } from './commit-codec.js';
import { logKey, stagedKey } from './layout.js';
import { describeOfflineStore } from './offline-store.contract.js';
import { openOfflineRoot, openOfflineStore } from './open.js';

// Start the services while collecting (installing them on a fresh machine takes longer than a test's timeout).
s3Connection();
const coordinator = testCoordinator();

async function freshRoot(): Promise<{ root: string; objects: S3ObjectStore }> {
  const prefix = `offline/${randomBytes(6).toString('hex')}`;
  const objects = new S3ObjectStore({ ...s3Connection(), bucket: TEST_BUCKET, prefix });
  await objects.ensureBucket();
  return { root: `s3://${TEST_BUCKET}/${prefix}`, objects };
}

describeOfflineStore('S3 (fauxqs) with a DynamoDB commit coordinator', async () => {
  const { root, objects } = await freshRoot();
  return {
    objects,
    open: async (options) =>
      options?.wrap
        ? openOfflineStore({ root, coordinator, objectStore: options.wrap(new S3ObjectStore({ ...s3Connection(), bucket: TEST_BUCKET, prefix: root.slice(`s3://${TEST_BUCKET}/`.length) })) })
        : openOfflineRoot({ root, s3: s3Connection(), coordinator }),
  };
});

describe('offline store on an S3 endpoint without put-if-absent', () => {
  it('refuses to commit without a coordinator (with a clear error), still reads, and commits with one', async () => {
    const { root } = await freshRoot();
    const rows = makeRows(30);
    const bare = await openOfflineRoot({ root, s3: s3Connection() });
    const w = bare.beginWrite('v');
    await w.writeBatch(batchOf(rows));
    const refused = await w.commit({ operation: 'append' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AsofError);
    expect((refused as AsofError).code).toBe('CONFIG');
    expect((refused as Error).message).toMatch(/does not enforce If-None-Match; .*configure a DynamoDB commit coordinator \(--commit-coordinator dynamodb:\/\/table\)/);
    await expect(bare.assertCanCommit()).rejects.toThrow(/If-None-Match/);
    expect((await bare.snapshot('v')).version).toBe(0);

    const coordinated = await openOfflineRoot({ root, s3: s3Connection(), coordinator });
    await coordinated.assertCanCommit();
    const w2 = coordinated.beginWrite('v');
    await w2.writeBatch(batchOf(rows));
    expect((await w2.commit({ operation: 'append' })).version).toBe(1);
    expect(await visible(bare, 'v')).toEqual(sorted(rows)); // reads need no coordinator
  });

  it('completes a commit whose writer died after claiming its version but before writing the log entry', async () => {
    const { root, objects } = await freshRoot();
    const store = await openOfflineRoot({ root, s3: s3Connection(), coordinator });
    const rows = makeRows(20);
    const first = await store.beginWrite('v');
    await first.writeBatch(batchOf(rows));
    const c1 = await first.commit({ operation: 'append' });
    // a writer that claimed version 2 and died: staged document and claim exist, log entry does not
    const orphan = { ...c1, version: 2, commitId: 'crashed-writer', readVersion: 1, added: [], committedAt: '2099-01-01T00:00:00.000000Z' };
    const staged = stagedKey('v', 2, 'crashed-writer');
    await objects.put(staged, encodeCommit(orphan));
    expect(await coordinator.claim(`${root}/views/v`, 2, JSON.stringify({ staged, commitId: 'crashed-writer' }))).toBe(true);
    expect(await objects.get(logKey('v', 2))).toBeNull();
    const reader = await openOfflineRoot({ root, s3: s3Connection(), coordinator });
    expect((await reader.snapshot('v')).version).toBe(2);
    expect(await objects.get(logKey('v', 2))).not.toBeNull();
    const next = reader.beginWrite('v');
    await next.writeBatch(batchOf(rows));
    expect((await next.commit({ operation: 'append' })).version).toBe(3);
  });
});
