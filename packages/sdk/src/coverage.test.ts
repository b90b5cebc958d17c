/** Coverage warnings on a small store whose commits record what they computed: gaps, views never materialized, asKnownAt before any run. */
import { CoverageError } from '@asof/core';
import type { ViewWatermark } from '@asof/stores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from './feature-store.js';
import { commitRows, removeRoots, risk, tempRoot, writeRegistry, type StoredRow } from './testing/fixture.js';

const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
const row = (event: string, created: string, score: number): StoredRow => ({ account_id: 1n, event_ts: us(event), created_ts: us(created), _asof_deleted: false, score, amount: 1n });
const restricted = (knownAt: string, start: string, end: string): ViewWatermark => ({
  knownAt: String(us(knownAt)),
  complete: false,
  interval: { start: String(us(start)), end: String(us(end)) },
});

let store: FeatureStore;

beforeAll(async () => {
  const root = await tempRoot();
  await writeRegistry(root);
  // Two backfills, January and March 2024, known at the end of each; February was never computed. `prices` was never materialized.
  await commitRows(
    root,
    risk,
    [[row('2024-01-10T00:00:00Z', '2024-01-31T00:00:00Z', 0.1)], [row('2024-03-10T00:00:00Z', '2024-03-31T00:00:00Z', 0.3)]],
    [restricted('2024-01-31T00:00:00Z', '2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z'), restricted('2024-03-31T00:00:00Z', '2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z')],
  );
  store = await FeatureStore.open({ root, online: 'none' });
});
afterAll(removeRoots);

const spine = (...times: string[]) => times.map((t) => ({ account_id: 1n, event_timestamp: t }));

describe('coverage warnings', () => {
  it('counts rows in a gap between the computed ranges', async () => {
    const t = await store.getHistoricalFeatures({ entities: spine('2024-01-15T00:00:00Z', '2024-02-15T00:00:00Z', '2024-03-15T00:00:00Z'), features: ['risk:score'] });
    expect(t.toArray().map((r) => r.score)).toEqual([0.1, 0.1, 0.3]); // the February answer is January's row, never recomputed
    expect(t.warnings.map((w) => [w.kind, w.count, w.total])).toEqual([['uncovered', 1, 3]]);
    expect(t.warnings[0]!.message).toMatch(
      /^view 'risk': 1 of 3 entity rows is in a gap between the ranges it was materialized over \(computed: \[2024-01-01T00:00:00Z, 2024-02-01T00:00:00Z\), \[2024-03-01T00:00:00Z, 2024-04-01T00:00:00Z\)\)\./,
    );
  });

  it('takes the knowledge time of the range a time falls in', async () => {
    const t = await store.getHistoricalFeatures({ entities: spine('2024-01-31T00:00:00Z', '2024-01-31T00:00:01Z', '2024-03-20T00:00:00Z'), features: ['risk:score'] });
    expect(t.warnings.map((w) => [w.kind, w.count])).toEqual([['past-knowledge', 1]]);
    expect(t.warnings[0]!.message).toContain('1 of 3 entity rows is after 2024-01-31T00:00:00Z, its knowledge time');
  });

  it('with asKnownAt, only the runs known by then count', async () => {
    const t = await store.asOf('2024-03-15T00:00:00Z', { features: ['risk:score'], entities: [{ account_id: 1n }], asKnownAt: '2024-02-15T00:00:00Z' });
    expect(t.toArray()[0]!.score).toBe(0.1);
    expect(t.warnings.map((w) => w.message.split(' (computed')[0])).toEqual(["view 'risk': asOf 2024-03-15T00:00:00Z is at or after 2024-02-01T00:00:00Z, the end of what it was materialized over"]);
    const before = await store.asOf('2024-01-15T00:00:00Z', { features: ['risk:score'], entities: [{ account_id: 1n }], asKnownAt: '2024-01-01T00:00:00Z' });
    expect(before.warnings.map((w) => w.message)).toEqual([
      "view 'risk' had computed nothing known by 2024-01-01T00:00:00Z (asKnownAt, the source's clock): asOf 2024-01-15T00:00:00Z is answered with null features.",
    ]);
  });

  it('says when a view was never materialized, and raises under strict', async () => {
    const t = await store.asOf('2024-03-15T00:00:00Z', { features: ['prices:price'], entities: [{ sku_id: 5n }] });
    expect(t.warnings.map((w) => w.message)).toEqual(["view 'prices' has never been materialized (asof materialize): asOf 2024-03-15T00:00:00Z is answered with null features."]);
    const error = await store.asOf('2024-03-15T00:00:00Z', { features: ['prices:price'], entities: [{ sku_id: 5n }], strict: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoverageError);
    expect((error as CoverageError).view).toBe('prices');
  });

  it('stays silent for views whose log records no computation (rows written by hand)', async () => {
    const root = await tempRoot();
    await writeRegistry(root);
    await commitRows(root, risk, [[row('2024-01-10T00:00:00Z', '2024-01-31T00:00:00Z', 0.1)]]);
    const plain = await FeatureStore.open({ root, online: 'none' });
    expect((await plain.asOf('2030-01-01T00:00:00Z', { features: ['risk:score'], strict: true })).warnings).toEqual([]);
    expect((await plain.freshness()).get('risk')).toMatchObject({ coverage: 'unknown', complete: false, knownAt: null });
  });
});
