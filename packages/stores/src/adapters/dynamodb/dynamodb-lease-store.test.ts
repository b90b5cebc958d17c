import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalObjectStore } from '../local-fs/local-object-store.js';
import { describeLeaseStore, ManualClock } from '../../leases/lease-store.contract.js';
import { openLeaseStore } from '../../leases/open-lease-store.js';
import { testCoordinator } from '../../testing/services.js';
import { DynamoDbLeaseStore } from './dynamodb-lease-store.js';

testCoordinator(); // start DynamoDB Local while collecting, outside any test timeout

describeLeaseStore('DynamoDbLeaseStore on DynamoDB Local', async (clock) => {
  const scope = `s3://bucket/${randomBytes(6).toString('hex')}`;
  // Every handle has its own client, as separate processes would.
  const another = () => new DynamoDbLeaseStore({ table: testCoordinator('asof-leases-test'), scope, now: clock.now });
  return { store: another(), another };
});

describe('DynamoDbLeaseStore', () => {
  it('shares the commit coordinator table and keeps the leases of different roots apart', async () => {
    const clock = new ManualClock();
    const coordinator = testCoordinator();
    const root = `/tmp/asof-${randomBytes(6).toString('hex')}`;
    const store = await openLeaseStore({ objects: new LocalObjectStore(root), coordinator, now: clock.now });
    expect(store).toBeInstanceOf(DynamoDbLeaseStore);
    expect(store.describe()).toContain('dynamodb://asof-commits-test');
    const elsewhere = await openLeaseStore({ objects: new LocalObjectStore(`${root}-other`), coordinator, now: clock.now });
    expect(await store.acquire('v', 'a', 1000)).not.toBeNull();
    expect(await elsewhere.acquire('v', 'b', 1000)).not.toBeNull();
  });
});
