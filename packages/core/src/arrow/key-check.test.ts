import fc from 'fast-check';
import { Dictionary, Int32, Int64, Int8, makeData, makeVector, Uint32, Uint64, Utf8, vectorFromArray, type DataType, type Vector } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { int32, int64, string } from '../dtypes.js';
import { InvalidKeyError } from '../errors.js';
import { checkKeyValue, checkKeyVector } from './key-check.js';

const RUNS = process.env.CI ? 1000 : 200;
const context = { source: 'entities', entity: 'account' };
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A vector of raw 64-bit values (the typed array's own wrapping is what the check must see through). */
function wide(type: Int64 | Uint64, values: readonly bigint[]): Vector {
  const data = type instanceof Uint64 ? BigUint64Array.from(values, (v) => BigInt.asUintN(64, v)) : BigInt64Array.from(values, (v) => BigInt.asIntN(64, v));
  return makeVector(makeData({ type: type as DataType, length: values.length, data } as never));
}

function thrown(f: () => unknown): InvalidKeyError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidKeyError);
    return error as InvalidKeyError;
  }
  throw new Error('expected an InvalidKeyError');
}

describe('checkKeyValue', () => {
  it('accepts keys of the declared type and normalises int64 to bigint', () => {
    expect(checkKeyValue(42, int64(), 'k', 0, context)).toBe(42n);
    expect(checkKeyValue(INT64_MAX, int64(), 'k', 0, context)).toBe(INT64_MAX);
    expect(checkKeyValue(-(2n ** 31n), int32(), 'k', 0, context)).toBe(-(2 ** 31));
    expect(checkKeyValue('', string(), 'k', 0, context)).toBe('');
  });
  it('refuses everything else, naming column, row, value and type', () => {
    const e = thrown(() => checkKeyValue(2n ** 64n + 80n, int64(), 'account_id', 7, context));
    expect(e.message).toBe("entities column 'account_id', row 7: 18446744073709551696n (bigint) is not an int64 key (a bigint or a whole number in -2^63..2^63-1) of entity 'account'");
    expect([e.column, e.row, e.value, e.keyType, e.code]).toEqual(['account_id', 7, 2n ** 64n + 80n, 'int64', 'INVALID_INPUT']);
    for (const [value, dtype] of [
      [1.5, int64()],
      ['80', int64()],
      [null, int64()],
      [2 ** 31, int32()],
      [true, int32()],
      [80, string()],
      [null, string()],
      [NaN, int64()],
    ] as const) {
      expect(() => checkKeyValue(value, dtype, 'k', 0, context), `${String(value)} as ${dtype.kind}`).toThrow(InvalidKeyError);
    }
  });
  it('accepts an integer iff it is in the key range (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }), fc.boolean(), (n, narrow) => {
        const [lo, hi] = narrow ? [-(2n ** 31n), 2n ** 31n - 1n] : [INT64_MIN, INT64_MAX];
        const ok = n >= lo && n <= hi;
        const run = () => checkKeyValue(n, narrow ? int32() : int64(), 'k', 0, context);
        if (ok) expect(BigInt(run())).toBe(n);
        else expect(run).toThrow(InvalidKeyError);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('checkKeyVector', () => {
  it('refuses a Uint64 past 2^63 for an int64 key, and an Int64 or Uint32 past 2^31 for an int32 key', () => {
    const e = thrown(() => checkKeyVector(wide(new Uint64(), [1n, 2n ** 63n + 80n]), int64(), 'account_id', context));
    expect(e.message).toContain("row 1: 9223372036854775888n (Uint64) is not an int64 key");
    expect(thrown(() => checkKeyVector(wide(new Int64(), [0n, 1n, 2n ** 31n]), int32(), 'shop_id', context)).row).toBe(2);
    expect(thrown(() => checkKeyVector(wide(new Int64(), [-(2n ** 31n) - 1n]), int32(), 'shop_id', context)).row).toBe(0);
    expect(thrown(() => checkKeyVector(vectorFromArray([1, 2 ** 31], new Uint32()), int32(), 'shop_id', context)).row).toBe(1);
    expect(thrown(() => checkKeyVector(wide(new Uint64(), [2n ** 31n]), int32(), 'shop_id', context)).row).toBe(0);
  });
  it('accepts narrower integers, and strings plain or dictionary-encoded', () => {
    checkKeyVector(vectorFromArray([-128, 127], new Int8()), int64(), 'k', context);
    checkKeyVector(vectorFromArray([-(2 ** 31), 2 ** 31 - 1], new Int32()), int32(), 'k', context);
    checkKeyVector(vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32())), string(), 'k', context);
  });
  it('refuses nulls and wrong column types', () => {
    expect(thrown(() => checkKeyVector(vectorFromArray([1n, null], new Int64()), int64(), 'k', context)).message).toMatch(/row 1: null is not an int64 key .*every row needs its key/);
    expect(thrown(() => checkKeyVector(vectorFromArray(['a', null], new Utf8()), string(), 'k', context)).row).toBe(1);
    expect(thrown(() => checkKeyVector(vectorFromArray([1.5]), int64(), 'k', context)).row).toBeNull();
    expect(thrown(() => checkKeyVector(vectorFromArray([1n], new Int64()), string(), 'k', context)).message).toMatch(/is Int64; expected strings/);
  });
  it('finds the first out-of-range value of any 64-bit column across chunks (property)', () => {
    const value = fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n });
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 6 }), { maxLength: 4 }), fc.boolean(), fc.boolean(), (chunks, unsigned, narrow) => {
        const type = unsigned ? new Uint64() : new Int64();
        // What the column holds, as the reader sees it: the 64 bits, read signed or unsigned.
        const held = chunks.map((c) => c.map((v) => (unsigned ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v))));
        const vector = chunks.length === 0 ? wide(type, []) : held.map((c) => wide(type, c)).reduce((a, b) => a.concat(b));
        const [lo, hi] = narrow ? [-(2n ** 31n), 2n ** 31n - 1n] : [INT64_MIN, INT64_MAX];
        const firstBad = held.flat().findIndex((v) => v < lo || v > hi);
        const run = () => checkKeyVector(vector, narrow ? int32() : int64(), 'k', context);
        if (firstBad < 0) expect(run).not.toThrow();
        else expect(thrown(run).row).toBe(firstBad);
      }),
      { numRuns: RUNS },
    );
  });
});
