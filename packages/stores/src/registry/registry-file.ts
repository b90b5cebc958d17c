import { AsofError, Registry, type IoOptions, type ObjectStore } from '@asof/core';

/** Where `asof apply` keeps the applied registry, relative to the store root. */
export const REGISTRY_KEY = 'registry.json';

/** The applied registry and its exact text, as read from the root. */
export interface StoredRegistry {
  readonly registry: Registry;
  readonly text: string;
}

/**
 * The registry last applied to a root (`asof apply` writes it), or `null`
 * if none was. A document that does not parse throws `AsofError` (`CONFIG`)
 * naming where it was read from.
 */
export async function readRegistry(objects: ObjectStore, options?: IoOptions): Promise<StoredRegistry | null> {
  const bytes = await objects.get(REGISTRY_KEY, options);
  if (!bytes) return null;
  const text = new TextDecoder().decode(bytes);
  try {
    return { registry: Registry.fromJSON(text), text };
  } catch (error) {
    throw new AsofError('CONFIG', `cannot read the applied registry ${registryLocation(objects)}: ${(error as Error).message}`, { cause: error });
  }
}

/** `<root>/registry.json`, for messages (without the ` (endpoint …)` an S3 store's description ends with). */
export function registryLocation(objects: ObjectStore): string {
  return `${objects.describe().replace(/ \(.*\)$/, '').replace(/\/$/, '')}/${REGISTRY_KEY}`;
}
