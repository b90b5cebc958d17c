import type { Table, Vector } from 'apache-arrow';
import { gather } from '../arrow/gather.js';
import type { Aggregation, Predicate } from '../definitions/aggregation.js';
import type { DType, ListDType } from '../dtypes.js';
import { InvalidInputError } from '../errors.js';
import type { WindowRanges } from './change-points.js';
import { readValidity, requireColumn, requireFamily } from './columns.js';
import { countVector, listVector } from './arrow-out.js';
import { distinctVector } from './distinct-vector.js';
import { windowCounts, windowDistinctCounts, windowExtreme, windowLast, windowSets } from './kernels.js';
import type { RankedValues } from './ranked-values.js';
import { sumVector } from './sum-vector.js';

/** What every aggregation of one evaluation shares: the sorted events, their windows and cached column work. */
export interface WindowContext {
  readonly events: Table;
  /** Input row at each sorted position. */
  readonly rows: Int32Array;
  /** The output rows' windows for a window length (`null`: lifetime). */
  ranges(windowMs: number | null): WindowRanges;
  /** A column's ranks, computed once per column. */
  ranked(column: string, context: string): RankedValues;
  /** One byte per input row: 1 where every predicate holds; computed once per distinct filter. */
  mask(where: readonly Predicate[], context: string): Uint8Array;
}

/** Computes one aggregation's output column, one value per output row. */
export function aggregateVector(name: string, spec: Aggregation, ctx: WindowContext): Vector {
  const context = `aggregation '${name}' (${spec.fn}${spec.column ? ` of '${spec.column}'` : ''})`;
  const { rows, events } = ctx;
  const ranges = ctx.ranges(spec.windowMs);
  const pass = ctx.mask(spec.where, context);
  if (spec.column === null) {
    if (spec.fn !== 'count') throw new InvalidInputError(`${context}: ${spec.fn} needs a column`);
    return countVector(windowCounts(includeMask(rows, pass, null), ranges));
  }
  const vector = requireColumn(events, spec.column, context);
  if (spec.fn === 'count') {
    return countVector(windowCounts(includeMask(rows, pass, readValidity(vector)), ranges));
  }
  const family = requireFamily(vector, spec.column, context);
  switch (spec.fn) {
    case 'sum':
    case 'avg': {
      const include = includeMask(rows, pass, readValidity(vector));
      return sumVector({ spec, vector, family, rows, include, ranges, context });
    }
    case 'count_distinct': {
      const column = ctx.ranked(spec.column, context);
      return countVector(windowDistinctCounts(sortedRanks(column, rows, pass), column.values.length, ranges));
    }
    case 'min':
    case 'max': {
      const column = ctx.ranked(spec.column, context);
      const values = distinctVector(column, spec.dtype, context);
      return gather(values, windowExtreme(sortedRanks(column, rows, pass), ranges, spec.fn === 'max'));
    }
    case 'last': {
      const column = ctx.ranked(spec.column, context);
      const values = distinctVector(column, spec.dtype, context);
      // A filtered-in event with a null value is still the latest one: the result is null, not an older value.
      const latest = windowLast(includeMask(rows, pass, null), ranges);
      const ranks = latest.map((p) => (p < 0 ? -1 : column.ranks[rows[p]!]!));
      return gather(values, ranks);
    }
    case 'collect_set': {
      const item = (spec.dtype as DType).kind === 'list' ? (spec.dtype as ListDType<unknown>).item : null;
      if (!item) throw new InvalidInputError(`${context}: collect_set's dtype must be a list, got ${spec.dtype.kind}`);
      const column = ctx.ranked(spec.column, context);
      const values = distinctVector(column, item, context);
      const sets = windowSets(sortedRanks(column, rows, pass), column.values.length, ranges);
      return listVector(gather(values, sets.items), sets.offsets);
    }
  }
}

/** Per sorted position: 1 if the event passes the filter and (with `valid`) its value is present. */
function includeMask(rows: Int32Array, pass: Uint8Array, valid: Uint8Array | null): Uint8Array {
  const out = new Uint8Array(rows.length);
  for (let p = 0; p < rows.length; p++) {
    const row = rows[p]!;
    out[p] = valid && !valid[row] ? 0 : pass[row]!;
  }
  return out;
}

/** Ranks in sorted order, `-1` where the value is null or the event fails the filter. */
function sortedRanks(column: RankedValues, rows: Int32Array, pass: Uint8Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let p = 0; p < rows.length; p++) {
    const row = rows[p]!;
    out[p] = pass[row] ? column.ranks[row]! : -1;
  }
  return out;
}
