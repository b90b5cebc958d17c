import { InvalidInputError } from './errors.js';

/** What {@link Decimal.from} and the arithmetic methods take: a Decimal, an integer `bigint`, a finite number (the decimal it spells) or decimal text. */
export type DecimalInput = Decimal | bigint | number | string;

/** How {@link Decimal.round} breaks ties. */
export type RoundingMode = 'half-even' | 'half-up' | 'down';

// A brand rather than `instanceof` alone: a definitions module loaded from a
// second copy of @asof/core (dist next to src) still makes Decimals this copy recognises.
const BRAND = Symbol.for('asof.decimal');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * An exact decimal: an integer `unscaled` and a `scale`, the value being
 * `unscaled / 10^scale` (`new Decimal(1230n, 2)` is 12.30). Immutable. It is
 * how asof hands DECIMAL values to JS code (row transforms, `toArray()`,
 * online rows), so money is never a binary float by accident:
 *
 * - `toString()` / `toJSON()` are exact and keep the scale (`"12.30"`);
 * - `valueOf()` is the nearest number, so `row.price > 10` works in plain JS
 *   (TypeScript wants `Number(row.price) > 10` or `row.price.compare(10) > 0`;
 *   arithmetic operators give numbers: use the methods);
 * - `plus`, `minus`, `times` and `negate` are exact (`times` adds the scales),
 *   `round` and `withScale` change the scale on purpose.
 *
 * `rowsToTable` stores a column of Decimals as `decimal(38, s)`, `s` the
 * widest scale among its values.
 */
export class Decimal {
  /** The value times `10^scale`, exact. */
  readonly unscaled: bigint;
  /** Digits after the point, `>= 0`. */
  readonly scale: number;

  constructor(unscaled: bigint, scale = 0) {
    if (typeof unscaled !== 'bigint') throw new InvalidInputError(`Decimal: unscaled must be a bigint, got ${typeof unscaled}`);
    if (!Number.isSafeInteger(scale) || scale < 0) throw new InvalidInputError(`Decimal: scale must be a whole number >= 0, got ${String(scale)}`);
    this.unscaled = unscaled;
    this.scale = scale;
    Object.defineProperty(this, BRAND, { value: true });
    Object.freeze(this);
  }

  /**
   * A Decimal from any {@link DecimalInput}: text keeps the scale it is
   * written with (`"12.30"` has scale 2; exponents such as `"1.5E+3"` are
   * read exactly), a number is the decimal its shortest text spells (`0.1`
   * is one tenth), a bigint has scale 0. Anything else, NaN or ±Infinity is
   * an {@link InvalidInputError}.
   */
  static from(value: DecimalInput): Decimal {
    if (value instanceof Decimal) return value;
    if (isDecimal(value)) return new Decimal((value as Decimal).unscaled, (value as Decimal).scale);
    if (typeof value === 'bigint') return new Decimal(value, 0);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new InvalidInputError(`Decimal: ${value} is not a finite number`);
      return Decimal.parse(String(value));
    }
    if (typeof value === 'string') return Decimal.parse(value);
    throw new InvalidInputError(`Decimal: cannot make a decimal from ${describe(value)}`);
  }

  /** Parses decimal text (`-12.30`, `.5`, `1.5E+3`); see {@link Decimal.from}. */
  static parse(text: string): Decimal {
    const m = typeof text === 'string' ? TEXT.exec(text.trim()) : null;
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new InvalidInputError(`Decimal: ${describe(text)} is not a decimal number`);
    const [, sign, int = '', frac = '', exp = '0'] = m;
    let digits = BigInt(int + frac || '0');
    let scale = frac.length - Number(exp);
    if (!Number.isSafeInteger(scale)) throw new InvalidInputError(`Decimal: the exponent of ${describe(text)} is out of range`);
    if (scale < 0) {
      digits *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return new Decimal(sign === '-' ? -digits : digits, scale);
  }

  /** `this + other`, exact; the result has the larger scale. */
  plus(other: DecimalInput): Decimal {
    const o = Decimal.from(other);
    const scale = Math.max(this.scale, o.scale);
    return new Decimal(this.rescaled(scale) + o.rescaled(scale), scale);
  }

  /** `this - other`, exact; the result has the larger scale. */
  minus(other: DecimalInput): Decimal {
    return this.plus(Decimal.from(other).negate());
  }

  /** `this × other`, exact; the result's scale is the sum of the scales (12.30 × 3 = 36.90). */
  times(other: DecimalInput): Decimal {
    const o = Decimal.from(other);
    return new Decimal(this.unscaled * o.unscaled, this.scale + o.scale);
  }

  /** `-this`, same scale. */
  negate(): Decimal {
    return new Decimal(-this.unscaled, this.scale);
  }

  /** `|this|`, same scale. */
  abs(): Decimal {
    return this.unscaled < 0n ? this.negate() : this;
  }

  /** -1, 0 or 1 as `this` is below, equal to or above `other` (by value: 1.50 equals 1.5). */
  compare(other: DecimalInput): -1 | 0 | 1 {
    const o = Decimal.from(other);
    const scale = Math.max(this.scale, o.scale);
    const a = this.rescaled(scale);
    const b = o.rescaled(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Equality by value (`1.50` equals `1.5`); see {@link Decimal.compare}. */
  equals(other: DecimalInput): boolean {
    return this.compare(other) === 0;
  }

  /** -1, 0 or 1. */
  get sign(): -1 | 0 | 1 {
    return this.unscaled < 0n ? -1 : this.unscaled > 0n ? 1 : 0;
  }

  /**
   * The same value with `scale` digits after the point. Widening is always
   * exact; narrowing is allowed only when the dropped digits are zero, else
   * an {@link InvalidInputError} (use {@link Decimal.round} to round on purpose).
   */
  withScale(scale: number): Decimal {
    checkScale(scale);
    if (scale >= this.scale) return scale === this.scale ? this : new Decimal(this.rescaled(scale), scale);
    const factor = 10n ** BigInt(this.scale - scale);
    if (this.unscaled % factor !== 0n) {
      throw new InvalidInputError(`Decimal: ${this.toString()} has more than ${scale} digits after the point; round it explicitly with .round(${scale})`);
    }
    return new Decimal(this.unscaled / factor, scale);
  }

  /**
   * Rounds to `scale` digits after the point: ties to even by default (no
   * drift when many amounts are rounded), `half-up` away from zero as SQL's
   * ROUND does, `down` toward zero.
   */
  round(scale: number, mode: RoundingMode = 'half-even'): Decimal {
    checkScale(scale);
    if (scale >= this.scale) return this.withScale(scale);
    const factor = 10n ** BigInt(this.scale - scale);
    const negative = this.unscaled < 0n;
    const magnitude = negative ? -this.unscaled : this.unscaled;
    let q = magnitude / factor;
    const r = magnitude % factor;
    if (mode !== 'down' && r !== 0n) {
      const twice = r * 2n;
      if (twice > factor || (twice === factor && (mode === 'half-up' || q % 2n === 1n))) q += 1n;
    }
    return new Decimal(negative ? -q : q, scale);
  }

  /** The nearest double (one rounding). */
  toNumber(): number {
    return Number(this.toString());
  }

  /** The nearest double, so comparisons with numbers work in user code. */
  valueOf(): number {
    return this.toNumber();
  }

  /** Exact text with `scale` digits after the point: `"12.30"`, `"-0.05"`, `"7"`. */
  toString(): string {
    const negative = this.unscaled < 0n;
    const digits = (negative ? -this.unscaled : this.unscaled).toString();
    if (this.scale === 0) return `${negative ? '-' : ''}${digits}`;
    const padded = digits.padStart(this.scale + 1, '0');
    return `${negative ? '-' : ''}${padded.slice(0, -this.scale)}.${padded.slice(-this.scale)}`;
  }

  /** The exact text, so JSON keeps every digit. */
  toJSON(): string {
    return this.toString();
  }

  /** How Node's `console.log` shows it: `Decimal(12.30)`. */
  [INSPECT](): string {
    return `Decimal(${this.toString()})`;
  }

  private rescaled(scale: number): bigint {
    return scale === this.scale ? this.unscaled : this.unscaled * 10n ** BigInt(scale - this.scale);
  }
}

/** Whether a value is a {@link Decimal} (from this or another copy of @asof/core). */
export function isDecimal(value: unknown): value is Decimal {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

function checkScale(scale: number): void {
  if (!Number.isSafeInteger(scale) || scale < 0) throw new InvalidInputError(`Decimal: scale must be a whole number >= 0, got ${String(scale)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  return value === null ? 'null' : typeof value === 'object' ? Object.prototype.toString.call(value) : String(value);
}
