import { float64, int64, list, type DType, type ListDType } from '../dtypes.js';
import { DefinitionError } from '../errors.js';
import { toMillis, type DurationInput } from '../time/duration.js';

/** The aggregation functions a windowed feature can use. */
export type AggregationFunction =
  | 'count'
  | 'sum'
  | 'min'
  | 'max'
  | 'avg'
  | 'last'
  | 'count_distinct'
  | 'collect_set';

/** A literal a filter compares with. */
export type ScalarValue = string | number | bigint | boolean | null;

/** Comparison operators of a filter predicate. */
export type PredicateOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'is null' | 'is not null';

/**
 * One condition on a source row. Serialisable, so filters are part of a
 * view's content hash. Comparisons with a null column value are false (SQL
 * semantics), except for `is null`.
 */
export interface Predicate {
  readonly column: string;
  readonly op: PredicateOp;
  readonly value?: ScalarValue | readonly ScalarValue[];
}

/**
 * A windowed aggregation: the value at `t` aggregates the source events with
 * `t - window < event_ts <= t` (a lifetime window: `event_ts <= t`) that
 * pass every predicate in `where`.
 */
export interface Aggregation<T = unknown> {
  readonly kind: 'aggregation';
  readonly fn: AggregationFunction;
  /** The aggregated column; `null` for `count` of rows. */
  readonly column: string | null;
  /**
   * Window length in milliseconds; `null` = lifetime (every event up to `t`,
   * none ever expires). `null` rather than `Infinity`, which JSON cannot hold,
   * or a separate `lifetime` flag, which could contradict `windowMs`; it
   * reads like `ttlMs: null`, which also means unbounded.
   */
  readonly windowMs: number | null;
  /** Conjunction of predicates; empty = every event. */
  readonly where: readonly Predicate[];
  /** Output type. */
  readonly dtype: DType<T>;
}

/** A filter: one predicate, several (all must hold), or `{ column: value }` equalities. */
export type WhereInput = Predicate | readonly Predicate[] | Readonly<Record<string, ScalarValue>>;

/** Options every aggregation takes. */
export interface WindowOptions {
  /** Window length: ms, `"90d"`, `"12h"` or `{ days: 90 }`; `'lifetime'` = all events so far, no expiry. */
  readonly window: DurationInput | 'lifetime';
  /** Only events passing this filter count. */
  readonly where?: WhereInput;
}

/** Builds a predicate: `where('days_late', '>', 0)`. */
export function where(column: string, op: PredicateOp, value?: ScalarValue | readonly ScalarValue[]): Predicate {
  return Object.freeze(value === undefined ? { column, op } : { column, op, value });
}

/** Number of events in the window (`column` given: events where it is not null); 0 when none. */
export function count(options: WindowOptions): Aggregation<bigint>;
export function count(column: string, options: WindowOptions): Aggregation<bigint>;
export function count(a: string | WindowOptions, b?: WindowOptions): Aggregation<bigint> {
  return typeof a === 'string' ? make('count', a, b!, int64()) : make('count', null, a, int64());
}

/** Sum of a column over the window (nulls skipped; null when nothing to sum). Output `float64` unless `type` says otherwise. */
export function sum<T>(column: string, options: WindowOptions & { readonly type: DType<T> }): Aggregation<T>;
export function sum(column: string, options: WindowOptions): Aggregation<number>;
// Overloads rather than `<T = number>`: inside defineFeatureView's `features`
// the contextual type would otherwise infer T as unknown, not the default.
export function sum<T>(column: string, options: WindowOptions & { readonly type?: DType<T> }): Aggregation<T> {
  return make('sum', column, options, (options.type ?? float64()) as DType<T>);
}

/** Mean of a column over the window, as float64 (null when nothing to average). */
export function avg(column: string, options: WindowOptions): Aggregation<number> {
  return make('avg', column, options, float64());
}

/** Smallest value of a column over the window; `type` is the column's type. */
export function min<T>(column: string, options: WindowOptions & { readonly type: DType<T> }): Aggregation<T> {
  return make('min', column, options, options.type);
}

/** Largest value of a column over the window; `type` is the column's type. */
export function max<T>(column: string, options: WindowOptions & { readonly type: DType<T> }): Aggregation<T> {
  return make('max', column, options, options.type);
}

/** Value of the latest event in the window (latest by event time, then created time, then input order). */
export function last<T>(column: string, options: WindowOptions & { readonly type: DType<T> }): Aggregation<T> {
  return make('last', column, options, options.type);
}

/** Number of distinct non-null values in the window; 0 when none. */
export function countDistinct(column: string, options: WindowOptions): Aggregation<bigint> {
  return make('count_distinct', column, options, int64());
}

/** Distinct non-null values in the window, sorted ascending; empty list when none. */
export function collectSet<T>(column: string, options: WindowOptions & { readonly type: DType<T> }): Aggregation<T[]> {
  return make('collect_set', column, options, list(options.type) as ListDType<T>);
}

/** Whether a feature spec is an aggregation (as opposed to a plain dtype). */
export function isAggregation(value: unknown): value is Aggregation {
  return typeof value === 'object' && value !== null && (value as Aggregation).kind === 'aggregation';
}

/** Normalises any {@link WhereInput} to a frozen list of predicates. */
export function normalizeWhere(input: WhereInput | undefined): readonly Predicate[] {
  if (input === undefined) return Object.freeze([]);
  const list: Predicate[] = Array.isArray(input)
    ? [...(input as readonly Predicate[])]
    : isPredicate(input)
      ? [input]
      : Object.entries(input as Record<string, ScalarValue>).map(([column, value]) =>
          value === null ? where(column, 'is null') : where(column, '=', value),
        );
  for (const p of list) validatePredicate(p);
  return Object.freeze(list.map((p) => Object.freeze({ ...p })));
}

const OPS: readonly PredicateOp[] = ['=', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'is null', 'is not null'];

function isPredicate(x: unknown): x is Predicate {
  return typeof x === 'object' && x !== null && typeof (x as Predicate).column === 'string' && typeof (x as Predicate).op === 'string';
}

function validatePredicate(p: Predicate): void {
  if (!p.column) throw new DefinitionError('a filter predicate needs a column');
  if (!OPS.includes(p.op)) throw new DefinitionError(`unknown filter operator '${p.op}'; use one of ${OPS.join(', ')}`);
  const needsList = p.op === 'in' || p.op === 'not in';
  const needsNone = p.op === 'is null' || p.op === 'is not null';
  if (needsList && !Array.isArray(p.value)) throw new DefinitionError(`filter '${p.column} ${p.op}' needs an array value`);
  if (needsNone && p.value !== undefined) throw new DefinitionError(`filter '${p.column} ${p.op}' takes no value`);
  if (!needsList && !needsNone && (p.value === undefined || Array.isArray(p.value))) {
    throw new DefinitionError(`filter '${p.column} ${p.op}' needs a single value`);
  }
}

function make<T>(fn: AggregationFunction, column: string | null, options: WindowOptions, dtype: DType<T>): Aggregation<T> {
  if (!options || options.window === undefined) {
    throw new DefinitionError(`${fn}(${column ?? ''}) needs a window, e.g. { window: '90d' } or { window: 'lifetime' }`);
  }
  if (column !== null && (typeof column !== 'string' || column.length === 0)) {
    throw new DefinitionError(`${fn} needs a column name`);
  }
  return Object.freeze({
    kind: 'aggregation',
    fn,
    column,
    windowMs: options.window === 'lifetime' ? null : toMillis(options.window, `${fn}(${column ?? ''}) window`),
    where: normalizeWhere(options.where),
    dtype,
  });
}
