import { isFeatureRef, parseQualifiedName, type AnyFeatureRef } from '../definitions/feature-ref.js';
import { isFeatureService, type AnyFeatureService } from '../definitions/feature-service.js';
import { isFeatureView, type AnyFeatureView } from '../definitions/feature-view.js';
import { specDType } from '../definitions/feature-spec.js';
import type { FeatureSpec } from '../definitions/infer.js';
import type { DType } from '../dtypes.js';
import { DefinitionError, FeatureNotFoundError, InvalidInputError } from '../errors.js';
import { hashFeatureView } from './view-hash.js';

/**
 * What callers may name features with: `'view:feature'`, `'view:*'`, a
 * service name, a ref, a whole view, or a service.
 */
export type FeatureReference = string | AnyFeatureRef | AnyFeatureView | AnyFeatureService;

/** One feature resolved against a registry. */
export interface ResolvedFeature {
  readonly view: string;
  readonly feature: string;
  /** `view:feature`. */
  readonly qualifiedName: string;
  /** Output type of the feature. */
  readonly dtype: DType;
  readonly spec: FeatureSpec;
  /** The registered view definition (not necessarily the object the caller passed). */
  readonly featureView: AnyFeatureView;
}

/**
 * Resolves references to a list of features, in the order given, each once.
 * Objects must match the registered definition of their view (by content
 * hash), so code edited but not yet applied cannot read stale data unnoticed.
 */
export function resolveFeatureReferences(
  references: readonly FeatureReference[],
  views: ReadonlyMap<string, AnyFeatureView>,
  services: ReadonlyMap<string, AnyFeatureService>,
): readonly ResolvedFeature[] {
  if (!Array.isArray(references)) throw new InvalidInputError('features must be a list, e.g. [\'account_invoices:late_90d\']');
  const out = new Map<string, ResolvedFeature>();
  const add = (view: AnyFeatureView, feature: string): void => {
    const qualifiedName = `${view.name}:${feature}`;
    if (out.has(qualifiedName)) return;
    const spec = view.features[feature]!;
    out.set(qualifiedName, Object.freeze({ view: view.name, feature, qualifiedName, dtype: specDType(spec), spec, featureView: view }));
  };
  const registered = (name: string): AnyFeatureView => {
    const view = views.get(name);
    if (!view) throw new FeatureNotFoundError(name, [...views.keys()], 'feature view');
    return view;
  };
  const matching = (view: AnyFeatureView): AnyFeatureView => {
    const known = registered(view.name);
    if (known !== view && hashFeatureView(known) !== hashFeatureView(view)) {
      throw new DefinitionError(
        `feature view '${view.name}' differs from its registered definition; apply the new definition first ` +
          `(asof apply) or use the registered one`,
      );
    }
    return known;
  };
  const fromString = (text: string): void => {
    const parsed = parseQualifiedName(text);
    if (!parsed) return fromBareName(text);
    const view = registered(parsed.view);
    if (parsed.feature === '*') return view.featureNames.forEach((f) => add(view, f));
    if (!Object.hasOwn(view.features, parsed.feature)) {
      const own = view.featureNames.map((f) => `${view.name}:${f}`);
      const others = [...views.values()].filter((v) => v !== view).flatMap((v) => v.featureNames.map((f) => `${v.name}:${f}`));
      throw new FeatureNotFoundError(text, [...own, ...others]);
    }
    add(view, parsed.feature);
  };
  const fromBareName = (text: string): void => {
    if (text.length === 0 || text.includes(':')) {
      throw new InvalidInputError(`${JSON.stringify(text)} is not a feature reference; write 'view:feature', 'view:*' or a feature service name`);
    }
    const service = services.get(text);
    if (service) return service.featureNames.forEach(fromString);
    if (views.has(text)) {
      throw new InvalidInputError(`'${text}' is a feature view; write '${text}:*' for all its features or '${text}:<feature>'`);
    }
    throw new FeatureNotFoundError(text, [...services.keys(), ...[...views.keys()].map((v) => `${v}:*`)], 'feature service');
  };
  for (const reference of references as readonly unknown[]) {
    if (typeof reference === 'string') fromString(reference);
    else if (isFeatureRef(reference) && isFeatureView(reference.featureView)) add(matching(reference.featureView), reference.feature);
    else if (isFeatureView(reference)) {
      const view = matching(reference);
      view.featureNames.forEach((f) => add(view, f));
    } else if (isFeatureService(reference)) {
      reference.views.forEach(matching);
      reference.featureNames.forEach(fromString);
    } else {
      throw new InvalidInputError(`cannot resolve ${String(reference)} as features; pass 'view:feature' strings, refs, views or services`);
    }
  }
  return Object.freeze([...out.values()]);
}
