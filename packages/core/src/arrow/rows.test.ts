import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimal, int64, list, string, timestamp, float64, bool, date } from '../dtypes.js';
import { InvalidInputError } from '../errors.js';
import { Instant } from '../time/instant.js';
import { rowsToTable, tableToRows } from './rows.js';

const RUNS = process.env.CI ? 1000 : 200;

describe('rowsToTable / tableToRows', () => {
  it('round-trips every supported dtype exactly, nulls included', () => {
    const columns = {
      id: int64(),
      at: timestamp(),
      price: decimal(12, 2),
      name: string(),
      tags: list(string()),
      score: float64(),
      ok: bool(),
      day: date(),
    };
    const rows = [
      { id: 9_007_199_254_740_993n, at: new Instant(-1n), price: '-12.30', name: 'ü', tags: ['a', 'b'], score: 0.5, ok: true, day: '1969-12-31' },
      { id: null, at: null, price: null, name: null, tags: null, score: null, ok: null, day: null },
    ];
    const back = tableToRows(rowsToTable(rows, columns));
    expect(back[0]).toEqual({ ...rows[0], price: '-12.30' });
    expect((back[0]!.at as Instant).micros).toBe(-1n);
    expect(back[1]).toEqual(rows[1]);
  });

  it('keeps any int64 and any µs timestamp (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }), (id, us) => {
        const [row] = tableToRows(rowsToTable([{ id, at: new Instant(us) }], { id: int64(), at: timestamp() }));
        expect(row!.id).toBe(id);
        expect((row!.at as Instant).micros).toBe(us);
      }),
      { numRuns: RUNS },
    );
  });

  it('infers dtypes from values and names the column and row of a bad value', () => {
    const t = rowsToTable([{ n: 1n, x: 1.5, s: 'a', d: new Date(0) }], {});
    expect(t.schema.fields.map((f) => String(f.type))).toEqual(['Int64', 'Float64', 'Utf8', 'Timestamp<MICROSECOND, UTC>']);
    expect(() => rowsToTable([{ n: 1n }, { n: 'x' }], { n: int64() })).toThrow(InvalidInputError);
    expect(() => rowsToTable([{ p: '1.234' }], { p: decimal(5, 2) })).toThrow(/column 'p', row 0/);
  });
});
