import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, isDecimal } from './decimal.js';
import { InvalidInputError } from './errors.js';

const RUNS = process.env.CI ? 1000 : 300;
const pow = (s: number) => 10n ** BigInt(s);

// The oracle: a decimal is the fraction unscaled / 10^scale; equal fractions cross-multiply equal.
const sameFraction = (d: Decimal, num: bigint, den: bigint) => d.unscaled * den === num * pow(d.scale);

const decimalArb = fc.record({ unscaled: fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), scale: fc.integer({ min: 0, max: 20 }) }).map(({ unscaled, scale }) => new Decimal(unscaled, scale));

describe('Decimal', () => {
  it('prints exactly with every digit of its scale, and parses back to itself', () => {
    expect(new Decimal(1230n, 2).toString()).toBe('12.30');
    expect(new Decimal(-5n, 2).toString()).toBe('-0.05');
    expect(new Decimal(7n).toString()).toBe('7');
    expect(new Decimal(0n, 3).toString()).toBe('0.000');
    expect(JSON.stringify({ price: new Decimal(1230n, 2) })).toBe('{"price":"12.30"}');
    fc.assert(
      fc.property(decimalArb, (d) => {
        const back = Decimal.parse(d.toString());
        expect([back.unscaled, back.scale]).toEqual([d.unscaled, d.scale]);
      }),
      { numRuns: RUNS },
    );
  });

  it('reads text, numbers and bigints exactly: the scale as written, a number as the decimal it spells', () => {
    const cases: [Parameters<typeof Decimal.from>[0], string][] = [
      ['12.30', '12.30'],
      [' -0.5 ', '-0.5'],
      ['+.25', '0.25'],
      ['7.', '7'],
      ['1.5E+3', '1500'],
      ['12.5e-3', '0.0125'],
      [0.1, '0.1'],
      [-0, '0'],
      [1e21, '1000000000000000000000'],
      [1e-7, '0.0000001'],
      [18565.579999999998, '18565.579999999998'],
      [12n, '12'],
    ];
    for (const [input, text] of cases) expect(Decimal.from(input).toString(), String(input)).toBe(text);
    for (const bad of ['', '.', '1.2.3', '1e', 'abc', '0x10', '1,5']) expect(() => Decimal.parse(bad), bad).toThrow(InvalidInputError);
    for (const bad of [NaN, Infinity, -Infinity]) expect(() => Decimal.from(bad)).toThrow(/not a finite number/);
    expect(() => Decimal.from({} as never)).toThrow(InvalidInputError);
    expect(() => new Decimal(1n, -1)).toThrow(/scale must be a whole number >= 0/);
    expect(() => new Decimal(1 as never, 0)).toThrow(/unscaled must be a bigint/);
  });

  it('adds, subtracts and multiplies exactly (property, against fractions)', () => {
    fc.assert(
      fc.property(decimalArb, decimalArb, (x, y) => {
        const [dx, dy] = [pow(x.scale), pow(y.scale)];
        const sum = x.plus(y);
        expect(sum.scale).toBe(Math.max(x.scale, y.scale));
        expect(sameFraction(sum, x.unscaled * dy + y.unscaled * dx, dx * dy)).toBe(true);
        expect(sameFraction(x.minus(y), x.unscaled * dy - y.unscaled * dx, dx * dy)).toBe(true);
        const product = x.times(y);
        expect(product.scale).toBe(x.scale + y.scale);
        expect(sameFraction(product, x.unscaled * y.unscaled, dx * dy)).toBe(true);
        expect(sameFraction(x.negate(), -x.unscaled, dx)).toBe(true);
        const cmp = x.unscaled * dy - y.unscaled * dx;
        expect(x.compare(y)).toBe(cmp < 0n ? -1 : cmp > 0n ? 1 : 0);
        expect(x.equals(y)).toBe(cmp === 0n);
      }),
      { numRuns: RUNS },
    );
    expect(Decimal.from('12.30').times(3).toString()).toBe('36.90');
    expect(Decimal.from('0.1').plus(0.2).toString()).toBe('0.3');
    expect(Decimal.from('1.50').equals('1.5')).toBe(true);
    expect(Decimal.from('-2.50').abs().toString()).toBe('2.50');
    expect([Decimal.from('-1').sign, Decimal.from('0.00').sign, Decimal.from('3').sign]).toEqual([-1, 0, 1]);
  });

  it('rounds half-even, half-up and down (property, against the nearest candidates)', () => {
    fc.assert(
      fc.property(decimalArb, fc.integer({ min: 0, max: 20 }), fc.constantFrom('half-even', 'half-up', 'down') as fc.Arbitrary<'half-even' | 'half-up' | 'down'>, (x, scale, mode) => {
        const r = x.round(scale, mode);
        expect(r.scale).toBe(scale);
        if (scale >= x.scale) {
          expect(r.equals(x)).toBe(true);
          return;
        }
        // Candidates floor(x) and floor(x) + 1 at the target scale, compared by distance in units of 10^-x.scale.
        const f = pow(x.scale - scale);
        const floor = x.unscaled >= 0n ? x.unscaled / f : -((-x.unscaled + f - 1n) / f);
        const below = x.unscaled - floor * f; // distance to floor, 0 <= below < f
        const above = f - below;
        let want: bigint;
        if (below === 0n) want = floor;
        else if (mode === 'down') want = x.unscaled >= 0n ? floor : floor + 1n;
        else if (below < above) want = floor;
        else if (below > above) want = floor + 1n;
        else if (mode === 'half-up') want = x.unscaled >= 0n ? floor + 1n : floor;
        else want = floor % 2n === 0n ? floor : floor + 1n;
        expect(r.unscaled).toBe(want);
      }),
      { numRuns: RUNS },
    );
    expect(Decimal.from('2.345').round(2).toString()).toBe('2.34');
    expect(Decimal.from('2.345').round(2, 'half-up').toString()).toBe('2.35');
    expect(Decimal.from('-2.345').round(2, 'half-up').toString()).toBe('-2.35');
    expect(Decimal.from('-2.349').round(2, 'down').toString()).toBe('-2.34');
  });

  it('changes scale only without losing digits', () => {
    expect(Decimal.from('12.3').withScale(3).toString()).toBe('12.300');
    expect(Decimal.from('12.300').withScale(1).toString()).toBe('12.3');
    expect(() => Decimal.from('12.34').withScale(1)).toThrow(/more than 1 digits after the point; round it explicitly with \.round\(1\)/);
  });

  it('compares with numbers in user code through valueOf, and is immutable', () => {
    const price = Decimal.from('10.05');
    const asJs = price as unknown as number; // what plain JS code does with a row value
    expect(asJs > 10).toBe(true);
    expect(asJs < 10.1).toBe(true);
    expect(price.compare(10) > 0).toBe(true);
    expect(Number(price)).toBe(10.05);
    expect(price.toNumber()).toBe(10.05);
    expect([Decimal.from('3'), Decimal.from('-1.5'), Decimal.from('2')].sort((a, b) => a.compare(b)).map(String)).toEqual(['-1.5', '2', '3']);
    expect(Object.isFrozen(price)).toBe(true);
    expect(() => ((price as { scale: number }).scale = 5)).toThrow(TypeError);
  });

  it('is recognised across copies of the library by its brand', () => {
    const foreign = Object.freeze(Object.assign(Object.create(null) as object, { unscaled: 5n, scale: 1, [Symbol.for('asof.decimal')]: true }));
    expect(isDecimal(foreign)).toBe(true);
    expect(Decimal.from(foreign as unknown as Decimal).plus(1).toString()).toBe('1.5');
    expect(isDecimal({ unscaled: 5n, scale: 1 })).toBe(false);
    expect(isDecimal('1.5')).toBe(false);
  });
});
