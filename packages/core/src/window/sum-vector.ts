import type { Vector } from 'apache-arrow';
import type { Aggregation } from '../definitions/aggregation.js';
import { toArrowType, type DecimalDType } from '../dtypes.js';
import { DefinitionError, InvalidInputError } from '../errors.js';
import type { WindowRanges } from './change-points.js';
import type { ValueFamily } from './columns.js';
import { decimalAt, decimalToNumber, pow10, writeDecimal } from './decimal.js';
import { fixedVector, float64Vector } from './arrow-out.js';
import { windowCounts } from './kernels.js';
import { readDecimalWords, readFloats, readIntLimbs } from './numeric-input.js';
import { windowBigIntSums, windowFloatSums, windowIntSums } from './sum-kernels.js';

const TWO_32 = 2 ** 32;
const TWO_31 = 2 ** 31;

/** What a `sum` or `avg` needs: the column, its rows in sorted order and which of them count. */
export interface SumInput {
  readonly spec: Aggregation;
  readonly vector: Vector;
  readonly family: ValueFamily;
  /** Input row at each sorted position. */
  readonly rows: Int32Array;
  /** Per sorted position: 1 if the event passes the filter and its value is not null. */
  readonly include: Uint8Array;
  readonly ranges: WindowRanges;
  readonly context: string;
}

/**
 * The `sum` or `avg` column: null where the window holds no value. Integer
 * inputs sum exactly (limbs) and fail on overflow of the output type;
 * decimals sum exactly as scaled `bigint`s into a decimal (or, at scale 0,
 * an integer) output, never a float64 one; floats sum exactly too (see
 * `ExactSum`) and round once. `avg` is that sum divided by the count.
 */
export function sumVector(input: SumInput): Vector {
  const { spec, family, include, ranges, context } = input;
  const kind = spec.fn === 'avg' ? 'avg' : spec.dtype.kind;
  const counts = windowCounts(include, ranges);
  const valid = new Uint8Array(counts.length);
  for (let r = 0; r < counts.length; r++) valid[r] = counts[r]! > 0 ? 1 : 0;
  const cannot = (): never => {
    throw new InvalidInputError(
      `${context}: cannot ${spec.fn} a ${String(input.vector.type)} column` + (kind === 'avg' ? '' : ` as ${kind}`) +
        (family === 'float' ? '; sum floats as float64()' : family === 'int' ? '; use int64(), float64() or decimal()' : family === 'decimal' ? '; use decimal()' : ''),
    );
  };
  const n = ranges.length;
  if (family === 'int') {
    if (kind !== 'avg' && kind !== 'float64' && kind !== 'int64' && kind !== 'int32' && kind !== 'decimal') return cannot();
    const limbs = readIntLimbs(input.vector);
    const sums = windowIntSums(permute(limbs.hi, input.rows), permute(limbs.lo, input.rows), include, ranges);
    if (kind === 'avg' || kind === 'float64') {
      const out = new Float64Array(n);
      for (let r = 0; r < n; r++) if (counts[r]! > 0) out[r] = (sums.hi[r]! * TWO_32 + sums.lo[r]!) / (kind === 'avg' ? counts[r]! : 1);
      return float64Vector(out, valid);
    }
    if (kind === 'int64') {
      const out = new BigInt64Array(n);
      const halves = new Int32Array(out.buffer);
      for (let r = 0; r < n; r++) {
        const hi = sums.hi[r]!;
        if (hi < -TWO_31 || hi >= TWO_31) throw overflow(context, 'int64');
        halves[2 * r] = sums.lo[r]! | 0;
        halves[2 * r + 1] = hi;
      }
      return fixedVector(toArrowType(spec.dtype), n, out, valid);
    }
    if (kind === 'int32') {
      const out = new Int32Array(n);
      for (let r = 0; r < n; r++) {
        const hi = sums.hi[r]!;
        const lo = sums.lo[r]!;
        if (!((hi === 0 && lo < TWO_31) || (hi === -1 && lo >= TWO_31))) throw overflow(context, 'int32');
        out[r] = lo | 0;
      }
      return fixedVector(toArrowType(spec.dtype), n, out, valid);
    }
    const exact = Array.from({ length: n }, (_, r) => (BigInt(sums.hi[r]!) << 32n) + BigInt(sums.lo[r]!));
    return decimalOut(exact, 0, input, valid);
  }
  if (family === 'float') {
    if (kind !== 'avg' && kind !== 'float64') return cannot();
    const sums = windowFloatSums(permute(readFloats(input.vector), input.rows), include, ranges);
    if (kind === 'avg') for (let r = 0; r < n; r++) if (counts[r]! > 0) sums[r] = sums[r]! / counts[r]!;
    return float64Vector(sums, valid);
  }
  if (family === 'decimal') {
    const scale = (input.vector.type as { scale: number }).scale;
    const toInt = (kind === 'int64' || kind === 'int32') && scale === 0;
    if (kind === 'float64') throw floatSumOfDecimals(input, scale);
    if (kind !== 'avg' && kind !== 'decimal' && !toInt) return cannot();
    const words = readDecimalWords(input.vector);
    const values: bigint[] = new Array(input.rows.length);
    for (let p = 0; p < values.length; p++) values[p] = include[p] ? decimalAt(words, input.rows[p]!) : 0n;
    const sums = windowBigIntSums(values, include, ranges);
    if (kind === 'avg') {
      const out = new Float64Array(n);
      for (let r = 0; r < n; r++) if (counts[r]! > 0) out[r] = decimalToNumber(sums[r]!, scale) / counts[r]!;
      return float64Vector(out, valid);
    }
    if (toInt) return intOut(sums, input, valid);
    return decimalOut(sums, scale, input, valid);
  }
  return cannot();
}

/**
 * A sum of decimals is exact only as a decimal. `sum` defaults to float64,
 * so a sum over a decimal column that did not declare its type would round
 * every value to a binary fraction (12,216 of 118,187 TRS spends were not
 * whole cents that way): refused, saying what to declare.
 */
function floatSumOfDecimals(input: SumInput, scale: number): DefinitionError {
  const column = input.spec.column ?? '';
  const precision = (input.vector.type as { precision: number }).precision;
  return new DefinitionError(
    `${input.context}: '${column}' is decimal(${precision}, ${scale}), and a sum of decimals as float64 would not be exact; ` +
      `declare type: decimal(38, ${scale}) on the sum (e.g. sum('${column}', { window: …, type: decimal(38, ${scale}) })), ` +
      `or convert the column with Number() in the transform if a float is what you want`,
  );
}

function permute(values: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let p = 0; p < rows.length; p++) out[p] = values[rows[p]!]!;
  return out;
}

function overflow(context: string, what: string): InvalidInputError {
  return new InvalidInputError(`${context}: a window sum overflows ${what}; declare the sum as decimal() or float64()`);
}

function intOut(sums: readonly bigint[], input: SumInput, valid: Uint8Array): Vector {
  const wide = input.spec.dtype.kind === 'int64';
  const bits = wide ? 64 : 32;
  const out = wide ? new BigInt64Array(sums.length) : new Int32Array(sums.length);
  sums.forEach((v, r) => {
    if (BigInt.asIntN(bits, v) !== v) throw overflow(input.context, input.spec.dtype.kind);
    out[r] = (wide ? v : Number(v)) as never;
  });
  return fixedVector(toArrowType(input.spec.dtype), sums.length, out, valid);
}

function decimalOut(sums: readonly bigint[], from: number, input: SumInput, valid: Uint8Array): Vector {
  const { precision, scale } = input.spec.dtype as DecimalDType;
  if (from > scale) {
    throw new InvalidInputError(`${input.context}: a decimal of scale ${from} cannot be summed as scale ${scale} without rounding`);
  }
  const factor = pow10(scale - from);
  const limit = pow10(precision);
  const words = new Uint32Array(sums.length * 4);
  sums.forEach((v, r) => {
    const scaled = v * factor;
    if (scaled >= limit || -scaled >= limit) throw overflow(input.context, `decimal(${precision}, ${scale})`);
    writeDecimal(words, r, scaled);
  });
  return fixedVector(toArrowType(input.spec.dtype), sums.length, words, valid);
}
