import type {
  AnyFeatureRef,
  AnyFeatureService,
  AnyFeatureView,
  FeatureService,
  Flatten,
  InferFeatureValues,
  InferKeyRow,
  InferRefValue,
  OnlineFeatureStatus,
} from '@asof/core';
import type { ChangeWord } from './compare-long.js';

/**
 * What the SDK accepts as features: `'view:feature'`, `'view:*'`, a service
 * name, a ref (`view.ref('feature')`), a whole view, or a service. Refs,
 * views and services type the result; strings give `unknown` values.
 */
export type FeatureInput = string | AnyFeatureRef | AnyFeatureView | AnyFeatureService;

/** A service's items (refs and views) in place of the service itself. */
type Expand<X> = X extends FeatureService<string, infer I> ? I[number] : X;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type IsUnion<T> = [T] extends [UnionToIntersection<T>] ? false : true;

/** `feature`, or `view__feature` when refs of two views in `All` share the feature name. */
type OutputName<R extends AnyFeatureRef, All extends AnyFeatureRef> =
  IsUnion<Extract<All, { readonly feature: R['feature'] }>['view']> extends true ? `${R['view']}__${R['feature']}` : R['feature'];

type RefValues<All extends AnyFeatureRef> = { -readonly [R in All as OutputName<R, All>]: InferRefValue<R> };

type ViewValues<V> = [V] extends [never] ? {} : UnionToIntersection<V extends AnyFeatureView ? InferFeatureValues<V['features']> : never>;

type Untyped<X> = [Exclude<X, AnyFeatureRef | AnyFeatureView>] extends [never] ? {} : Record<string, unknown>;

/**
 * The feature columns a list of features produces, by output name, each
 * `T | null`. Refs of two views with the same feature name become
 * `view__feature`, as at run time.
 */
export type FeatureValues<F extends readonly FeatureInput[]> = Flatten<
  RefValues<Extract<Expand<F[number]>, AnyFeatureRef>> & ViewValues<Extract<Expand<F[number]>, AnyFeatureView>> & Untyped<Expand<F[number]>>
>;

type ViewOf<X> = X extends AnyFeatureRef ? X['featureView'] : X extends AnyFeatureView ? X : never;

/** The join keys of the views behind a list of features, with their JS types (`bigint` for int64). */
export type FeatureKeys<F extends readonly FeatureInput[]> = [ViewOf<Expand<F[number]>>] extends [never]
  ? {}
  : UnionToIntersection<ViewOf<Expand<F[number]>> extends infer V ? (V extends { readonly joinKeys: infer J } ? InferKeyRow<J> : never) : never>;

/** A spine row as it comes back: keys typed by the views, the time column as `Date`, other columns as given. */
export type SpineRow<E, F extends readonly FeatureInput[], T extends string> = {
  -readonly [K in keyof E]: K extends T ? Date : K extends keyof FeatureKeys<F> ? FeatureKeys<F>[K] : E[K];
};

/** One row of `getHistoricalFeatures`: the entity columns, then the features. */
export type HistoricalRow<E, F extends readonly FeatureInput[], T extends string = 'event_timestamp'> = Flatten<SpineRow<E, F, T> & FeatureValues<F>>;

/** One row of `asOf`: the join keys, then the features. */
export type SnapshotRow<F extends readonly FeatureInput[]> = Flatten<FeatureKeys<F> & FeatureValues<F>>;

/** One row of `compare`: the keys, then per feature its value at `t1` and `t2` and whether it changed. */
export type CompareRow<F extends readonly FeatureInput[]> = Flatten<
  FeatureKeys<F> & {
    -readonly [K in keyof FeatureValues<F> & string as `${K}__t1` | `${K}__t2`]: FeatureValues<F>[K];
  } & { -readonly [K in keyof FeatureValues<F> & string as `${K}__changed`]: boolean }
>;

/**
 * What `change` holds in a long comparison for a feature whose values are
 * `V`: the difference for numbers (`bigint` for int64), else a word (see
 * `longComparison`); `added`/`removed` where one side is null.
 */
export type ChangeOf<V> = unknown extends V
  ? unknown
  : [NonNullable<V>] extends [bigint]
    ? bigint | ChangeWord
    : [NonNullable<V>] extends [number]
      ? number | Exclude<ChangeWord, 'changed'>
      : [NonNullable<V>] extends [Date | boolean | Uint8Array | readonly unknown[]]
        ? ChangeWord
        : // strings: a decimal's difference is a decimal string, other strings give words
          NonNullable<V> | ChangeWord;

/**
 * One row of `compare(…, { format: 'long' })`: the keys, then one feature
 * that changed (`feature`, its output name) with its value at `t1`
 * (`before`), at `t2` (`after`) and the `change`. A union over the
 * features, so checking `row.feature` narrows the value types.
 */
export type CompareLongRow<F extends readonly FeatureInput[]> = {
  [K in keyof FeatureValues<F> & string]: Flatten<
    FeatureKeys<F> & { feature: K; before: FeatureValues<F>[K]; after: FeatureValues<F>[K]; change: ChangeOf<FeatureValues<F>[K]> }
  >;
}[keyof FeatureValues<F> & string];

/** Per output feature name, where an online value came from. */
export type FeatureStatuses<F extends readonly FeatureInput[]> = { -readonly [K in keyof FeatureValues<F>]: OnlineFeatureStatus };
