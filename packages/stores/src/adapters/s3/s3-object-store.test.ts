import { randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freshS3Store, s3Connection } from '../../testing/services.js';
import { describeObjectStore } from '../object-store.contract.js';
import { probePutIfAbsent } from './probe-put-if-absent.js';

s3Connection(); // start the server while collecting, outside any test timeout

// fauxqs ignores If-None-Match (REFERENCE.md), so put-if-absent is not asserted here: the probe must catch it.
describeObjectStore('S3 (fauxqs)', () => freshS3Store(), { enforcesPutIfAbsent: false });

describe('S3ObjectStore', () => {
  it('uploads a 40 MiB body as a multipart upload of 8 MiB parts (5 parts), byte for byte', async () => {
    const store = await freshS3Store();
    const body = randomFillSync(new Uint8Array(40 * 1024 * 1024));
    expect(await store.putMultipart('big.bin', body)).toBe(5);
    const back = await store.get('big.bin');
    expect(back?.length).toBe(body.length);
    expect(Buffer.compare(Buffer.from(back!), Buffer.from(body))).toBe(0);
    // put() chooses multipart by itself above one part
    await store.put('big2.bin', body.subarray(0, 20 * 1024 * 1024 + 3));
    const back2 = await store.get('big2.bin');
    expect(Buffer.compare(Buffer.from(back2!), Buffer.from(body.subarray(0, 20 * 1024 * 1024 + 3)))).toBe(0);
    const range = await store.getRange('big.bin', 9 * 1024 * 1024 - 2, 9 * 1024 * 1024 + 2);
    expect(Array.from(range!)).toEqual(Array.from(body.subarray(9 * 1024 * 1024 - 2, 9 * 1024 * 1024 + 2)));
  }, 120_000);

  it('the put-if-absent probe detects that this endpoint does not enforce If-None-Match', async () => {
    const probe = await probePutIfAbsent(await freshS3Store());
    expect(probe.enforced).toBe(false);
    expect(probe.detail).toMatch(/If-None-Match/);
  });

  it('describes itself as an s3:// URL with its endpoint', async () => {
    expect((await freshS3Store('described')).describe()).toMatch(/^s3:\/\/asof-test\/described\/[0-9a-f]+ \(endpoint http:\/\/127\.0\.0\.1:\d+\)$/);
  });
});
