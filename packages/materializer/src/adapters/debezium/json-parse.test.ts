import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonNumber, JsonSyntaxError, parseJson } from './json-parse.js';
import { toJsonText } from './json-text.js';

describe('parseJson', () => {
  it('keeps numbers a double cannot hold as their text', () => {
    const value = parseJson('{"a":9223372036854775807,"b":12.30,"c":1E-7,"d":123456789012345,"e":-0,"f":1234567890123456}') as Record<string, unknown>;
    expect(value.a).toEqual(new JsonNumber('9223372036854775807'));
    expect(value.b).toEqual(new JsonNumber('12.30'));
    expect(value.c).toEqual(new JsonNumber('1E-7'));
    expect(value.d).toBe(123456789012345);
    expect(value.e).toEqual(new JsonNumber('-0'));
    expect(value.f).toEqual(new JsonNumber('1234567890123456'));
  });

  it('reads what JSON.parse reads, apart from those numbers', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const ours = JSON.parse(toJsonText(parseJson(text)));
        expect(ours).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('escapes, surrogate pairs, control characters as escapes, whitespace', () => {
    expect(parseJson(' { "s" :\t"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00" } \r\n')).toEqual(Object.assign(Object.create(null), { s: 'a"b\\c/d\b\f\n\r\té😀' }));
  });

  it('makes objects without a prototype, so __proto__ is only a key', () => {
    const value = parseJson('{"__proto__":{"polluted":true},"constructor":1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['', 'the text ended'],
    ['{"a":1,}', 'expected a string key'],
    ['[1 2]', "expected ',' or ']'"],
    ['"a\tb"', 'control character'],
    ['"abc', 'unterminated'],
    ['01', 'unexpected text'],
    ['1.', 'after the decimal point'],
    ['-', 'expected a digit'],
    ['{"a":1} x', 'unexpected text'],
    ['"\\x"', 'bad escape'],
    ['"\\u12g4"', 'bad \\u escape'],
    ['NaN', 'expected a JSON value'],
    ['[' .repeat(600), 'nesting deeper'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(() => parseJson(text)).toThrow(JsonSyntaxError);
    expect(() => parseJson(text)).toThrow(reason);
  });
});

describe('toJsonText', () => {
  it('writes bigints and JsonNumbers exactly, toJSON values as they return', () => {
    expect(toJsonText({ a: 2n ** 64n, b: new JsonNumber('1.50'), c: [undefined, null], d: undefined, e: { toJSON: () => '12.30' } })).toBe(
      '{"a":18446744073709551616,"b":1.50,"c":[null,null],"e":"12.30"}',
    );
  });
});
