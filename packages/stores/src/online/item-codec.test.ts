import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimal, Decimal, float64, int32, int64, InvalidInputError, list, StoreReadError, string, timestamp, type OnlineView } from '@asof/core';
import { decodeValue, encodeValue, entityKey, MAX_KEY_BYTES } from './item-codec.js';
import { expiresAtSeconds, isNewer } from './online-rows.js';

const composite: OnlineView = { name: 'v', keys: { a: int64(), b: string(), c: int32() }, features: {}, ttlMs: null };

describe('entity keys', () => {
  it('are <view>#<parts>, integers canonical, strings as JSON literals', () => {
    expect(entityKey(composite, { a: 42n, b: 'x#y', c: -1 })).toEqual({ pk: 'v#42#"x#y"#-1', key: { a: 42n, b: 'x#y', c: -1 } });
    expect(entityKey(composite, { a: '-0009223372036854775808', b: '', c: '7' }).pk).toBe('v#-9223372036854775808#""#7');
    expect(() => entityKey(composite, { a: 2n ** 63n, b: '', c: 1 })).toThrow(InvalidInputError);
    expect(() => entityKey(composite, { a: 1n, b: 'x', c: 2 ** 31 })).toThrow(/int32/);
    expect(() => entityKey(composite, { a: 1n, b: 5, c: 1 })).toThrow(/string/);
    expect(() => entityKey(composite, { a: 1n, b: 'x'.repeat(MAX_KEY_BYTES), c: 1 })).toThrow(/longer than/);
  });

  it('are injective: different composite keys never share a partition key', () => {
    const key = fc.record({ a: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), b: fc.string({ unit: fc.constantFrom('#', '"', '\\', 'a', '1', '-', 'ü') }), c: fc.integer({ min: -5, max: 5 }) });
    fc.assert(
      fc.property(key, key, (x, y) => {
        const same = x.a === y.a && x.b === y.b && x.c === y.c;
        expect(entityKey(composite, x).pk === entityKey(composite, y).pk).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('values', () => {
  it('keep doubles exact, in N where DynamoDB can hold them and in S where it cannot', () => {
    expect(encodeValue(0.1, float64(), 'x')).toEqual({ N: '0.1' });
    expect(encodeValue(-0, float64(), 'x')).toEqual({ S: '-0' });
    expect(encodeValue(1e-200, float64(), 'x')).toEqual({ S: '1e-200' });
    expect(encodeValue(Number.NaN, float64(), 'x')).toEqual({ S: 'NaN' });
    fc.assert(
      fc.property(fc.double(), (x) => {
        const back = decodeValue(encodeValue(x, float64(), 'x'), float64(), 'x');
        expect(Object.is(back, x)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('read decimals back at their scale whatever form DynamoDB returns them in', () => {
    const d = decimal(12, 2);
    expect(encodeValue('12.3', d, 'x')).toEqual({ N: '12.30' });
    // Read back as exact Decimals at the dtype's scale (not strings: a transform or model gets a number-like value).
    const back = (n: string) => decodeValue({ N: n }, d, 'x') as Decimal;
    expect(back('12.3')).toBeInstanceOf(Decimal);
    expect([back('12.3'), back('1.5E+3'), back('-0.01')].map((v) => [v.unscaled, v.scale])).toEqual([[1230n, 2], [150000n, 2], [-1n, 2]]);
    expect(String(back('12.3'))).toBe('12.30');
    expect(encodeValue(Decimal.from('12.3'), d, 'x')).toEqual({ N: '12.30' });
    expect(encodeValue(Decimal.from('12.300'), d, 'x')).toEqual({ N: '12.30' });
    expect(() => encodeValue(Decimal.from('12.305'), d, 'x')).toThrow(/Decimal\(12.305\) is not a decimal with at most 2 digits/);
    expect(() => encodeValue('1.234', d, 'x')).toThrow(/at most 2 digits/);
    expect(() => encodeValue('12345678901.00', d, 'x')).toThrow(/decimal\(12, 2\)/);
  });

  it('name the value when it does not fit its dtype, and the stored value when it was written with another dtype', () => {
    expect(() => encodeValue(1.5, int64(), 'view v, feature f, row 3')).toThrow(/feature f, row 3: 1.5 is not an int64/);
    expect(() => encodeValue(['a', 1], list(string()), 'f')).toThrow(/f\[1\]/);
    expect(() => encodeValue('2024-03-01', timestamp(), 'f')).toThrow(InvalidInputError);
    expect(() => decodeValue({ S: '1' }, int64(), 'key v#1, feature f')).toThrow(StoreReadError);
  });
});

describe('ordering and expiry', () => {
  it('orders by event time, then created time with null lowest', () => {
    expect(isNewer({ eventTs: 2n, createdTs: null }, { eventTs: 1n, createdTs: 9n })).toBe(true);
    expect(isNewer({ eventTs: 1n, createdTs: 1n }, { eventTs: 1n, createdTs: null })).toBe(true);
    expect(isNewer({ eventTs: 1n, createdTs: null }, { eventTs: 1n, createdTs: null })).toBe(false);
    expect(isNewer({ eventTs: 1n, createdTs: 5n }, { eventTs: 1n, createdTs: 5n })).toBe(false);
  });

  it('sets the TTL attribute strictly after the last instant a read returns the row', () => {
    expect(expiresAtSeconds(1_000_000n, 1000)).toBe(3n); // last present at 2.000000 s
    expect(expiresAtSeconds(1_500_000n, 1000)).toBe(3n);
    expect(expiresAtSeconds(-2_500_000n, 0)).toBe(-2n);
  });
});
