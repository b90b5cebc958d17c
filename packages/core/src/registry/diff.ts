import type { Registry } from './registry.js';

/** A view whose content hash differs between two registries. */
export interface ChangedView {
  readonly name: string;
  readonly before: string;
  readonly after: string;
}

/** How the feature views of two registries differ, by content hash; every list is sorted by name. */
export interface RegistryDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly ChangedView[];
  readonly unchanged: readonly string[];
}

/**
 * Compares feature views by content hash: which `next` adds, which it
 * removes, which it changes (and so need re-materializing), which stay.
 * A change to a view's lookups, or to a source it reads (its own or a
 * lookup's, primary key included), changes it. Description, tag and
 * `online` edits do not count as changes.
 */
export function diffRegistries(previous: Registry, next: Registry): RegistryDiff {
  const before = new Map(previous.listFeatureViews().map((v) => [v.name, previous.hashOf(v.name)]));
  const after = new Map(next.listFeatureViews().map((v) => [v.name, next.hashOf(v.name)]));
  const added: string[] = [];
  const changed: ChangedView[] = [];
  const unchanged: string[] = [];
  for (const [name, hash] of after) {
    const old = before.get(name);
    if (old === undefined) added.push(name);
    else if (old !== hash) changed.push({ name, before: old, after: hash });
    else unchanged.push(name);
  }
  const removed = [...before.keys()].filter((name) => !after.has(name));
  return { added, removed, changed, unchanged };
}
