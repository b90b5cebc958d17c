import { dtypeFromJson, dtypeToJson, isDType, type DType } from '../dtypes.js';
import { DefinitionError } from '../errors.js';
import { isAggregation, normalizeWhere, type Aggregation, type AggregationFunction } from './aggregation.js';
import type { FeatureSpec } from './infer.js';

const FUNCTIONS: readonly AggregationFunction[] = ['count', 'sum', 'min', 'max', 'avg', 'last', 'count_distinct', 'collect_set'];

/**
 * Validates one feature spec and returns its canonical frozen form, so a
 * hand-built or JSON-rebuilt spec behaves exactly like one from the builders.
 */
export function normalizeFeatureSpec(spec: unknown, what: string): FeatureSpec {
  if (isAggregation(spec)) return normalizeAggregation(spec, what);
  if (isDType(spec)) return canonicalDType(spec, what);
  throw new DefinitionError(
    `${what} must be a dtype such as int64() or an aggregation such as count({ window: '90d' }), got ${describe(spec)}`,
  );
}

/** The source columns a feature reads: its own column, or an aggregation's input and filter columns. */
export function columnsRead(name: string, spec: FeatureSpec): string[] {
  if (!isAggregation(spec)) return [name];
  return [...(spec.column === null ? [] : [spec.column]), ...spec.where.map((p) => p.column)];
}

/** The output dtype of a feature spec. */
export function specDType(spec: FeatureSpec): DType {
  return isAggregation(spec) ? spec.dtype : spec;
}

function normalizeAggregation(agg: Aggregation, what: string): Aggregation {
  if (!FUNCTIONS.includes(agg.fn)) {
    throw new DefinitionError(`${what}: unknown aggregation '${String(agg.fn)}'; use one of ${FUNCTIONS.join(', ')}`);
  }
  if (agg.column === null ? agg.fn !== 'count' : typeof agg.column !== 'string' || agg.column.length === 0) {
    throw new DefinitionError(`${what}: ${agg.fn} needs the name of the column it aggregates`);
  }
  // `null` is a lifetime window; `undefined` (a hand-built spec missing the field) is not.
  if (agg.windowMs !== null && (!Number.isSafeInteger(agg.windowMs) || agg.windowMs <= 0)) {
    throw new DefinitionError(
      `${what}: window must be a positive whole number of milliseconds or null (lifetime), got ${String(agg.windowMs)}`,
    );
  }
  return Object.freeze({
    kind: 'aggregation',
    fn: agg.fn,
    column: agg.column,
    windowMs: agg.windowMs,
    where: normalizeWhere(agg.where),
    dtype: canonicalDType(agg.dtype, `${what} output`),
  });
}

function canonicalDType(dtype: unknown, what: string): DType {
  if (!isDType(dtype)) throw new DefinitionError(`${what} must be a dtype such as int64()`);
  try {
    return dtypeFromJson(dtypeToJson(dtype));
  } catch (error) {
    throw new DefinitionError(`${what}: ${(error as Error).message}`, { cause: error });
  }
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function (did you write int64 instead of int64()?)';
  if (typeof value === 'object' && value !== null) return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return String(value);
}
