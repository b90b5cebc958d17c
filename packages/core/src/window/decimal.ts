/**
 * Decimal128 values as scaled `bigint`s. Arrow JS stores a Decimal128 as
 * four little-endian 32-bit words of a two's-complement integer; the value
 * is that integer divided by `10^scale`.
 */

/** The scaled integer of row `index` of a Decimal128 `words` buffer. */
export function decimalAt(words: Uint32Array, index: number): bigint {
  const o = index * 4;
  const unsigned =
    (BigInt(words[o + 3]!) << 96n) | (BigInt(words[o + 2]!) << 64n) | (BigInt(words[o + 1]!) << 32n) | BigInt(words[o]!);
  return BigInt.asIntN(128, unsigned);
}

/** Writes a scaled integer into row `index` of a Decimal128 `words` buffer. */
export function writeDecimal(words: Uint32Array, index: number, value: bigint): void {
  let v = BigInt.asUintN(128, value);
  for (let k = 0; k < 4; k++) {
    words[index * 4 + k] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
}

/** `10^n` as a bigint. */
export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/**
 * The exact decimal a JS number literal spells (`0.1` is one tenth, not the
 * binary double nearest to it), as `{ digits, scale }` with value
 * `digits / 10^scale`. That is what a filter `amount > 0.1` on a decimal
 * column means.
 */
export function decimalOfNumber(n: number): { digits: bigint; scale: number } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n));
  if (!m) throw new RangeError(`not a finite number: ${n}`);
  const [, sign, int, frac = '', exp = '0'] = m;
  let digits = BigInt(int! + frac);
  let scale = frac.length - Number(exp);
  if (scale < 0) {
    digits *= pow10(-scale);
    scale = 0;
  }
  return { digits: sign ? -digits : digits, scale };
}

/** The double nearest to `value / 10^scale` (one rounding, by the JS number parser). */
export function decimalToNumber(value: bigint, scale: number): number {
  if (scale === 0) return Number(value);
  const negative = value < 0n;
  const text = (negative ? -value : value).toString().padStart(scale + 1, '0');
  return Number(`${negative ? '-' : ''}${text.slice(0, -scale)}.${text.slice(-scale)}`);
}
