import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../decimal.js';
import { decimal, int32, int64, list, string, timestamp, float64, bool, date } from '../dtypes.js';
import { InvalidInputError } from '../errors.js';
import { Instant } from '../time/instant.js';
import { rowsToTable, tableToRows } from './rows.js';
import { toArrowType } from '../dtypes.js';

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
    expect(back[0]).toEqual({ ...rows[0], price: new Decimal(-1230n, 2) });
    expect(String(back[0]!.price)).toBe('-12.30');
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

  it('never wraps an int64 or int32: values past the range are refused, naming column, row and value', () => {
    for (const bad of [2n ** 64n + 80n, 2n ** 63n, -(2n ** 63n) - 1n, '18446744073709551696', 1.5, 2 ** 63, true]) {
      expect(() => rowsToTable([{ id: 1n }, { id: bad }], { id: int64() }), String(bad)).toThrow(InvalidInputError);
    }
    expect(() => rowsToTable([{ id: 2n ** 64n + 80n }], { id: int64() })).toThrow("column 'id', row 0: 18446744073709551696n is not an int64 (a whole number in -2^63..2^63-1)");
    for (const bad of [2 ** 31, -(2 ** 31) - 1, 2n ** 32n + 80n, 1.5, true, '2147483648']) {
      expect(() => rowsToTable([{ n: bad }], { n: int32() }), String(bad)).toThrow(/column 'n', row 0: .* is not an int32 \(a whole number in -2\^31\.\.2\^31-1\)/);
    }
    const edges = tableToRows(rowsToTable([{ id: 2n ** 63n - 1n, n: 2 ** 31 - 1 }, { id: -(2n ** 63n), n: -(2 ** 31) }, { id: '-42', n: 7n }], { id: int64(), n: int32() }));
    expect(edges).toEqual([
      { id: 2n ** 63n - 1n, n: 2 ** 31 - 1 },
      { id: -(2n ** 63n), n: -(2 ** 31) },
      { id: -42n, n: 7 },
    ]);
    expect(() => rowsToTable([{ at: 2n ** 63n }], { at: timestamp() })).toThrow(/column 'at', row 0: .* is not an instant within int64 microseconds/);
  });

  it('keeps an int64 iff it is in range, for any bigint (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }), (id) => {
        const inRange = id >= -(2n ** 63n) && id < 2n ** 63n;
        if (inRange) expect(tableToRows(rowsToTable([{ id }], { id: int64() }))[0]!.id).toBe(id);
        else expect(() => rowsToTable([{ id }], { id: int64() })).toThrow(InvalidInputError);
      }),
      { numRuns: RUNS },
    );
  });

  it('gives decimals to JS as exact Decimals and infers a Decimal column as decimal(38, widest scale)', () => {
    const t = rowsToTable([{ amt: Decimal.from('12.3') }, { amt: Decimal.from('0.125') }, { amt: null }, { amt: 5n }, { amt: '-1.5' }], {});
    expect(String(t.schema.fields[0]!.type)).toBe(String(toArrowType(decimal(38, 3))));
    expect(tableToRows(t).map((r) => (r.amt === null ? null : String(r.amt)))).toEqual(['12.300', '0.125', null, '5.000', '-1.500']);
    // Declared decimals take Decimals, strings, bigints and numbers, and refuse digits they would lose or cannot hold.
    const declared = rowsToTable([{ p: Decimal.from('1.50') }, { p: Decimal.from('2.000') }, { p: '3.1' }, { p: 4 }], { p: decimal(5, 2) });
    expect(tableToRows(declared).map((r) => String(r.p))).toEqual(['1.50', '2.00', '3.10', '4.00']);
    expect(() => rowsToTable([{ p: Decimal.from('1.005') }], { p: decimal(5, 2) })).toThrow(/column 'p', row 0: "1.005" is not a decimal with at most 2 digits/);
    expect(() => rowsToTable([{ p: Decimal.from('1234.5') }], { p: decimal(5, 2) })).toThrow(/column 'p', row 0: "1234.5" is not a decimal\(5, 2\)/);
    expect(() => rowsToTable([{ p: new Decimal(1n, 39) }], {})).toThrow(/Decimal128 holds at most 38/);
    // A float column takes a Decimal when declared so (the user asked for a float).
    expect(tableToRows(rowsToTable([{ f: Decimal.from('0.5') }], { f: float64() }))[0]!.f).toBe(0.5);
  });
});
