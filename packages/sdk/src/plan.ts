import { InvalidInputError, QUALIFIER, type AnyFeatureView, type DType, type KeyDType, type ResolvedFeature } from '@asof/core';

/** One view's part of a retrieval: the stored features it reads and the names they get in the output. */
export interface ViewRequest {
  readonly view: AnyFeatureView;
  /** Feature names as stored. */
  readonly features: readonly string[];
  /** Output column names, parallel to `features`. */
  readonly names: readonly string[];
  /** Output dtype per stored feature name. */
  readonly dtypes: Readonly<Record<string, DType>>;
  /** Where each feature was asked for among all features, parallel to `features`. */
  readonly positions: readonly number[];
}

/** Every output feature name, in the order the features were asked for. */
export function outputNames(views: readonly ViewRequest[]): string[] {
  return views
    .flatMap((v) => v.names.map((name, i) => [v.positions[i]!, name] as const))
    .sort((a, b) => a[0] - b[0])
    .map(([, name]) => name);
}

/**
 * Groups resolved features by view (in first-use order) and names the
 * output columns: `feature`, unless another view (or a spine column) has
 * the same name, then `view__feature`.
 */
export function planViews(resolved: readonly ResolvedFeature[], spineColumns: readonly string[] = []): ViewRequest[] {
  const byView = new Map<string, { view: AnyFeatureView; features: string[]; dtypes: Record<string, DType>; positions: number[] }>();
  for (const [position, r] of resolved.entries()) {
    let entry = byView.get(r.view);
    if (!entry) byView.set(r.view, (entry = { view: r.featureView, features: [], dtypes: {}, positions: [] }));
    entry.features.push(r.feature);
    entry.positions.push(position);
    entry.dtypes[r.feature] = r.dtype;
  }
  const uses = new Map<string, number>();
  for (const name of spineColumns) uses.set(name, (uses.get(name) ?? 0) + 1);
  for (const { features } of byView.values()) for (const f of features) uses.set(f, (uses.get(f) ?? 0) + 1);
  const taken = new Set(spineColumns);
  return [...byView.values()].map(({ view, features, dtypes, positions }) => {
    const names = features.map((f) => {
      const name = (uses.get(f) ?? 0) > 1 ? `${view.name}${QUALIFIER}${f}` : f;
      if (taken.has(name)) throw new InvalidInputError(`output column '${name}' would appear twice: the entities have a column of that name; rename it`);
      taken.add(name);
      return name;
    });
    return { view, features, names, dtypes, positions };
  });
}

/** The join keys (name -> dtype) of every view in a plan; a key two views type differently is an error. */
export function planKeys(views: readonly ViewRequest[]): Record<string, KeyDType> {
  const keys: Record<string, KeyDType> = {};
  for (const { view } of views) {
    for (const name of view.joinKeyNames) {
      const dtype = (view.joinKeys as Record<string, KeyDType>)[name]!;
      const known = keys[name];
      if (known && known.kind !== dtype.kind) {
        throw new InvalidInputError(`join key '${name}' is ${known.kind} in one view and ${dtype.kind} in '${view.name}'; request them separately`);
      }
      keys[name] = dtype;
    }
  }
  return keys;
}

/** Per join key, the entity of the first view that has it (named in key errors). */
export function planKeyEntities(views: readonly ViewRequest[]): Record<string, string> {
  const entities: Record<string, string> = {};
  for (const { view } of views) {
    for (const entity of view.entities) for (const key of Object.keys(entity.joinKeys)) entities[key] ??= entity.name;
  }
  return entities;
}
