import type { DType } from '../dtypes.js';
import type { FeatureSpecs, SpecValue } from './infer.js';

/** The part of a feature view a ref needs; keeps the ref type independent of the view's generics. */
export interface RefTarget {
  readonly name: string;
  readonly features: FeatureSpecs;
}

/**
 * A reference to one feature of one view, as returned by `view.ref('name')`.
 * Its `dtype` carries the value type, so results built from refs are typed.
 */
export interface FeatureRef<V extends RefTarget = RefTarget, K extends keyof V['features'] & string = keyof V['features'] & string> {
  readonly kind: 'feature_ref';
  /** The view's name. */
  readonly view: V['name'];
  readonly feature: K;
  /** `view:feature`, the form the SDK and the CLI accept as a string. */
  readonly qualifiedName: `${V['name']}:${K}`;
  /** The feature's output type (an aggregation's result type, not its input column's). */
  readonly dtype: DType<SpecValue<V['features'][K]>>;
  /** The view definition the ref came from, so a registry can check it is the applied one. */
  readonly featureView: V;
}

/** Any feature ref. */
export type AnyFeatureRef = FeatureRef<RefTarget, string>;

/** Whether a value is a {@link FeatureRef}. */
export function isFeatureRef(value: unknown): value is AnyFeatureRef {
  return typeof value === 'object' && value !== null && (value as AnyFeatureRef).kind === 'feature_ref';
}

/** Splits `view:feature` (or `view:*`); `undefined` when the string has another shape. */
export function parseQualifiedName(text: string): { view: string; feature: string } | undefined {
  const parts = text.split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { view: parts[0], feature: parts[1] };
}
