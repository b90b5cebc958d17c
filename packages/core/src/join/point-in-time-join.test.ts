import { makeData, makeVector, Table, TimeUnit, Timestamp, vectorFromArray, Int64, Utf8, Float64 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { pointInTimeJoin } from './point-in-time-join.js';

const ts = (us: bigint[]) =>
  makeVector(makeData({ type: new Timestamp(TimeUnit.MICROSECOND, 'UTC'), length: us.length, data: BigInt64Array.from(us) }));

describe('pointInTimeJoin (smoke)', () => {
  it('picks the latest row at or before t per key, in spine order', () => {
    const spine = new Table({
      id: vectorFromArray([1n, 2n, 1n, 3n], new Int64()),
      t: ts([10n, 10n, 5n, 10n]),
    });
    const rows = new Table({
      id: vectorFromArray([1n, 1n, 2n], new Int64()),
      event_ts: ts([4n, 8n, 11n]),
      v: vectorFromArray([1.5, 2.5, 3.5], new Float64()),
      name: vectorFromArray(['a', 'b', 'c'], new Utf8()),
    });
    const out = pointInTimeJoin(spine, rows, { keys: ['id'], spineTime: 't', eventTime: 'event_ts' });
    expect(out.numRows).toBe(4);
    expect(out.getChild('v')!.toArray()).toEqual(new Float64Array([2.5, 0, 1.5, 0]));
    expect([...out.getChild('v')!].map((x) => x)).toEqual([2.5, null, 1.5, null]);
    expect([...out.getChild('name')!]).toEqual(['b', null, 'a', null]);
  });
});
