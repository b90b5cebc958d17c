import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IoOptions, ObjectStore } from '@asof/core';
import { LocalObjectStore } from '../adapters/local-fs/local-object-store.js';
import { freshS3Store } from '../testing/services.js';
import { describeLeaseStore, ManualClock } from './lease-store.contract.js';
import { ObjectLeaseStore } from './object-lease-store.js';
import { openLeaseStore } from './open-lease-store.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'asof-lease-'));
  dirs.push(dir);
  return dir;
}

describeLeaseStore('ObjectLeaseStore on a local directory', async (clock) => {
  const dir = await tempDir();
  const another = () => new ObjectLeaseStore(new LocalObjectStore(dir), { now: clock.now });
  return { store: another(), another };
});

describe('ObjectLeaseStore', () => {
  it('keeps one generation object per lease however often it changes hands', async () => {
    const clock = new ManualClock();
    const objects = new LocalObjectStore(await tempDir());
    const store = new ObjectLeaseStore(objects, { now: clock.now });
    let lease = (await store.acquire('v', 'a', 1000))!;
    for (let i = 0; i < 5; i++) lease = await store.renew(lease, 1000);
    await store.release(lease);
    const b = (await store.acquire('v', 'b', 1000))!;
    expect(b.token).toBe('8'); // 1 acquire + 5 renewals + 1 release + 1 acquire
    const keys = [];
    for await (const info of objects.list('_locks/')) keys.push(info.key);
    expect(keys).toEqual(['_locks/v/00000000000000000008.json']);
  });

  it('gives nothing to a creator that stalled and re-created a generation cleaned up meanwhile', async () => {
    const clock = new ManualClock();
    const dir = await tempDir();
    const first = new ObjectLeaseStore(new LocalObjectStore(dir), { now: clock.now });
    await first.acquire('v', 'crashed', 1000); // generation 1
    clock.advance(1001);
    // The stale taker reads generation 1 (expired), then stalls before creating generation 2.
    let resume!: () => void;
    const stalled = new Promise<void>((resolve) => (resume = resolve));
    let reachedPut!: () => void;
    const atPut = new Promise<void>((resolve) => (reachedPut = resolve));
    const stale = new ObjectLeaseStore(stallPutIfAbsent(new LocalObjectStore(dir), atPut, reachedPut, stalled), { now: clock.now });
    const staleTake = stale.acquire('v', 'stale', 1000);
    await atPut;
    // Meanwhile b takes generation 2 and renews to 3, deleting 1 and 2.
    const other = new ObjectLeaseStore(new LocalObjectStore(dir), { now: clock.now });
    const b = (await other.acquire('v', 'b', 1000))!;
    const renewed = await other.renew(b, 1000);
    expect(renewed.token).toBe('3');
    resume(); // the stale taker now creates generation 2 again: it must not win
    expect(await staleTake).toBeNull();
    expect((await other.current('v'))?.holder).toBe('b');
    expect(await other.renew(renewed, 1000)).toMatchObject({ holder: 'b', token: '4' });
  });

  it('refuses to keep leases on an S3 endpoint that ignores If-None-Match (fauxqs) without a coordinator', async () => {
    const objects = await freshS3Store('leases');
    await expect(openLeaseStore({ objects })).rejects.toMatchObject({ code: 'CONFIG', message: expect.stringMatching(/--commit-coordinator dynamodb:\/\//) });
  });

  it('opens on a local directory after the put-if-absent probe', async () => {
    const store = await openLeaseStore({ objects: new LocalObjectStore(await tempDir()) });
    expect(store).toBeInstanceOf(ObjectLeaseStore);
  });
});

/** Holds the first put-if-absent until `resume` resolves, announcing it through `arrived`. */
function stallPutIfAbsent(inner: ObjectStore, _reached: Promise<void>, arrived: () => void, resume: Promise<void>): ObjectStore {
  let first = true;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== 'putIfAbsent') return Reflect.get(target, prop, receiver) as unknown;
      return async (key: string, bytes: Uint8Array, options?: IoOptions) => {
        if (first) {
          first = false;
          arrived();
          await resume;
        }
        return target.putIfAbsent(key, bytes, options);
      };
    },
  });
}
