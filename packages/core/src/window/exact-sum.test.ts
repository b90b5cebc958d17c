import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactSum } from './exact-sum.js';

/** A finite double as an exact integer multiple of 2^-1074 (the smallest subnormal). */
function scaled(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n);
  const value = mantissa << BigInt(Math.max(exponent - 1, 0));
  return negative ? -value : value;
}

/** The next double away from zero in the direction `sign` (±1), as a scaled integer. */
function neighbour(v: number, sign: 1 | -1): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  // Stepping the bit pattern of a non-negative double moves to the adjacent double.
  const away = (v > 0) === (sign > 0);
  if (v === 0) return BigInt(sign);
  view.setBigUint64(0, away ? bits + 1n : bits - 1n);
  return scaled(view.getFloat64(0));
}

/** The result is the exact sum when representable, and otherwise one of the two doubles around it. */
function expectFaithful(v: number, exact: bigint): void {
  const got = scaled(v);
  if (got === exact) return;
  expect(Number.isFinite(v)).toBe(true);
  const lower = got < exact ? got : neighbour(v, -1);
  const upper = got > exact ? got : neighbour(v, 1);
  expect(lower < exact && exact < upper).toBe(true);
}

const doubles = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }),
  fc.constantFrom(1e16, -1e16, 1, 0.1, 2 ** -1074, 2 ** 1000, -(2 ** 1000), 3e-300),
);

describe('ExactSum', () => {
  it('sums exactly, rounding once: adding then removing values in sliding order', () => {
    fc.assert(
      fc.property(fc.array(doubles, { maxLength: 40 }), fc.nat(40), (values, width) => {
        const sum = new ExactSum();
        let exact = 0n;
        values.forEach((x, k) => {
          sum.add(x);
          exact += scaled(x);
          if (k >= width) {
            const gone = values[k - width]!;
            sum.add(-gone);
            exact -= scaled(gone);
          }
          expectFaithful(sum.value(), exact);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps what a compensated sum loses', () => {
    const sum = new ExactSum();
    for (const x of [1e16, 1, 1, 1e-10, -1e16]) sum.add(x);
    expect(sum.value()).toBe(2 + 1e-10);
    for (const x of [-1, -1, -1e-10]) sum.add(x);
    expect(sum.value()).toBe(0);
  });
});
