import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '@asof/core';
import { testCoordinator } from '../../testing/services.js';
import { commitCoordinatorFromUrl } from './commit-coordinator-url.js';

testCoordinator(); // start DynamoDB Local while collecting, outside any test timeout

describe('DynamoDbCommitCoordinator (DynamoDB Local)', () => {
  it('creates its table, grants each (table, version) once and keeps the payload', async () => {
    const coordinator = testCoordinator(`asof-commits-${randomBytes(4).toString('hex')}`);
    const table = `s3://b/p/views/v-${randomBytes(4).toString('hex')}`;
    expect(await coordinator.read(table, 1)).toBeNull();
    expect(await coordinator.claim(table, 1, '{"a":1}')).toBe(true);
    expect(await coordinator.claim(table, 1, '{"a":2}')).toBe(false);
    expect(await coordinator.read(table, 1)).toBe('{"a":1}');
    expect(await coordinator.claim(table, 2, 'x')).toBe(true);
    expect(coordinator.describe()).toMatch(/^dynamodb:\/\/asof-commits-/);
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const coordinator = testCoordinator();
    const table = `race-${randomBytes(4).toString('hex')}`;
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => coordinator.claim(table, 7, `writer ${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await coordinator.read(table, 7)).toBe(`writer ${results.indexOf(true)}`);
  });

  it('is named by a dynamodb:// URL', () => {
    expect(commitCoordinatorFromUrl('dynamodb://asof-commits', { region: 'us-east-1' }).tableName).toBe('asof-commits');
    expect(() => commitCoordinatorFromUrl('dynamo://x')).toThrow(InvalidInputError);
  });
});
