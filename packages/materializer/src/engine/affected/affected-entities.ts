import type { AnyFeatureView, OfflineSnapshot } from '@asof/core';
import { lastComputation, type ViewBasis } from '../compute/view-basis.js';
import type { MirrorAppend } from '../mirror/mirror-append.js';

/**
 * Which entities of a view a run recomputes and publishes. Today always
 * every one (`all`), with the reason; the incremental engine will add a
 * `keys` kind (the entities the mirrored changes reach, as a table of join
 * keys) and fall back to `all` when a change's reach cannot be bounded (a
 * new definition, a first run).
 */
export type AffectedEntities = { readonly kind: 'all'; readonly reason: string };

/** What the affected-entities stage decides from. */
export interface AffectedInput {
  readonly view: AnyFeatureView;
  /** The view's snapshot the run computes against. */
  readonly snapshot: OfflineSnapshot;
  /** What the run's computation reads. */
  readonly basis: ViewBasis;
  /** What the run's mirror stage added to each source (the view's among them). */
  readonly appended: readonly MirrorAppend[];
}

/**
 * The affected-entities stage: every entity, because nothing yet bounds
 * the entities a change reaches. The reason says why the view is
 * recomputed at all: its first computation, a changed definition, a
 * backfill interval, or new versions and deletes of its sources (counted).
 */
export function affectedEntities(input: AffectedInput): AffectedEntities {
  const last = lastComputation(input.snapshot);
  if (!last) return { kind: 'all', reason: 'the first computation of the view' };
  if (last.commit.definitionHash !== input.basis.definitionHash) return { kind: 'all', reason: 'its definition changed' };
  if (!input.basis.complete) return { kind: 'all', reason: 'a backfill of an interval recomputes every entity in it' };
  const names = new Set([input.view.source.name, ...input.view.lookups.map((l) => l.source.name)]);
  const mine = input.appended.filter((a) => names.has(a.source));
  const versions = mine.reduce((n, a) => n + a.versionsAdded, 0);
  const deletes = mine.reduce((n, a) => n + a.deletesAdded, 0);
  const what = versions + deletes > 0 ? `${versions} new versions and ${deletes} deletes of its sources` : 'its sources moved since its last computation';
  return { kind: 'all', reason: `${what}; every entity is recomputed (the engine does not yet bound the entities a change reaches)` };
}
