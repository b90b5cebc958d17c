import type { IoOptions, ObjectStore, Registry } from '@asof/core';
import { REGISTRY_KEY } from '@asof/stores';

// Reading lives in @asof/stores so the SDK can read what `apply` wrote without depending on the materializer.
export { REGISTRY_KEY, readRegistry, registryLocation, type StoredRegistry } from '@asof/stores';

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
