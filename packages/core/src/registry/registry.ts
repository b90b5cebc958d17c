import { isEntity, type AnyEntity } from '../definitions/entity.js';
import { isFeatureService, type AnyFeatureService } from '../definitions/feature-service.js';
import { isFeatureView, type AnyFeatureView } from '../definitions/feature-view.js';
import { isSource, type Source } from '../definitions/source.js';
import { DefinitionError, FeatureNotFoundError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import { entityFromJson, serviceFromJson, sourceFromJson, viewFromJson } from './decode.js';
import { REGISTRY_FORMAT, REGISTRY_VERSION, type RegistryDocument } from './document.js';
import { entityToJson, serviceToJson, sourceToJson, viewToJson } from './encode.js';
import { resolveFeatureReferences, type FeatureReference, type ResolvedFeature } from './resolve.js';
import { hashFeatureView } from './view-hash.js';

/** Anything {@link Registry.register} accepts. */
export type RegistryDefinition = AnyEntity | Source | AnyFeatureView | AnyFeatureService;

/**
 * The set of definitions a feature store serves, by name. Registering a view
 * registers its entities, its source and its lookups' sources, and a service
 * its views. Re-registering an identical definition is a no-op; a different
 * one under a taken name is an error, so two modules cannot silently
 * disagree about a view.
 */
export class Registry {
  readonly #entities = new Map<string, AnyEntity>();
  readonly #sources = new Map<string, Source>();
  readonly #views = new Map<string, AnyFeatureView>();
  readonly #services = new Map<string, AnyFeatureService>();

  /** Adds definitions; returns `this` for chaining. */
  register(...definitions: readonly RegistryDefinition[]): this {
    for (const definition of definitions as readonly unknown[]) {
      if (isEntity(definition)) this.#put(this.#entities, definition, 'entity', entityToJson);
      else if (isSource(definition)) this.#put(this.#sources, definition, 'source', sourceToJson);
      else if (isFeatureView(definition)) this.#registerView(definition);
      else if (isFeatureService(definition)) {
        definition.views.forEach((view) => this.#registerView(view));
        this.#put(this.#services, definition, 'feature service', serviceToJson);
      } else {
        throw new DefinitionError('register() takes entities, sources, feature views and feature services');
      }
    }
    return this;
  }

  /** The entity of that name; throws {@link FeatureNotFoundError} with the nearest name. */
  getEntity(name: string): AnyEntity {
    return lookup(this.#entities, name, 'entity');
  }

  /** The source of that name; throws {@link FeatureNotFoundError} with the nearest name. */
  getSource(name: string): Source {
    return lookup(this.#sources, name, 'source');
  }

  /** The feature view of that name; throws {@link FeatureNotFoundError} with the nearest name. */
  getFeatureView(name: string): AnyFeatureView {
    return lookup(this.#views, name, 'feature view');
  }

  /** The feature service of that name; throws {@link FeatureNotFoundError} with the nearest name. */
  getFeatureService(name: string): AnyFeatureService {
    return lookup(this.#services, name, 'feature service');
  }

  /** All entities, sorted by name. */
  listEntities(): readonly AnyEntity[] {
    return sorted(this.#entities);
  }

  /** All sources, sorted by name. */
  listSources(): readonly Source[] {
    return sorted(this.#sources);
  }

  /** All feature views, sorted by name. */
  listFeatureViews(): readonly AnyFeatureView[] {
    return sorted(this.#views);
  }

  /** All feature services, sorted by name. */
  listFeatureServices(): readonly AnyFeatureService[] {
    return sorted(this.#services);
  }

  /** The content hash of a registered view (see {@link hashFeatureView}). */
  hashOf(view: string | AnyFeatureView): string {
    return hashFeatureView(this.getFeatureView(typeof view === 'string' ? view : view.name));
  }

  /**
   * Resolves `'view:feature'`, `'view:*'`, service names, refs, views and
   * services to features, in order, without duplicates. Unknown names throw
   * {@link FeatureNotFoundError} with the nearest known name.
   */
  resolveFeatures(references: readonly FeatureReference[]): readonly ResolvedFeature[] {
    return resolveFeatureReferences(references, this.#views, this.#services);
  }

  /** Everything as a plain JSON document; `JSON.stringify(registry)` uses it. */
  toJSON(): RegistryDocument {
    return {
      format: REGISTRY_FORMAT,
      version: REGISTRY_VERSION,
      entities: this.listEntities().map(entityToJson),
      sources: this.listSources().map(sourceToJson),
      featureViews: this.listFeatureViews().map((view) => ({ ...viewToJson(view), hash: hashFeatureView(view) })),
      featureServices: this.listFeatureServices().map(serviceToJson),
    };
  }

  /**
   * Rebuilds a registry from {@link Registry.toJSON} output (an object or its
   * JSON text). Every definition is re-validated and every view's stored
   * hash checked. Transforms come back as source text, not executable.
   */
  static fromJSON(document: unknown): Registry {
    const doc = (typeof document === 'string' ? parseJson(document) : document) as Partial<RegistryDocument> | null;
    if (typeof doc !== 'object' || doc === null || doc.format !== REGISTRY_FORMAT) {
      throw new DefinitionError(`not a registry document: expected an object with format '${REGISTRY_FORMAT}'`);
    }
    if (doc.version !== REGISTRY_VERSION) {
      throw new DefinitionError(
        `registry document version ${String(doc.version)} is not supported; this @asof/core reads version ${REGISTRY_VERSION}` +
          (typeof doc.version === 'number' && doc.version > REGISTRY_VERSION ? ', so upgrade @asof/core' : ''),
      );
    }
    const registry = new Registry();
    for (const json of array(doc.entities, 'entities')) registry.register(entityFromJson(json));
    for (const json of array(doc.sources, 'sources')) registry.register(sourceFromJson(json));
    for (const json of array(doc.featureViews, 'featureViews')) {
      const view = viewFromJson(json, registry.#entities, registry.#sources);
      if (json.hash !== undefined && json.hash !== hashFeatureView(view)) {
        throw new DefinitionError(
          `registry document: feature view '${json.name}' does not match its stored hash; it was edited by hand or written ` +
            `by an incompatible asof. Delete its "hash" field to accept the edit`,
        );
      }
      registry.register(view);
    }
    for (const json of array(doc.featureServices, 'featureServices')) registry.register(serviceFromJson(json, registry.#views));
    return registry;
  }

  #registerView(view: AnyFeatureView): void {
    view.entities.forEach((entity) => this.#put(this.#entities, entity, 'entity', entityToJson));
    this.#put(this.#sources, view.source, 'source', sourceToJson);
    view.lookups.forEach((lookup) => this.#put(this.#sources, lookup.source, 'source', sourceToJson));
    const existing = this.#views.get(view.name);
    this.#put(this.#views, view, 'feature view', viewToJson);
    // A view loaded from JSON cannot run its transform; an identical definition from code can, so it wins.
    if (existing && existing.transform?.executable === false && view.transform?.executable) this.#views.set(view.name, view);
  }

  #put<T extends { readonly name: string }>(map: Map<string, T>, definition: T, kind: string, toJson: (d: T) => unknown): void {
    const existing = map.get(definition.name);
    if (existing === undefined) map.set(definition.name, definition);
    else if (existing !== definition && canonicalJson(toJson(existing)) !== canonicalJson(toJson(definition))) {
      throw new DefinitionError(
        `${kind} '${definition.name}' is already registered with a different definition; rename one of them or define it once and import it`,
      );
    }
  }
}

/** A registry holding `definitions`. */
export function createRegistry(...definitions: readonly RegistryDefinition[]): Registry {
  return new Registry().register(...definitions);
}

function lookup<T>(map: ReadonlyMap<string, T>, name: string, kind: string): T {
  const found = map.get(name);
  if (found === undefined) throw new FeatureNotFoundError(name, [...map.keys()], kind);
  return found;
}

function sorted<T>(map: ReadonlyMap<string, T>): readonly T[] {
  return Object.freeze([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v));
}

function array<T>(value: readonly T[] | undefined, field: string): readonly T[] {
  if (!Array.isArray(value)) throw new DefinitionError(`registry document: '${field}' must be a list`);
  return value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DefinitionError(`registry document is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
