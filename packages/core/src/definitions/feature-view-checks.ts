import type { DecimalDType, DType } from '../dtypes.js';
import { isAggregation } from './aggregation.js';
import { DefinitionError, nearest } from '../errors.js';
import { isEntity, type AnyEntity, type JoinKeys } from './entity.js';
import { normalizeFeatureSpec } from './feature-spec.js';
import type { FeatureSpec, FeatureSpecs } from './infer.js';
import { assertColumn, assertDescription, assertName, RESERVED_COLUMNS } from './names.js';
import type { Source } from './source.js';
import { toMillis, type DurationInput } from '../time/duration.js';

/** How far past each publish instant a view's online timeline reaches unless it says otherwise: 7 days. */
export const DEFAULT_ONLINE_HORIZON_MS = 7 * 86_400_000;

/** Checks the entity list and merges its join keys; a key shared by two entities must agree on dtype. */
export function validateEntities(input: unknown, what: string): { entities: readonly AnyEntity[]; joinKeys: JoinKeys } {
  if (!Array.isArray(input) || input.length === 0) {
    throw new DefinitionError(`${what} needs entities, a non-empty list such as [account]`);
  }
  const seen = new Set<string>();
  const joinKeys: Record<string, DType> = {};
  for (const entity of input as unknown[]) {
    if (!isEntity(entity)) throw new DefinitionError(`${what}: every entity must come from defineEntity()`);
    if (seen.has(entity.name)) throw new DefinitionError(`${what} lists entity '${entity.name}' twice; list it once`);
    seen.add(entity.name);
    for (const [key, dtype] of Object.entries(entity.joinKeys)) {
      const earlier = joinKeys[key];
      if (earlier && earlier.kind !== dtype.kind) {
        throw new DefinitionError(
          `${what}: join key '${key}' is ${earlier.kind} in one entity and ${dtype.kind} in '${entity.name}'; give them one dtype or rename one`,
        );
      }
      joinKeys[key] = dtype;
    }
  }
  return { entities: [...(input as AnyEntity[])], joinKeys: joinKeys as JoinKeys };
}

/** Checks feature names and specs; returns the canonical specs in declaration order. */
export function validateFeatures(
  input: unknown,
  joinKeys: JoinKeys,
  timeColumns: readonly (string | null)[],
  what: string,
): FeatureSpecs {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || Object.keys(input).length === 0) {
    throw new DefinitionError(`${what} needs features, a non-empty record such as { amount: float64(), invoices_90d: count({ window: '90d' }) }`);
  }
  const features: Record<string, FeatureSpec> = {};
  for (const [feature, spec] of Object.entries(input)) {
    assertName(feature, `${what}: feature name`);
    if (Object.hasOwn(joinKeys, feature)) {
      throw new DefinitionError(`${what}: feature '${feature}' has the name of a join key; rename the feature`);
    }
    if (timeColumns.includes(feature) || RESERVED_COLUMNS.includes(feature)) {
      throw new DefinitionError(
        `${what}: feature '${feature}' has the name of a time column (${[...RESERVED_COLUMNS, ...timeColumns.filter(Boolean)].join(', ')}); rename the feature`,
      );
    }
    features[feature] = normalizeFeatureSpec(spec, `${what}: feature '${feature}'`);
  }
  return features;
}

/** Checks the time columns and the descriptive options; returns the latter with defaults applied. */
export function validateOptions(
  config: { readonly description?: unknown; readonly tags?: unknown; readonly online?: unknown },
  eventTime: unknown,
  createdTime: unknown,
  joinKeys: JoinKeys,
  what: string,
): { description: string | undefined; tags: Readonly<Record<string, string>>; online: boolean; onlineHorizonMs: number } {
  assertColumn(eventTime, `${what}: eventTime`);
  if (createdTime !== null) {
    assertColumn(createdTime, `${what}: createdTime`);
    if (createdTime === eventTime) {
      throw new DefinitionError(`${what}: createdTime must differ from eventTime; pass createdTime: null if there is none`);
    }
  }
  for (const column of [eventTime, createdTime]) {
    if (typeof column === 'string' && Object.hasOwn(joinKeys, column)) {
      throw new DefinitionError(`${what}: time column '${column}' is also a join key; a key cannot be a time`);
    }
  }
  assertDescription(config.description, what);
  const tags = config.tags ?? {};
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags) || Object.values(tags).some((v) => typeof v !== 'string')) {
    throw new DefinitionError(`${what}: tags must be a record of string to string, e.g. { team: 'finance' }`);
  }
  const { online, onlineHorizonMs } = onlineOptions(config.online, what);
  return { description: config.description, tags: { ...(tags as Record<string, string>) }, online, onlineHorizonMs };
}

/**
 * When the source declares its columns and no transform reshapes the row,
 * every column the view reads must be declared (or added by a lookup): a
 * typo fails here, not in the middle of a backfill.
 */
export function validateSourceColumns(source: Source, added: readonly string[], read: readonly string[], what: string): void {
  if (source.columns === null) return;
  const known = [...Object.keys(source.columns), ...added];
  for (const column of read) {
    if (known.includes(column)) continue;
    const suggestion = nearest(column, known);
    throw new DefinitionError(
      `${what} reads column '${column}', which source '${source.name}' does not declare` +
        (suggestion ? `; did you mean '${suggestion}'?` : `; declared: ${known.join(', ')}`) +
        ` (add a lookup or a transform if the view computes it)`,
    );
  }
}

/**
 * A `sum` over a column the source (or a lookup) declares as a decimal must
 * declare a decimal type too: `sum` defaults to float64, which would not be
 * exact (the run would refuse it; this says so at definition time). Only
 * checkable without a transform, whose output columns are not declared.
 */
export function checkDecimalSums(
  features: FeatureSpecs,
  source: Source,
  lookups: readonly { readonly source: Source; readonly columns: Readonly<Record<string, string>> }[],
  what: string,
): void {
  const declared = new Map<string, DType>(Object.entries(source.columns ?? {}));
  for (const lookup of lookups) for (const [output, column] of Object.entries(lookup.columns)) {
    const dtype = lookup.source.columns?.[column];
    if (dtype) declared.set(output, dtype);
  }
  for (const [feature, spec] of Object.entries(features)) {
    if (!isAggregation(spec) || spec.fn !== 'sum' || spec.column === null || spec.dtype.kind === 'decimal') continue;
    const input = declared.get(spec.column);
    if (input?.kind !== 'decimal') continue;
    const { precision, scale } = input as DecimalDType;
    if (spec.dtype.kind === 'float64') {
      throw new DefinitionError(
        `${what}: feature '${feature}' sums '${spec.column}', a decimal(${precision}, ${scale}) column, as float64, which is not exact; ` +
          `declare type: decimal(38, ${scale}), e.g. sum('${spec.column}', { window: …, type: decimal(38, ${scale}) })`,
      );
    }
  }
}

/**
 * `online: true | false | { horizon }`: whether the view is published, and
 * how far past each publish instant its online timeline reaches.
 */
function onlineOptions(value: unknown, what: string): { online: boolean; onlineHorizonMs: number } {
  if (value === undefined || typeof value === 'boolean') return { online: value ?? true, onlineHorizonMs: DEFAULT_ONLINE_HORIZON_MS };
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).some((k) => k !== 'horizon')) {
    throw new DefinitionError(`${what}: online must be true or false, or { horizon: '7d' } (how far past each publish its online timeline reaches)`);
  }
  const horizon = (value as { horizon?: DurationInput }).horizon;
  return { online: true, onlineHorizonMs: horizon === undefined ? DEFAULT_ONLINE_HORIZON_MS : toMillis(horizon, `${what}: online horizon`) };
}
