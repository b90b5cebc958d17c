import { describe, expect, it } from 'vitest';
import { decimal, int64, list, string, timestamp } from '../dtypes.js';
import { Instant } from '../time/instant.js';
import { formatTable } from './format-table.js';
import { rowsToTable } from './rows.js';

describe('formatTable', () => {
  it('prints exact int64, µs timestamps, decimals, lists and nulls in aligned columns', () => {
    const table = rowsToTable(
      [
        { id: 9_007_199_254_740_993n, at: new Instant(1_700_000_000_123_456n), price: '12.30', names: ['a', 'b'], note: null },
        { id: 2n, at: new Instant(0n), price: '-0.05', names: [], note: 'x' },
      ],
      { id: int64(), at: timestamp(), price: decimal(12, 2), names: list(string()), note: string() },
    );
    expect(formatTable(table)).toBe(
      [
        '              id │ at                          │ price │ names  │ note',
        '─────────────────┼─────────────────────────────┼───────┼────────┼─────',
        '9007199254740993 │ 2023-11-14T22:13:20.123456Z │ 12.30 │ [a, b] │ null',
        '               2 │ 1970-01-01T00:00:00Z        │ -0.05 │ []     │ x',
        '(2 rows)',
      ].join('\n'),
    );
  });

  it('says how many rows it did not show', () => {
    const table = rowsToTable(Array.from({ length: 30 }, (_, i) => ({ i: BigInt(i) })), { i: int64() });
    expect(formatTable(table, { maxRows: 2 }).split('\n').at(-1)).toBe('(30 rows, 28 not shown)');
  });
});
