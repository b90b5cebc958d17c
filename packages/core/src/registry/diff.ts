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

/** A view whose name changed while its definition (its content hash, which leaves the name out) did not. */
export interface RenamedView {
  readonly from: string;
  readonly to: string;
  readonly hash: string;
}

/** A {@link RegistryDiff} whose removed/added pairs of one definition are reported as renames instead. */
export interface RegistryDiffWithRenames extends RegistryDiff {
  readonly renamed: readonly RenamedView[];
}

/**
 * Pairs a removed view with an added one when both have the same content
 * hash (the name is not hashed): a rename, not a removal and an addition.
 * Only unambiguous pairs count: a hash that more than one removed or more
 * than one added view share stays as removals and additions.
 */
export function findRenames(diff: RegistryDiff, previous: Registry, next: Registry): RegistryDiffWithRenames {
  const byHash = (names: readonly string[], registry: Registry) => {
    const out = new Map<string, string[]>();
    for (const name of names) {
      const hash = registry.hashOf(name);
      out.set(hash, [...(out.get(hash) ?? []), name]);
    }
    return out;
  };
  const removedByHash = byHash(diff.removed, previous);
  const addedByHash = byHash(diff.added, next);
  const renamed: RenamedView[] = [];
  for (const [hash, removed] of removedByHash) {
    const added = addedByHash.get(hash);
    if (removed.length === 1 && added?.length === 1) renamed.push({ from: removed[0]!, to: added[0]!, hash });
  }
  renamed.sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
  const from = new Set(renamed.map((r) => r.from));
  const to = new Set(renamed.map((r) => r.to));
  return { ...diff, added: diff.added.filter((n) => !to.has(n)), removed: diff.removed.filter((n) => !from.has(n)), renamed };
}
