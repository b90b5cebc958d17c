import { DefinitionError } from '../errors.js';
import { isFeatureRef, type AnyFeatureRef } from './feature-ref.js';
import { isFeatureView, type AnyFeatureView } from './feature-view.js';
import { deepFreeze } from './freeze.js';
import { assertConfig, assertDescription, assertName } from './names.js';

/** What a service lists: a whole view (all its features) or one feature ref. */
export type ServiceItem = AnyFeatureView | AnyFeatureRef;

/** A named set of features a model consumes, e.g. everything the churn model reads. */
export interface FeatureService<N extends string = string, I extends readonly ServiceItem[] = readonly ServiceItem[]> {
  readonly kind: 'feature_service';
  readonly name: N;
  /** The items as given. */
  readonly features: I;
  /** Qualified `view:feature` names, in item order, without duplicates. */
  readonly featureNames: readonly string[];
  /** The distinct views the items come from, in first-use order. */
  readonly views: readonly AnyFeatureView[];
  readonly description: string | undefined;
}

/** Any feature service. */
export type AnyFeatureService = FeatureService<string, readonly ServiceItem[]>;

/** What {@link defineFeatureService} takes. */
export interface FeatureServiceConfig<N extends string, I extends readonly ServiceItem[]> {
  readonly name: N;
  readonly features: I;
  readonly description?: string;
}

/**
 * Declares a feature service: `defineFeatureService({ name: 'churn_model', features: [accountStats, invoices.ref('late_90d')] })`.
 * A feature listed twice (say, a view and one of its refs) appears once.
 */
export function defineFeatureService<const N extends string, const I extends readonly ServiceItem[]>(
  config: FeatureServiceConfig<N, I>,
): FeatureService<N, I> {
  assertConfig(config, 'defineFeatureService', "{ name: 'churn_model', features: [view, view.ref('x')] }");
  assertName(config.name, 'feature service name');
  const what = `feature service '${config.name}'`;
  assertDescription(config.description, what);
  if (!Array.isArray(config.features) || config.features.length === 0) {
    throw new DefinitionError(`${what} needs features, a non-empty list of views and refs such as [view, view.ref('x')]`);
  }
  const names = new Set<string>();
  const views = new Map<string, AnyFeatureView>();
  for (const item of config.features as readonly unknown[]) {
    const view = isFeatureView(item) ? item : isFeatureRef(item) && isFeatureView(item.featureView) ? item.featureView : undefined;
    if (view === undefined) {
      throw new DefinitionError(`${what}: every item must be a feature view or a ref from view.ref('feature')`);
    }
    const other = views.get(view.name);
    if (other !== undefined && other !== view) {
      throw new DefinitionError(`${what} uses two different definitions of feature view '${view.name}'; import it from one module`);
    }
    views.set(view.name, view);
    const features = isFeatureRef(item) ? [item.feature] : view.featureNames;
    for (const feature of features) names.add(`${view.name}:${feature}`);
  }
  return deepFreeze({
    kind: 'feature_service' as const,
    name: config.name,
    features: [...config.features] as unknown as I,
    featureNames: [...names],
    views: [...views.values()],
    description: config.description,
  });
}

/** Whether a value is a feature service. */
export function isFeatureService(value: unknown): value is AnyFeatureService {
  return typeof value === 'object' && value !== null && (value as AnyFeatureService).kind === 'feature_service';
}
