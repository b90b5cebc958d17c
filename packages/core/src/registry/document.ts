import type { AggregationFunction, PredicateOp } from '../definitions/aggregation.js';
import type { SourceKind } from '../definitions/source.js';

/** Identifies a registry document among other JSON files. */
export const REGISTRY_FORMAT = 'asof.registry';

/** The document version this code writes; it reads this version only. */
export const REGISTRY_VERSION = 1;

/** A dtype as JSON (`dtypeToJson`), e.g. `{ "kind": "decimal", "precision": 12, "scale": 2 }`. */
export type DTypeJson = Readonly<Record<string, unknown>> & { readonly kind: string };

/**
 * A filter literal as JSON. JSON has no bigint and no NaN/Infinity, so those
 * are tagged objects rather than numbers that would silently lose digits.
 */
export type ScalarJson = string | number | boolean | null | { readonly $bigint: string } | { readonly $number: 'NaN' | 'Infinity' | '-Infinity' };

/** A named column with its dtype; a list keeps order explicit for any JSON reader. */
export interface ColumnJson {
  readonly name: string;
  readonly dtype: DTypeJson;
}

/** An entity as JSON. */
export interface EntityJson {
  readonly name: string;
  readonly joinKeys: readonly ColumnJson[];
  readonly description: string | null;
}

/** A source as JSON; which optional fields are present depends on `kind`. */
export interface SourceJson {
  readonly kind: SourceKind;
  readonly name: string;
  readonly timestampField: string;
  readonly createdTimestampField: string | null;
  readonly columns: readonly ColumnJson[] | null;
  /** Always written; absent in documents from before primary keys, read as `null`. */
  readonly primaryKey?: readonly string[] | null;
  readonly description: string | null;
  readonly table?: string;
  readonly sql?: string;
  readonly path?: string;
  readonly delimiter?: string;
  readonly updatedAtField?: string | null;
}

/** A filter predicate as JSON. */
export interface PredicateJson {
  readonly column: string;
  readonly op: PredicateOp;
  readonly value?: ScalarJson | readonly ScalarJson[];
}

/** A feature as JSON: a plain column or an aggregation spec. */
export type FeatureJson =
  | { readonly name: string; readonly kind: 'column'; readonly dtype: DTypeJson }
  | {
      readonly name: string;
      readonly kind: 'aggregation';
      readonly fn: AggregationFunction;
      readonly column: string | null;
      /** `null` = lifetime. */
      readonly windowMs: number | null;
      readonly where: readonly PredicateJson[];
      readonly dtype: DTypeJson;
    };

/** A lookup as JSON; its source is referenced by name (the document's `sources` holds it). */
export interface LookupJson {
  readonly source: string;
  readonly on: Readonly<Record<string, string>>;
  readonly at: string | null;
  readonly columns: Readonly<Record<string, string>>;
  /** Written only when `'earliestKnown'`; absent (documents from before it, too) = `'null'`. */
  readonly beforeHistory?: 'null' | 'earliestKnown';
  /** Written only when set; absent = no basis column. */
  readonly basisColumn?: string;
}

/** A feature view as JSON; entities and sources are referenced by name. */
export interface FeatureViewJson {
  readonly name: string;
  readonly entities: readonly string[];
  readonly source: string;
  /** In application order. Always written; absent in documents from before lookups, read as none. */
  readonly lookups?: readonly LookupJson[];
  readonly features: readonly FeatureJson[];
  readonly ttlMs: number | null;
  readonly eventTime: string;
  readonly createdTime: string | null;
  /** Only the source text: code cannot be stored, so a loaded view's transform cannot run. */
  readonly transform: { readonly source: string } | null;
  readonly description: string | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly online: boolean;
  /** How far past each publish the online timeline reaches (ms); absent: the default, 7 days. Not part of the hash. */
  readonly onlineHorizonMs?: number;
  /** Content hash (see `hashFeatureView`); checked on load, omit it to accept a hand edit. */
  readonly hash?: string;
}

/** A feature service as JSON: items as `view:feature` or `view:*` for a whole view. */
export interface FeatureServiceJson {
  readonly name: string;
  readonly features: readonly string[];
  readonly description: string | null;
}

/** Everything a registry holds, as plain JSON, each list sorted by name. */
export interface RegistryDocument {
  readonly format: typeof REGISTRY_FORMAT;
  readonly version: typeof REGISTRY_VERSION;
  readonly entities: readonly EntityJson[];
  readonly sources: readonly SourceJson[];
  readonly featureViews: readonly FeatureViewJson[];
  readonly featureServices: readonly FeatureServiceJson[];
}
