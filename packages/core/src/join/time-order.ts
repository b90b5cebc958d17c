/**
 * Exact, fast ordering of microsecond timestamps. Comparing `bigint`s in a
 * hot loop allocates; doubles do not. Every instant within ±2^53 µs of 1970
 * (years 1685..2255) is an exact double, so the common case converts each
 * value once from its two 32-bit halves. Wider inputs (year 9999, year 1)
 * are mapped to their dense ranks instead, which keeps order and equality.
 */

const SAFE = 2 ** 53;
const TWO_32 = 2 ** 32;

/** Input to {@link toOrderKeys}: µs columns, with `valid[i] === 0` marking nulls. */
export interface MicrosInput {
  readonly micros: BigInt64Array;
  readonly valid: Uint8Array | null;
}

/**
 * Converts several µs columns, plus scalar bounds, to doubles that order
 * exactly like the original instants (nulls become `NaN`). All outputs share
 * one scale, so values from different columns compare correctly. `offsets`
 * are per-column values subtracted before ordering (e.g. a TTL), applied
 * exactly in `bigint` space.
 */
export function toOrderKeys(
  columns: readonly MicrosInput[],
  scalars: readonly bigint[],
  shifted: readonly { column: number; minus: bigint }[] = [],
): { columns: Float64Array[]; scalars: number[]; shifted: Float64Array[] } {
  const fast = allSafe(columns, scalars, shifted);
  if (fast) {
    return {
      columns: columns.map((c) => toDoubles(c, 0)),
      scalars: scalars.map((s) => Number(s)),
      shifted: shifted.map((s) => toDoubles(columns[s.column]!, Number(s.minus))),
    };
  }
  return ranked(columns, scalars, shifted);
}

function allSafe(columns: readonly MicrosInput[], scalars: readonly bigint[], shifted: readonly { column: number; minus: bigint }[]): boolean {
  const limit = BigInt(SAFE);
  for (const s of scalars) if (s >= limit || s <= -limit) return false;
  let maxShift = 0n;
  for (const s of shifted) if (s.minus > maxShift || -s.minus > maxShift) maxShift = s.minus < 0n ? -s.minus : s.minus;
  if (maxShift >= limit / 2n) return false;
  // |v| < 2^52 leaves room for a shift of up to 2^52 without leaving 2^53.
  const bound = maxShift > 0n ? 2 ** 52 : SAFE;
  for (const c of columns) {
    const halves = new Int32Array(c.micros.buffer, c.micros.byteOffset, c.micros.length * 2);
    for (let i = 0; i < c.micros.length; i++) {
      if (c.valid && !c.valid[i]) continue;
      const v = halves[2 * i + 1]! * TWO_32 + (halves[2 * i]! >>> 0);
      if (v >= bound || v <= -bound) return false;
    }
  }
  return true;
}

function toDoubles(c: MicrosInput, minus: number): Float64Array {
  const n = c.micros.length;
  const out = new Float64Array(n);
  const halves = new Int32Array(c.micros.buffer, c.micros.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    out[i] = c.valid && !c.valid[i] ? NaN : halves[2 * i + 1]! * TWO_32 + (halves[2 * i]! >>> 0) - minus;
  }
  return out;
}

function ranked(
  columns: readonly MicrosInput[],
  scalars: readonly bigint[],
  shifted: readonly { column: number; minus: bigint }[],
): { columns: Float64Array[]; scalars: number[]; shifted: Float64Array[] } {
  const shiftedMicros = shifted.map((s) => {
    const src = columns[s.column]!;
    const out = new BigInt64Array(src.micros.length);
    for (let i = 0; i < out.length; i++) out[i] = src.micros[i]! - s.minus;
    return { micros: out, valid: src.valid };
  });
  const all = [...columns, ...shiftedMicros];
  let total = scalars.length;
  for (const c of all) total += c.micros.length;
  const sorted = new BigInt64Array(total);
  let pos = 0;
  for (const c of all) {
    sorted.set(c.micros, pos);
    pos += c.micros.length;
  }
  sorted.set(scalars, pos);
  sorted.sort();
  const rank = (v: bigint): number => {
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const convert = (c: MicrosInput): Float64Array => {
    const out = new Float64Array(c.micros.length);
    for (let i = 0; i < out.length; i++) out[i] = c.valid && !c.valid[i] ? NaN : rank(c.micros[i]!);
    return out;
  };
  return { columns: columns.map(convert), scalars: scalars.map(rank), shifted: shiftedMicros.map(convert) };
}
