import { describe, expect, it } from 'vitest';
import { canonicalJson } from '@asof/core';

describe('canonicalJson', () => {
  it('sorts keys at every level, keeps array order and drops undefined', () => {
    expect(canonicalJson({ b: [2, { d: 1, c: undefined, a: 'x' }], a: null })).toBe('{"a":null,"b":[2,{"a":"x","d":1}]}');
  });

  it('refuses values JSON cannot hold exactly', () => {
    expect(() => canonicalJson({ a: 1n })).toThrow(/cannot serialise a bigint/);
    expect(() => canonicalJson(Number.NaN)).toThrow(/non-finite/);
  });
});
