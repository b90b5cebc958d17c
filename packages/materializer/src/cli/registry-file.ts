import { AsofError, Registry, type IoOptions, type ObjectStore } from '@asof/core';

/** Where `asof apply` keeps the applied registry, relative to the root. */
export const REGISTRY_KEY = 'registry.json';

/** The applied registry and its exact text, as read from the root. */
export interface StoredRegistry {
  readonly registry: Registry;
  readonly text: string;
}

/** The registry last applied to a root, or `null` if none was. */
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

/** The text `apply` writes: stable (sorted by name, 2-space JSON), so an unchanged registry gives the same bytes. */
export function registryText(registry: Registry): string {
  return `${JSON.stringify(registry, null, 2)}\n`;
}

/**
 * Writes the registry. A plain atomic overwrite: the last `apply` wins, as
 * in Feast; readers always see a whole document.
 */
export async function writeRegistry(objects: ObjectStore, text: string, options?: IoOptions): Promise<void> {
  await objects.put(REGISTRY_KEY, new TextEncoder().encode(text), options);
}

/** `<root>/registry.json`, for messages (without the ` (endpoint …)` an S3 store's description ends with). */
export function registryLocation(objects: ObjectStore): string {
  return `${objects.describe().replace(/ \(.*\)$/, '').replace(/\/$/, '')}/${REGISTRY_KEY}`;
}
