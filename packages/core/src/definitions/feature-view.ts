import type { DType } from '../dtypes.js';
import { DefinitionError, FeatureNotFoundError } from '../errors.js';
import { toMillis, type DurationInput } from '../time/duration.js';
import { isAggregation } from './aggregation.js';
import type { AnyEntity, JoinKeys } from './entity.js';
import type { AnyFeatureRef, FeatureRef } from './feature-ref.js';
import { columnsRead, specDType } from './feature-spec.js';
import { checkDecimalSums, validateEntities, validateFeatures, validateOptions, validateSourceColumns } from './feature-view-checks.js';
import { deepFreeze } from './freeze.js';
import type { FeatureSpecs, JoinKeysOf } from './infer.js';
import { resolveLookups, type Lookup, type ResolvedLookup } from './lookup.js';
import { assertConfig, assertName } from './names.js';
import { isSource, type Source } from './source.js';

export { DEFAULT_ONLINE_HORIZON_MS } from './feature-view-checks.js';

/**
 * Maps one source row (with the columns its lookups added) to the rows
 * features are read from: one row; an array of 0..n rows, each its own event
 * with its own event time (derived events: an invoice row can become an
 * `issued` event, an `overdue` event at `issued_at + 30d` if it was unpaid by
 * then, and a `paid` event); or `null` (same as `[]`) to drop the row.
 * It must be pure: the same input row always gives the same rows, never
 * depending on the wall clock (DESIGN §3).
 */
export type RowTransform = (
  row: Record<string, unknown>,
) => Record<string, unknown> | readonly Record<string, unknown>[] | null;

/**
 * A view's row transform. Code cannot be serialised, so a view rebuilt from
 * registry JSON keeps only the source text: `fn` is `null` and `executable`
 * false, and materializing it needs the original definition module.
 */
export interface FeatureTransform {
  readonly fn: RowTransform | null;
  /** `fn.toString()`; part of the view's content hash. */
  readonly source: string;
  readonly executable: boolean;
}

/**
 * What every feature view has, without literal types. Also the type of "any
 * view": a separate interface (not `FeatureView<string, …>`) so a concrete
 * view, whose typed `ref` narrows its argument, still assigns to it.
 */
export interface FeatureViewBase {
  readonly kind: 'feature_view';
  readonly name: string;
  readonly entities: readonly AnyEntity[];
  /** The entities' join keys merged in entity order: name -> dtype. */
  readonly joinKeys: JoinKeys;
  /** `Object.keys(joinKeys)`, the key columns in order. */
  readonly joinKeyNames: readonly string[];
  readonly source: Source;
  /** Dimension joins applied to each source row, in order, before the transform. */
  readonly lookups: readonly ResolvedLookup[];
  readonly features: FeatureSpecs;
  /** Feature names in declaration order. */
  readonly featureNames: readonly string[];
  /** Rows older than this (relative to the lookup time) are ignored; `null` = unbounded. */
  readonly ttlMs: number | null;
  /** Column of the (transformed) row holding the event time. */
  readonly eventTime: string;
  /** Column of the (transformed) row holding the created time, if any. */
  readonly createdTime: string | null;
  readonly transform: FeatureTransform | null;
  readonly description: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** Whether the materializer also writes the latest values to the online store. */
  readonly online: boolean;
  /**
   * How far past each publish instant the online store holds the view's
   * precomputed change points (ms): reads up to then are exact, later ones
   * `stale` until the next publish. Default 7 days.
   */
  readonly onlineHorizonMs: number;
  /** A reference to one feature; throws {@link FeatureNotFoundError} for an unknown name. */
  ref(feature: string): AnyFeatureRef;
}

/** Any feature view, whatever its literal types. */
export type AnyFeatureView = FeatureViewBase;

/**
 * A named group of features over the same entities and source, with one
 * TTL. Deeply frozen; the type parameters carry the names and dtypes so rows
 * and refs are typed.
 */
export interface FeatureView<
  N extends string = string,
  E extends readonly AnyEntity[] = readonly AnyEntity[],
  F extends FeatureSpecs = FeatureSpecs,
> extends FeatureViewBase {
  readonly name: N;
  readonly entities: E;
  readonly joinKeys: JoinKeysOf<E>;
  readonly features: F;
  readonly featureNames: readonly (keyof F & string)[];
  /** A typed reference to one feature; an unknown name is a compile error and a {@link FeatureNotFoundError}. */
  ref<K extends keyof F & string>(feature: K): FeatureRef<FeatureView<N, E, F>, K>;
}

/** What {@link defineFeatureView} takes. */
export interface FeatureViewConfig<N extends string, E extends readonly AnyEntity[], F extends FeatureSpecs> {
  readonly name: N;
  /** At least one entity; their join keys must be columns of the (transformed) source row. */
  readonly entities: E;
  readonly source: Source;
  /**
   * Dimension joins as of each row's time, applied in order before the
   * transform; a later lookup may use columns an earlier one added.
   */
  readonly lookups?: readonly Lookup[];
  /** Name -> dtype (a column of the row) or aggregation (e.g. `count({ window: '90d' })`). */
  readonly features: F;
  /** Default unbounded. Must cover the longest aggregation window; not allowed with a lifetime window. */
  readonly ttl?: DurationInput | null;
  /** Default: the source's `timestampField`. */
  readonly eventTime?: string;
  /** Default: the source's `createdTimestampField`. */
  readonly createdTime?: string | null;
  readonly transform?: RowTransform;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Default `true`. `{ horizon: '7d' }` (the default horizon) publishes it
   * with each entity's change points up to that far past each publish, so
   * online reads stay exact between runs (windows expiring, invoices falling
   * due); reads later than that are `stale`.
   */
  readonly online?: boolean | { readonly horizon?: DurationInput };
}

/** Declares a feature view; see {@link FeatureViewConfig}. Throws {@link DefinitionError} with what to fix. */
export function defineFeatureView<
  const N extends string,
  const E extends readonly AnyEntity[],
  const F extends FeatureSpecs,
>(config: FeatureViewConfig<N, E, F>): FeatureView<N, E, F> {
  assertConfig(config, 'defineFeatureView', "{ name: 'account_invoices', entities: [account], source, features: { … } }");
  const transform = config.transform;
  if (transform !== undefined && typeof transform !== 'function') {
    throw new DefinitionError(`feature view '${String(config.name)}': transform must be a function (row) => row | row[] | null`);
  }
  const view = createFeatureView(config, transform ? { fn: transform, source: transform.toString(), executable: true } : null);
  // Only here, not in createFeatureView: a registry written before the check must still load (its runs then say the same).
  if (!transform) checkDecimalSums(view.features, view.source, view.lookups, `feature view '${view.name}'`);
  return view;
}

/**
 * Builds a view from a config and an already-resolved transform. Internal:
 * the registry uses it to rebuild views whose transform is text only.
 */
export function createFeatureView<N extends string, E extends readonly AnyEntity[], F extends FeatureSpecs>(
  config: FeatureViewConfig<N, E, F>,
  transform: FeatureTransform | null,
): FeatureView<N, E, F> {
  assertName(config.name, 'feature view name');
  const name = config.name;
  const what = `feature view '${name}'`;
  if (!isSource(config.source)) {
    throw new DefinitionError(`${what} needs source, built with mysqlTable(), mysqlQuery(), parquetSource() or csvSource()`);
  }
  const source = config.source;
  const { entities, joinKeys } = validateEntities(config.entities, what);
  const { lookups, added } = resolveLookups(config.lookups, source, what);
  const eventTime = config.eventTime ?? source.timestampField;
  const createdTime = config.createdTime === undefined ? source.createdTimestampField : config.createdTime;
  const features = validateFeatures(config.features, joinKeys, [eventTime, createdTime], what);
  const ttlMs = config.ttl === undefined || config.ttl === null ? null : toMillis(config.ttl, `${what}: ttl`);
  const options = validateOptions(config, eventTime, createdTime, joinKeys, what);
  checkTtlCoversWindows(features, ttlMs, what);
  if (transform === null) {
    const read = Object.entries(features).flatMap(([feature, spec]) => columnsRead(feature, spec));
    const columns = [...Object.keys(joinKeys), eventTime, ...(createdTime ? [createdTime] : []), ...read];
    validateSourceColumns(source, Object.keys(added), columns, what);
  }
  const featureNames = Object.keys(features);
  const view = {
    kind: 'feature_view' as const,
    name,
    entities,
    joinKeys,
    joinKeyNames: Object.keys(joinKeys),
    source,
    lookups,
    features,
    featureNames,
    ttlMs,
    eventTime,
    createdTime,
    transform: transform ? { fn: transform.fn, source: transform.source, executable: transform.fn !== null } : null,
    ...options,
    ref(feature: string) {
      const spec = Object.hasOwn(features, feature) ? features[feature] : undefined;
      if (spec === undefined) {
        throw new FeatureNotFoundError(`${name}:${String(feature)}`, featureNames.map((f) => `${name}:${f}`));
      }
      // Every part is frozen already; a shallow freeze avoids re-walking the view.
      return Object.freeze({
        kind: 'feature_ref' as const,
        view: name,
        feature,
        qualifiedName: `${name}:${feature}`,
        dtype: specDType(spec) as DType,
        featureView: view,
      });
    },
  };
  return deepFreeze(view) as unknown as FeatureView<N, E, F>;
}

/** Whether a value is a feature view. */
export function isFeatureView(value: unknown): value is AnyFeatureView {
  return typeof value === 'object' && value !== null && (value as AnyFeatureView).kind === 'feature_view';
}

// The join returns the newest row within ttl, and a windowed value is only
// re-emitted at change points; a ttl shorter than the window would turn a
// still-valid aggregate into null between change points. A lifetime window
// has no last change point, so no finite ttl covers it.
function checkTtlCoversWindows(features: FeatureSpecs, ttlMs: number | null, what: string): void {
  if (ttlMs === null) return;
  for (const [feature, spec] of Object.entries(features)) {
    if (!isAggregation(spec)) continue;
    if (spec.windowMs === null) {
      throw new DefinitionError(
        `${what}: '${feature}' has a lifetime window, but ttl (${ttlMs} ms) would make it read as null once ` +
          `${ttlMs} ms pass without a new event; remove ttl or put lifetime features in a view without one`,
      );
    }
    if (spec.windowMs > ttlMs) {
      throw new DefinitionError(
        `${what}: ttl (${ttlMs} ms) is shorter than the window of '${feature}' (${spec.windowMs} ms), so its value ` +
          `would read as null while events are still in the window; remove ttl or make it at least the longest window`,
      );
    }
  }
}
