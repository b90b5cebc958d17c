import { defineFeatureView, count, type Commit, type OfflineSnapshot } from '@asof/core';
import { describe, expect, it } from 'vitest';
import type { ViewBasis } from '../compute/view-basis.js';
import type { MirrorAppend } from '../mirror/mirror-append.js';
import { account, payments, paymentStats } from '../testing/payments.js';
import { affectedEntities } from './affected-entities.js';

const basis: ViewBasis = { knownAt: 10n, sources: { payments: 3 }, definitionHash: 'h1', complete: true };
const snapshot = (hash: string | null): OfflineSnapshot => ({
  view: paymentStats.name,
  version: hash === null ? 0 : 1,
  committedAt: null,
  files: [],
  commits: hash === null ? [] : [{ version: 1, operation: 'append', definitionHash: hash, watermark: { knownAt: '5', complete: true, sources: { payments: 2 } } } as unknown as Commit],
  retention: null,
  watermark: null,
});
const appended = (source: string, versionsAdded: number, deletesAdded: number) => ({ source, versionsAdded, deletesAdded }) as MirrorAppend;

describe('the affected-entities stage', () => {
  it('is every entity today, saying why the view is recomputed', () => {
    const view = paymentStats;
    expect(affectedEntities({ view, snapshot: snapshot(null), basis, appended: [] })).toEqual({ kind: 'all', reason: 'the first computation of the view' });
    expect(affectedEntities({ view, snapshot: snapshot('h0'), basis, appended: [] }).reason).toBe('its definition changed');
    expect(affectedEntities({ view, snapshot: snapshot('h1'), basis: { ...basis, complete: false }, appended: [] }).reason).toMatch(/^a backfill of an interval/);
    const moved = affectedEntities({ view, snapshot: snapshot('h1'), basis, appended: [appended('payments', 4, 2), appended('other', 9, 9)] });
    expect(moved).toEqual({ kind: 'all', reason: '4 new versions and 2 deletes of its sources; every entity is recomputed (the engine does not yet bound the entities a change reaches)' });
    expect(affectedEntities({ view, snapshot: snapshot('h1'), basis, appended: [] }).reason).toMatch(/^its sources moved since its last computation/);
  });

  it('counts the changes of a lookup source as the view\'s own', () => {
    const view = defineFeatureView({ name: 'v', entities: [account], source: payments, lookups: [{ source: { ...payments, name: 'dims' } as never, on: { payment_id: 'payment_id' }, columns: { x: 'amount' } }], features: { n: count({ window: 'lifetime' }) } });
    expect(affectedEntities({ view, snapshot: snapshot('h1'), basis, appended: [appended('dims', 0, 1)] }).reason).toMatch(/^0 new versions and 1 deletes/);
  });
});
