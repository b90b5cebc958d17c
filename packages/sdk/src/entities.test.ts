/**
 * Entities given as an Arrow Table from apache-arrow's CommonJS build, as a
 * tslab cell's `require('apache-arrow')` makes: a different module from the
 * ESM build the SDK imports (Arrow's `instanceof` checks accept it).
 */
import { createRequire } from 'node:module';
import { int64 } from '@asof/core';
import { Table } from 'apache-arrow';
import { expect, it } from 'vitest';
import { toSpine } from './entities.js';

const commonJs = createRequire(import.meta.url)('apache-arrow') as typeof import('apache-arrow');

it('takes a table from apache-arrow’s CommonJS build, exactly', async () => {
  expect(commonJs.Table).not.toBe(Table);
  const micros = commonJs.makeVector(commonJs.makeData({ type: new commonJs.TimestampMicrosecond('UTC'), length: 1, nullCount: 0, data: BigInt64Array.of(1_700_000_000_000_001n) }));
  const foreign = new commonJs.Table({ account_id: commonJs.vectorFromArray([9_007_199_254_740_993n], new commonJs.Int64()), event_timestamp: micros });
  const spine = await toSpine(foreign as unknown as Table, { account_id: int64() }, 'event_timestamp');
  expect(spine.getChild('account_id')!.get(0)).toBe(9_007_199_254_740_993n);
  expect(spine.getChild('event_timestamp')!.data[0]!.values[0]).toBe(1_700_000_000_000_001n);
});
