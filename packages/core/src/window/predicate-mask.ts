import type { Predicate, ScalarValue } from '../definitions/aggregation.js';
import { InvalidInputError } from '../errors.js';
import { toEpochMicros } from '../time/timestamp.js';
import { decimalOfNumber, pow10 } from './decimal.js';
import { compareCodePoints, type RankedValues } from './ranked-values.js';

/**
 * Evaluates a conjunction of predicates to one byte per input row (1 =
 * passes), with SQL semantics: a comparison with null (column or literal)
 * is false, `not in` a list holding null is never true, `is null` and
 * `is not null` test the column. A literal is located once among the
 * column's sorted distinct values; each row then compares ranks only.
 */
export function predicateMask(
  predicates: readonly Predicate[],
  rows: number,
  ranked: (column: string) => RankedValues,
  context: string,
): Uint8Array {
  const mask = new Uint8Array(rows).fill(1);
  for (const p of predicates) {
    const column = ranked(p.column);
    const { ranks } = column;
    const test = rowTest(p, column, context);
    for (let i = 0; i < rows; i++) if (mask[i] && !test(ranks[i]!)) mask[i] = 0;
  }
  return mask;
}

function rowTest(p: Predicate, column: RankedValues, context: string): (rank: number) => boolean {
  const where = `${context}: filter '${p.column} ${p.op}'`;
  switch (p.op) {
    case 'is null':
      return (r) => r < 0;
    case 'is not null':
      return (r) => r >= 0;
    case 'in':
    case 'not in': {
      const literals = p.value as readonly ScalarValue[];
      const member = new Uint8Array(column.values.length);
      for (const literal of literals) {
        if (literal === null) continue;
        const { below, equal } = locate(column, literal, where);
        if (equal) member[below] = 1;
      }
      if (p.op === 'in') return (r) => r >= 0 && member[r] === 1;
      if (literals.includes(null)) return () => false;
      return (r) => r >= 0 && member[r] === 0;
    }
    default: {
      const literal = p.value as ScalarValue;
      if (literal === null) return () => false;
      if (column.family === 'bool' && p.op !== '=' && p.op !== '!=') {
        throw new InvalidInputError(`${where}: booleans compare only with =, !=, in and not in`);
      }
      const { below, equal } = locate(column, literal, where);
      // `below` = number of distinct values smaller than the literal.
      const upTo = below + (equal ? 1 : 0);
      switch (p.op) {
        case '=':
          return equal ? (r) => r === below : () => false;
        case '!=':
          return (r) => r >= 0 && !(equal && r === below);
        case '<':
          return (r) => r >= 0 && r < below;
        case '<=':
          return (r) => r >= 0 && r < upTo;
        case '>':
          return (r) => r >= upTo;
        case '>=':
          return (r) => r >= below;
        default:
          throw new InvalidInputError(`${where}: unknown operator`);
      }
    }
  }
}

/** Where a literal falls among the column's sorted distinct values. */
function locate(column: RankedValues, literal: ScalarValue & {}, where: string): { below: number; equal: boolean } {
  const compare = comparer(column, literal, where);
  let lo = 0;
  let hi = column.values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(mid) < 0) lo = mid + 1;
    else hi = mid;
  }
  return { below: lo, equal: lo < column.values.length && compare(lo) === 0 };
}

/** `rank => sign(value at rank - literal)`, exact for every family. */
function comparer(column: RankedValues, literal: ScalarValue & {}, where: string): (rank: number) => number {
  const mismatch = (): never => {
    throw new InvalidInputError(`${where}: cannot compare a ${describe(column)} column with ${typeof literal} ${String(literal)}`);
  };
  switch (column.family) {
    case 'bool': {
      if (typeof literal !== 'boolean') return mismatch();
      const l = literal ? 1 : 0;
      return (r) => r - l;
    }
    case 'string': {
      if (typeof literal !== 'string') return mismatch();
      const values = column.values;
      return (r) => compareCodePoints(values[r]!, literal);
    }
    case 'float': {
      const values = column.values;
      if (typeof literal === 'number') return (r) => compareFloats(values[r]!, literal);
      if (typeof literal === 'bigint') return (r) => -compareIntToNumber(literal, values[r]!);
      return mismatch();
    }
    case 'time': {
      if (typeof literal === 'boolean') return mismatch();
      const l = toEpochMicros(literal);
      const values = column.values;
      return (r) => compareBigInts(values[r]!, l);
    }
    case 'int': {
      const values = column.values;
      if (typeof literal === 'bigint') return (r) => compareBigInts(values[r]!, literal);
      if (typeof literal === 'number') return (r) => compareIntToNumber(values[r]!, literal);
      return mismatch();
    }
    case 'decimal': {
      const { values, scale } = column;
      if (typeof literal === 'bigint') {
        const l = literal * pow10(scale);
        return (r) => compareBigInts(values[r]!, l);
      }
      if (typeof literal !== 'number') return mismatch();
      if (!Number.isFinite(literal)) return () => (literal === -Infinity ? 1 : -1);
      const { digits, scale: ls } = decimalOfNumber(literal);
      const l = digits * pow10(scale);
      const up = pow10(ls);
      return (r) => compareBigInts(values[r]! * up, l);
    }
  }
}

function describe(column: RankedValues): string {
  return { int: 'integer', float: 'float', decimal: 'decimal', bool: 'boolean', string: 'string', time: 'timestamp' }[column.family];
}

function compareBigInts(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Total order of doubles with NaN greatest and equal to itself. */
function compareFloats(a: number, b: number): number {
  if (a === b) return 0;
  if (a !== a) return b !== b ? 0 : 1;
  if (b !== b) return -1;
  return a < b ? -1 : 1;
}

/** Exact `sign(v - n)` for an integer `v` and any double `n` (NaN counts as greatest). */
function compareIntToNumber(v: bigint, n: number): number {
  if (n !== n || n === Infinity) return -1;
  if (n === -Infinity) return 1;
  const floor = BigInt(Math.floor(n));
  if (v < floor) return -1;
  if (v > floor) return 1;
  return Number.isInteger(n) ? 0 : -1;
}
