import { randomBytes } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { int64, rowsToTable, timestamp } from '@asof/core';
import { DynamoDbOnlineStore } from '../dynamodb/dynamodb-online-store.js';
import { dynamoDbConnection, freshS3Store } from '../../testing/services.js';
import { withRequestSignal } from './request-signal.js';

dynamoDbConnection(); // start DynamoDB Local while collecting, outside any test timeout

describe('withRequestSignal', () => {
  it('puts one listener on the caller signal however many requests run, and aborts each with its reason', async () => {
    const parent = new AbortController();
    const seen: unknown[] = [];
    const running = Array.from({ length: 50 }, () =>
      withRequestSignal(parent.signal, (own) => new Promise((_, reject) => own!.addEventListener('abort', () => reject(own!.reason), { once: true }))).catch((e: unknown) => seen.push(e)),
    );
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    const reason = new Error('interrupted by SIGTERM');
    parent.abort(reason);
    await Promise.all(running);
    expect(seen).toEqual(Array.from({ length: 50 }, () => reason));
  });

  it('refuses to start on an aborted signal and passes no signal through when given none', async () => {
    const parent = new AbortController();
    parent.abort(new Error('stop'));
    await expect(withRequestSignal(parent.signal, async () => 1)).rejects.toThrow('stop');
    expect(await withRequestSignal(undefined, async (own) => own)).toBeUndefined();
  });
});

describe('many concurrent AWS requests on one signal', () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  beforeEach(() => {
    warnings.length = 0;
    process.on('warning', onWarning);
  });
  afterEach(() => {
    process.off('warning', onWarning);
  });

  it('print no MaxListenersExceededWarning (32 DynamoDB writers, 20 S3 reads)', async () => {
    const signal = new AbortController().signal;
    const online = new DynamoDbOnlineStore({ ...dynamoDbConnection(), tableName: `asof-listeners-${randomBytes(4).toString('hex')}`, writeConcurrency: 32 });
    try {
      await online.createTable({ signal });
      const n = 200;
      const t = BigInt(Date.now()) * 1000n;
      const rows = rowsToTable(
        Array.from({ length: n }, (_, i) => ({ account_id: BigInt(i), event_ts: t, created_ts: t, n: BigInt(i) })),
        { account_id: int64(), event_ts: timestamp(), created_ts: timestamp(), n: int64() },
      );
      const view = { name: 'v', keys: { account_id: int64() }, features: { n: int64() }, ttlMs: null };
      expect((await online.write(view, rows, { signal })).written).toBe(n);
      expect((await online.read(view, Array.from({ length: n }, (_, i) => ({ account_id: BigInt(i) })), { signal })).rows).toHaveLength(n);
    } finally {
      await online.close();
    }
    const s3 = await freshS3Store('listeners');
    await s3.put('k', new Uint8Array(8), { signal });
    await Promise.all(Array.from({ length: 20 }, () => s3.get('k', { signal })));
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
    expect(getEventListeners(signal, 'abort').length).toBeLessThanOrEqual(1);
  });
});
