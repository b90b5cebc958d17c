import type { Aggregation, Predicate, ScalarValue } from '../definitions/aggregation.js';
import { isAggregation } from '../definitions/aggregation.js';
import type { AnyEntity } from '../definitions/entity.js';
import { isFeatureView } from '../definitions/feature-view.js';
import { DEFAULT_ONLINE_HORIZON_MS } from '../definitions/feature-view-checks.js';
import type { AnyFeatureService } from '../definitions/feature-service.js';
import type { AnyFeatureView } from '../definitions/feature-view.js';
import type { FeatureSpec } from '../definitions/infer.js';
import type { ResolvedLookup } from '../definitions/lookup.js';
import type { Source, SourceColumns } from '../definitions/source.js';
import { dtypeToJson, type DType } from '../dtypes.js';
import type {
  ColumnJson,
  DTypeJson,
  EntityJson,
  FeatureJson,
  FeatureServiceJson,
  FeatureViewJson,
  LookupJson,
  PredicateJson,
  SourceJson,
} from './document.js';
import { encodeScalar } from './scalar-json.js';

/** A dtype as JSON. */
export function dtypeJson(dtype: DType): DTypeJson {
  return dtypeToJson(dtype) as DTypeJson;
}

/** An entity as JSON. */
export function entityToJson(entity: AnyEntity): EntityJson {
  return { name: entity.name, joinKeys: columnsToJson(entity.joinKeys), description: entity.description ?? null };
}

/** A source as JSON, with only the fields its kind has. */
export function sourceToJson(source: Source): SourceJson {
  const base = {
    kind: source.kind,
    name: source.name,
    timestampField: source.timestampField,
    createdTimestampField: source.createdTimestampField,
    columns: source.columns === null ? null : columnsToJson(source.columns),
    primaryKey: source.primaryKey === null ? null : [...source.primaryKey],
    description: source.description ?? null,
  };
  switch (source.kind) {
    case 'mysql_table':
      return { ...base, table: source.table, updatedAtField: source.updatedAtField };
    case 'mysql_query':
      return { ...base, sql: source.sql, updatedAtField: source.updatedAtField };
    case 'parquet':
      return { ...base, path: source.path };
    case 'csv':
      return { ...base, path: source.path, delimiter: source.delimiter };
  }
}

/** One feature as JSON. */
export function featureToJson(name: string, spec: FeatureSpec): FeatureJson {
  if (!isAggregation(spec)) return { name, kind: 'column', dtype: dtypeJson(spec) };
  const agg: Aggregation = spec;
  return {
    name,
    kind: 'aggregation',
    fn: agg.fn,
    column: agg.column,
    windowMs: agg.windowMs,
    where: agg.where.map(predicateToJson),
    dtype: dtypeJson(agg.dtype),
  };
}

/** A feature view as JSON, without its hash (see `hashFeatureView`). */
export function viewToJson(view: AnyFeatureView): FeatureViewJson {
  return {
    name: view.name,
    entities: view.entities.map((e) => e.name),
    source: view.source.name,
    lookups: view.lookups.map(lookupToJson),
    features: Object.entries(view.features).map(([name, spec]) => featureToJson(name, spec)),
    ttlMs: view.ttlMs,
    eventTime: view.eventTime,
    createdTime: view.createdTime,
    transform: view.transform ? { source: view.transform.source } : null,
    description: view.description ?? null,
    tags: { ...view.tags },
    online: view.online,
    // Omitted at the default, so documents from before online horizons stay the same.
    ...(view.onlineHorizonMs !== DEFAULT_ONLINE_HORIZON_MS && { onlineHorizonMs: view.onlineHorizonMs }),
  };
}

/**
 * A lookup as JSON; `versionTime` is left out, it follows from the source.
 * The defaults (`beforeHistory: 'null'`, no basis column) are left out too,
 * so documents and hashes of lookups from before those options stay the same.
 */
export function lookupToJson(lookup: ResolvedLookup): LookupJson {
  return {
    source: lookup.source.name,
    on: { ...lookup.on },
    at: lookup.at,
    columns: { ...lookup.columns },
    ...(lookup.beforeHistory !== 'null' && { beforeHistory: lookup.beforeHistory }),
    ...(lookup.basisColumn !== null && { basisColumn: lookup.basisColumn }),
  };
}

/** A feature service as JSON; a whole view is written `view:*` so reloading keeps the intent. */
export function serviceToJson(service: AnyFeatureService): FeatureServiceJson {
  return {
    name: service.name,
    features: service.features.map((item) => (isFeatureView(item) ? `${item.name}:*` : item.qualifiedName)),
    description: service.description ?? null,
  };
}

function predicateToJson(p: Predicate): PredicateJson {
  if (p.value === undefined) return { column: p.column, op: p.op };
  const value = Array.isArray(p.value)
    ? (p.value as readonly ScalarValue[]).map(encodeScalar)
    : encodeScalar(p.value as ScalarValue);
  return { column: p.column, op: p.op, value };
}

function columnsToJson(columns: SourceColumns): ColumnJson[] {
  return Object.entries(columns).map(([name, dtype]) => ({ name, dtype: dtypeJson(dtype) }));
}
