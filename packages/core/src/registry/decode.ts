import type { Aggregation, Predicate, ScalarValue } from '../definitions/aggregation.js';
import { defineEntity, type AnyEntity, type KeyDType } from '../definitions/entity.js';
import { parseQualifiedName } from '../definitions/feature-ref.js';
import { defineFeatureService, type AnyFeatureService, type ServiceItem } from '../definitions/feature-service.js';
import { createFeatureView, type AnyFeatureView } from '../definitions/feature-view.js';
import type { FeatureSpec } from '../definitions/infer.js';
import type { Lookup } from '../definitions/lookup.js';
import { csvSource, mysqlQuery, mysqlTable, parquetSource, type Source, type SourceColumns } from '../definitions/source.js';
import { dtypeFromJson, type DType } from '../dtypes.js';
import { DefinitionError, nearest } from '../errors.js';
import type {
  ColumnJson,
  EntityJson,
  FeatureJson,
  FeatureServiceJson,
  FeatureViewJson,
  LookupJson,
  PredicateJson,
  SourceJson,
} from './document.js';
import { decodeScalar } from './scalar-json.js';

/** Rebuilds an entity; the builder re-validates it. */
export function entityFromJson(json: EntityJson): AnyEntity {
  return defineEntity({
    name: json.name,
    joinKeys: columnsFromJson(json.joinKeys, `entity '${json.name}'`) as Record<string, KeyDType>,
    description: json.description ?? undefined,
  });
}

/** Rebuilds a source with the builder of its kind. */
export function sourceFromJson(json: SourceJson): Source {
  const what = `source '${json.name}'`;
  const base = {
    name: json.name,
    timestampField: json.timestampField,
    ...(json.createdTimestampField != null && { createdTimestampField: json.createdTimestampField }),
    ...(json.columns != null && { columns: columnsFromJson(json.columns, what) }),
    ...(json.primaryKey != null && { primaryKey: json.primaryKey }),
    ...(json.description != null && { description: json.description }),
  };
  const updatedAt = json.updatedAtField != null ? { updatedAtField: json.updatedAtField } : {};
  switch (json.kind) {
    case 'mysql_table':
      return mysqlTable({ ...base, ...updatedAt, table: json.table as string });
    case 'mysql_query':
      return mysqlQuery({ ...base, ...updatedAt, sql: json.sql as string });
    case 'parquet':
      return parquetSource({ ...base, path: json.path as string });
    case 'csv':
      return csvSource({ ...base, path: json.path as string, ...(json.delimiter !== undefined && { delimiter: json.delimiter }) });
    default:
      throw new DefinitionError(`${what} has unknown kind ${JSON.stringify((json as { kind?: unknown }).kind)}`);
  }
}

/**
 * Rebuilds a view from its JSON and the already rebuilt entities and
 * sources. A transform comes back as text only, marked not executable.
 */
export function viewFromJson(
  json: FeatureViewJson,
  entities: ReadonlyMap<string, AnyEntity>,
  sources: ReadonlyMap<string, Source>,
): AnyFeatureView {
  const what = `feature view '${json.name}'`;
  const source = sources.get(json.source);
  if (!source) throw missing(what, 'source', json.source, sources);
  const features: Record<string, FeatureSpec> = {};
  for (const feature of list<FeatureJson>(json.features, `${what} features`)) {
    features[feature.name] = featureFromJson(feature, `${what}: feature '${feature.name}'`);
  }
  const lookups: Lookup[] = list<LookupJson>(json.lookups ?? [], `${what} lookups`).map((lookup) => {
    const lookupSource = sources.get(lookup.source);
    if (!lookupSource) throw missing(what, 'lookup source', lookup.source, sources);
    return {
      source: lookupSource,
      on: lookup.on,
      ...(lookup.at != null && { at: lookup.at }),
      columns: lookup.columns,
      ...(lookup.beforeHistory != null && { beforeHistory: lookup.beforeHistory }),
      ...(lookup.basisColumn != null && { basisColumn: lookup.basisColumn }),
    };
  });
  const transform = json.transform ? { fn: null, source: String(json.transform.source), executable: false } : null;
  return createFeatureView(
    {
      name: json.name,
      entities: list<string>(json.entities, `${what} entities`).map((name) => {
        const entity = entities.get(name);
        if (!entity) throw missing(what, 'entity', name, entities);
        return entity;
      }),
      source,
      lookups,
      features,
      ttl: json.ttlMs,
      eventTime: json.eventTime,
      createdTime: json.createdTime,
      ...(json.description != null && { description: json.description }),
      tags: json.tags ?? {},
      online: json.onlineHorizonMs != null && json.online !== false ? { horizon: json.onlineHorizonMs } : (json.online ?? true),
    },
    transform,
  );
}

/** Rebuilds a service from `view:feature` / `view:*` items against the rebuilt views. */
export function serviceFromJson(json: FeatureServiceJson, views: ReadonlyMap<string, AnyFeatureView>): AnyFeatureService {
  const what = `feature service '${json.name}'`;
  const items: ServiceItem[] = list<string>(json.features, `${what} features`).map((item) => {
    const parsed = parseQualifiedName(String(item));
    if (!parsed) throw new DefinitionError(`registry document: ${what} item ${JSON.stringify(item)} is not 'view:feature' or 'view:*'`);
    const view = views.get(parsed.view);
    if (!view) throw missing(what, 'feature view', parsed.view, views);
    return parsed.feature === '*' ? view : view.ref(parsed.feature);
  });
  return defineFeatureService({ name: json.name, features: items, ...(json.description != null && { description: json.description }) });
}

function featureFromJson(json: FeatureJson, what: string): FeatureSpec {
  if (json.kind === 'column') return dtype(json.dtype, what);
  if (json.kind !== 'aggregation') throw new DefinitionError(`${what} has unknown kind ${JSON.stringify((json as { kind?: unknown }).kind)}`);
  const where: Predicate[] = list<PredicateJson>(json.where, `${what} where`).map((p) => {
    if (p.value === undefined) return { column: p.column, op: p.op };
    const value: ScalarValue | ScalarValue[] = Array.isArray(p.value)
      ? p.value.map((v: unknown) => decodeScalar(v, what))
      : decodeScalar(p.value, what);
    return { column: p.column, op: p.op, value };
  });
  // The view builder validates the rest; this only restores the runtime shape.
  const agg: Aggregation = { kind: 'aggregation', fn: json.fn, column: json.column, windowMs: json.windowMs, where, dtype: dtype(json.dtype, what) };
  return agg;
}

function missing(what: string, kind: string, name: string, known: ReadonlyMap<string, unknown>): DefinitionError {
  const suggestion = nearest(name, [...known.keys()]);
  return new DefinitionError(
    `registry document: ${what} uses ${kind} '${name}', which the document does not define` +
      (suggestion ? `; did you mean '${suggestion}'?` : ''),
  );
}

function columnsFromJson(columns: readonly ColumnJson[], what: string): SourceColumns {
  const out: Record<string, DType> = {};
  for (const column of list<ColumnJson>(columns, `${what} columns`)) out[column.name] = dtype(column.dtype, `${what}: column '${column.name}'`);
  return out;
}

function dtype(json: unknown, what: string): DType {
  try {
    return dtypeFromJson(json);
  } catch (error) {
    throw new DefinitionError(`${what}: ${(error as Error).message}`, { cause: error });
  }
}

function list<T>(value: unknown, what: string): readonly T[] {
  if (!Array.isArray(value)) throw new DefinitionError(`registry document: ${what} must be a list`);
  return value as T[];
}
