/**
 * Lookups into a dimension whose versions include deletes (a source
 * mirror's `_asof_deleted`): the key is absent from the delete's version
 * time on, a row before it still finds the version then in force, and a
 * delete is never anyone's earliest known version. Named edge cases, then
 * a property against a brute-force oracle written from that rule alone.
 */
import fc from 'fast-check';
import { Bool, Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, lookupRows, type BeforeHistoryPolicy, type LookupBasis, type LookupJoin } from '@asof/core';
import { int64Col, readRows, tsCol } from '../../../../test/helpers/window-arrow.js';

const DAY = 86_400_000_000n;
const bools = (values: readonly (boolean | null)[]) => vectorFromArray(values, new Bool());
const i32 = (values: readonly (number | null)[]) => vectorFromArray(values, new Int32());

/** SKU 1: 10.00 from day 0, deleted on day 10, back at 14.00 on day 20. SKU 2: deleted on day 5 without a version before (a stream's delete). */
const versions = new Table({
  sku_id: int64Col([1n, 1n, 1n, 2n, 2n]),
  updated_at: tsCol([0n, 10n * DAY, 20n * DAY, 5n * DAY, 8n * DAY]),
  price: i32([1000, null, 1400, null, 300]),
  _asof_deleted: bools([false, true, false, true, false]),
});
const lookup = (beforeHistory: BeforeHistoryPolicy = 'null', at: string | null = 'sold_at'): LookupJoin => ({
  on: { sku_id: 'sku_id' },
  at,
  columns: { unit_price: 'price' },
  versionTime: 'updated_at',
  beforeHistory,
  basisColumn: 'basis',
});

describe('lookupRows with deletes', () => {
  it('a row before the delete keeps the version then in force; from the delete time on (inclusive) the key has no version, until it is re-created', () => {
    const rows = new Table({ sku_id: int64Col([1n, 1n, 1n, 1n, 1n]), sold_at: tsCol([9n * DAY, 10n * DAY - 1n, 10n * DAY, 19n * DAY, 20n * DAY]) });
    const { table, counts } = lookupRows(rows, versions, lookup(), { tombstone: '_asof_deleted' });
    expect(readRows(table).map((r) => [r.unit_price, r.basis])).toEqual([
      [1000, 'matched'],
      [1000, 'matched'],
      [null, 'no_version'],
      [null, 'no_version'],
      [1400, 'matched'],
    ]);
    expect(counts).toEqual({ matched: 3, earliestKnown: 0, beforeHistory: 0, noVersion: 2 });
  });

  it('a delete is never the earliest known version: before a key history that starts with a delete, earliestKnown takes its first live version', () => {
    const rows = new Table({ sku_id: int64Col([2n, 2n, 2n]), sold_at: tsCol([1n * DAY, 6n * DAY, 9n * DAY]) });
    const out = readRows(lookupRows(rows, versions, lookup('earliestKnown'), { tombstone: '_asof_deleted' }).table);
    expect(out.map((r) => [r.unit_price, r.basis])).toEqual([
      [300, 'earliest_known'],
      [null, 'no_version'], // deleted on day 5, not yet back
      [300, 'matched'],
    ]);
  });

  it('a key whose only versions are deletes has no version at all, whatever the policy', () => {
    const only = new Table({ sku_id: int64Col([3n]), updated_at: tsCol([4n * DAY]), price: i32([null]), _asof_deleted: bools([true]) });
    const rows = new Table({ sku_id: int64Col([3n, 3n]), sold_at: tsCol([1n * DAY, 5n * DAY]) });
    const out = readRows(lookupRows(rows, only, lookup('earliestKnown'), { tombstone: '_asof_deleted' }).table);
    expect(out.map((r) => [r.unit_price, r.basis])).toEqual([
      [null, 'no_version'],
      [null, 'no_version'],
    ]);
  });

  it('the latest version (`at` null) of a deleted key is none; of a re-created one, the new version', () => {
    const deletedLast = new Table({ sku_id: int64Col([1n, 1n]), updated_at: tsCol([0n, 10n * DAY]), price: i32([1000, null]), _asof_deleted: bools([false, true]) });
    const rows = new Table({ sku_id: int64Col([1n]) });
    expect(readRows(lookupRows(rows, deletedLast, lookup('null', null), { tombstone: '_asof_deleted' }).table).map((r) => [r.unit_price, r.basis])).toEqual([[null, 'no_version']]);
    expect(readRows(lookupRows(rows, versions, lookup('null', null), { tombstone: '_asof_deleted' }).table).map((r) => [r.unit_price, r.basis])).toEqual([[1400, 'matched']]);
  });

  it('a delete and a version at the same instant: the later in the versions wins, as for any tie (the mirror writes a delete after what it deletes)', () => {
    const tie = (deleteLast: boolean) =>
      new Table({
        sku_id: int64Col([1n, 1n]),
        updated_at: tsCol([DAY, DAY]),
        price: i32(deleteLast ? [1000, null] : [null, 1000]),
        _asof_deleted: bools(deleteLast ? [false, true] : [true, false]),
      });
    const rows = new Table({ sku_id: int64Col([1n]), sold_at: tsCol([2n * DAY]) });
    expect(readRows(lookupRows(rows, tie(true), lookup(), { tombstone: '_asof_deleted' }).table)[0]!.unit_price).toBeNull();
    expect(readRows(lookupRows(rows, tie(false), lookup(), { tombstone: '_asof_deleted' }).table)[0]!.unit_price).toBe(1000);
  });

  it('without the option a delete is an ordinary version (callers that pass no tombstone see what they saw before); a tombstone column that is not Bool is refused', () => {
    const rows = new Table({ sku_id: int64Col([1n]), sold_at: tsCol([12n * DAY]) });
    expect(readRows(lookupRows(rows, versions, lookup()).table)[0]).toMatchObject({ unit_price: null, basis: 'matched' });
    const wrong = new Table({ sku_id: int64Col([1n]), updated_at: tsCol([0n]), price: i32([1]), gone: vectorFromArray(['no'], new Utf8()) });
    expect(() => lookupRows(rows, wrong, lookup(), { tombstone: 'gone' })).toThrow(InvalidInputError);
    expect(() => lookupRows(rows, wrong, lookup(), { tombstone: 'missing' })).toThrow(/tombstone column 'missing' not found/);
  });
});

interface Version {
  readonly k: bigint;
  readonly t: bigint;
  readonly v: number;
  readonly deleted: boolean;
}

/** Per row: the versions of its key with time <= at; the last of the greatest time is in force; a delete there means none; before any, the earliest live version or nothing. */
function oracle(rows: readonly { k: bigint; at: bigint }[], versions: readonly Version[], policy: BeforeHistoryPolicy) {
  return rows.map((row) => {
    const mine = versions.map((v, j) => ({ ...v, j })).filter((v) => v.k === row.k);
    const live = mine.filter((v) => !v.deleted);
    if (live.length === 0) return { value: null, basis: 'no_version' as LookupBasis };
    const before = mine.filter((v) => v.t <= row.at);
    if (before.length > 0) {
      const top = before.reduce((a, b) => (b.t >= a.t ? b : a));
      return top.deleted ? { value: null, basis: 'no_version' as LookupBasis } : { value: top.v, basis: 'matched' as LookupBasis };
    }
    if (policy === 'null') return { value: null, basis: 'before_history' as LookupBasis };
    const first = live.reduce((a, b) => (b.t <= a.t ? b : a));
    return { value: first.v, basis: 'earliest_known' as LookupBasis };
  });
}

const time = fc.integer({ min: 0, max: 6 }).map((k) => BigInt(k) * 1000n);
const key = fc.bigInt({ min: 1n, max: 3n });

describe('lookupRows with deletes (property, against a brute-force oracle)', () => {
  it('follows the rule for every mix of versions, deletes, ties and policies', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ k: key, t: time, v: fc.integer({ min: 0, max: 99 }), deleted: fc.boolean() }), { maxLength: 12 }),
        fc.array(fc.record({ k: key, at: time }), { maxLength: 10 }),
        fc.constantFrom<BeforeHistoryPolicy>('null', 'earliestKnown'),
        (vs, rows, policy) => {
          const table = new Table({
            sku_id: int64Col(vs.map((v) => v.k)),
            updated_at: tsCol(vs.map((v) => v.t)),
            price: i32(vs.map((v) => v.v)),
            _asof_deleted: bools(vs.map((v) => v.deleted)),
          });
          const spine = new Table({ sku_id: int64Col(rows.map((r) => r.k)), sold_at: tsCol(rows.map((r) => r.at)) });
          const { table: out, counts } = lookupRows(spine, table, lookup(policy), { tombstone: '_asof_deleted' });
          const want = oracle(rows, vs, policy);
          expect(readRows(out).map((r) => ({ value: r.unit_price, basis: r.basis }))).toEqual(want);
          const tally = (b: LookupBasis) => want.filter((w) => w.basis === b).length;
          expect(counts).toEqual({ matched: tally('matched'), earliestKnown: tally('earliest_known'), beforeHistory: tally('before_history'), noVersion: tally('no_version') });
        },
      ),
      { numRuns: process.env.CI ? 500 : 200 },
    );
  });
});
