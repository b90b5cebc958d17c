import type { DType, JsTypeOf } from '../dtypes.js';
import type { Aggregation } from './aggregation.js';
import type { AnyEntity, JoinKeys } from './entity.js';
import type { AnyFeatureRef } from './feature-ref.js';
import type { AnyFeatureView } from './feature-view.js';

/** What a feature is: a plain column of the (transformed) source row, or a windowed aggregation. */
export type FeatureSpec = DType | Aggregation;

/** Feature name -> spec, as written in `defineFeatureView({ features })`. */
export type FeatureSpecs = Readonly<Record<string, FeatureSpec>>;

/** The JS type of a non-null value of a feature spec. */
export type SpecValue<S> = S extends Aggregation<infer T> ? T : JsTypeOf<S>;

/** Resolves an intersection into one object type, so results read (and compare) as plain objects. */
export type Flatten<T> = { [K in keyof T]: T[K] };

/** The merged join keys of a tuple of entities, in entity order. */
export type JoinKeysOf<E extends readonly AnyEntity[]> = E extends readonly []
  ? {}
  : E extends readonly [infer H extends AnyEntity, ...infer R extends readonly AnyEntity[]]
    ? Flatten<H['joinKeys'] & JoinKeysOf<R>>
    : JoinKeys;

/** Join key name -> JS type of the key. */
export type InferKeyRow<K> = { -readonly [P in keyof K]: JsTypeOf<K[P]> };

/** Feature name -> JS type or `null` (nothing qualified at that time, or a null value). */
export type InferFeatureValues<F> = { -readonly [P in keyof F]: SpecValue<F[P]> | null };

/**
 * One row of a feature view as the SDK returns it: join keys with their JS
 * types and every feature as `T | null`.
 */
export type InferFeatureRow<V extends AnyFeatureView> = Flatten<InferKeyRow<V['joinKeys']> & InferFeatureValues<V['features']>>;

/** The value type (`T | null`) of feature `K` of view `V`. */
export type InferFeatureValue<V extends AnyFeatureView, K extends keyof V['features']> = SpecValue<V['features'][K]> | null;

/** The value type (`T | null`) a feature ref reads as. */
export type InferRefValue<R extends AnyFeatureRef> = JsTypeOf<R['dtype']> | null;
