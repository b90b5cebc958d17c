import type { AnyFeatureView } from '../definitions/feature-view.js';
import type { Source } from '../definitions/source.js';
import { canonicalJson, contentHash } from './canonical-json.js';
import { entityToJson, featureToJson, lookupToJson, sourceToJson } from './encode.js';

/** Bumped whenever the hashed content changes shape, so old and new hashes never collide by accident. */
const HASH_VERSION = 1;

const cache = new WeakMap<AnyFeatureView, string>();

/**
 * The content hash of a view: sha256 over canonical JSON of everything that
 * decides its rows (entities and their join keys, the source incl. its
 * primary key, the lookups with their sources and policies, every feature spec incl.
 * windows and filters, ttl, time columns, the transform's source text).
 * Descriptions, tags and `online` are left out: editing them does not call
 * for re-materializing. Feature order and object key order do not matter;
 * join key order does (the layout of composite keys), and so does lookup
 * order (a lookup may read what an earlier one added). A view that uses
 * neither primary keys nor lookups hashes as it did before they existed.
 */
export function hashFeatureView(view: AnyFeatureView): string {
  let hash = cache.get(view);
  if (hash === undefined) {
    hash = contentHash(hashPayload(view));
    cache.set(view, hash);
  }
  return hash;
}

function hashPayload(view: AnyFeatureView): unknown {
  return {
    hashVersion: HASH_VERSION,
    entities: view.entities.map((entity) => {
      const json = entityToJson(entity);
      return { name: json.name, joinKeys: json.joinKeys.map((k) => [k.name, k.dtype]) };
    }),
    source: sourcePayload(view.source),
    // Omitted when empty (canonicalJson drops undefined), so hashes from before lookups stay valid.
    lookups: view.lookups.length === 0 ? undefined : view.lookups.map((l) => ({ ...lookupToJson(l), source: sourcePayload(l.source) })),
    features: Object.fromEntries(
      Object.entries(view.features).map(([name, spec]) => {
        const json = featureToJson(name, spec);
        // A filter is a conjunction, so the order its predicates were written in is not content.
        const where = json.kind === 'aggregation' ? [...json.where].sort(byCanonical) : undefined;
        return [name, { ...json, name: undefined, where }];
      }),
    ),
    ttlMs: view.ttlMs,
    eventTime: view.eventTime,
    createdTime: view.createdTime,
    transform: view.transform?.source ?? null,
  };
}

function sourcePayload(input: Source): unknown {
  const source = sourceToJson(input);
  return {
    ...source,
    description: undefined,
    columns: source.columns && Object.fromEntries(source.columns.map((c) => [c.name, c.dtype])),
    primaryKey: source.primaryKey ?? undefined,
  };
}

function byCanonical(a: unknown, b: unknown): number {
  const x = canonicalJson(a);
  const y = canonicalJson(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
