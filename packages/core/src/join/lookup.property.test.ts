/**
 * `lookupRows` against a brute-force oracle written from DESIGN §3 alone:
 * for each row, scan every version of its key; the one in force at `at` is
 * the greatest version time `<= at` (ties: the later version); before the
 * key's first version the policy gives null or the earliest version (ties:
 * the later one); a null or unknown key, or a null `at`, gives no version.
 * Times sit on a coarse grid so ties and exact boundaries are common.
 */
import fc from 'fast-check';
import { Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { lookupRows, type BeforeHistoryPolicy, type LookupBasis, type LookupJoin } from '@asof/core';
import { int64Col, readRows, tsCol } from '../../../../test/helpers/window-arrow.js';

const RUNS = process.env.CI ? 500 : 150;

interface Version {
  readonly a: bigint | null;
  readonly b: string | null;
  readonly t: bigint;
  readonly v: number | null;
}
interface Row {
  readonly a: bigint | null;
  readonly b: string | null;
  readonly at: bigint | null;
}

function oracle(rows: readonly Row[], versions: readonly Version[], composite: boolean, latest: boolean, policy: BeforeHistoryPolicy) {
  return rows.map((row) => {
    const keyNull = row.a === null || (composite && row.b === null);
    const mine = keyNull ? [] : versions.map((v, j) => ({ v, j })).filter(({ v }) => v.a === row.a && (!composite || v.b === row.b));
    const pick = (candidates: typeof mine, better: (x: bigint, y: bigint) => boolean) =>
      candidates.reduce<(typeof mine)[number] | null>((best, c) => (best === null || better(c.v.t, best.v.t) || c.v.t === best.v.t ? c : best), null);
    let basis: LookupBasis;
    let chosen: (typeof mine)[number] | null = null;
    if (mine.length === 0) basis = 'no_version';
    else if (latest) {
      chosen = pick(mine, (x, y) => x > y);
      basis = 'matched';
    } else if (row.at === null) basis = 'no_version';
    else {
      chosen = pick(
        mine.filter(({ v }) => v.t <= row.at!),
        (x, y) => x > y,
      );
      if (chosen) basis = 'matched';
      else if (policy === 'earliestKnown') {
        chosen = pick(mine, (x, y) => x < y);
        basis = 'earliest_known';
      } else basis = 'before_history';
    }
    return { value: chosen ? chosen.v.v : null, version: chosen ? chosen.j : null, basis };
  });
}

const key = fc.option(fc.bigInt({ min: 1n, max: 4n }), { freq: 8 });
const sub = fc.option(fc.constantFrom('x', 'y'), { freq: 8 });
const time = fc.integer({ min: 0, max: 8 }).map((k) => BigInt(k) * 1000n);
const caseArb = fc.record({
  composite: fc.boolean(),
  latest: fc.boolean(),
  policy: fc.constantFrom<BeforeHistoryPolicy>('null', 'earliestKnown'),
  versions: fc.array(fc.record({ a: key, b: sub, t: time, v: fc.option(fc.integer({ min: 0, max: 99 }), { freq: 6 }) }), { maxLength: 14 }),
  rows: fc.array(fc.record({ a: key, b: sub, at: fc.option(time, { freq: 6 }) }), { maxLength: 14 }),
});

describe('lookupRows (property, against a brute-force oracle)', () => {
  it('takes the version in force, follows the before-history policy, and marks and counts every row', () => {
    fc.assert(
      fc.property(caseArb, ({ composite, latest, policy, versions, rows }) => {
        const on: Record<string, string> = composite ? { a: 'a', b: 'b' } : { a: 'a' };
        const lookup: LookupJoin = { on, at: latest ? null : 'at', columns: { value: 'v', which: 'j' }, versionTime: 't', beforeHistory: latest ? 'null' : policy, basisColumn: 'basis' };
        const versionTable = new Table({
          a: int64Col(versions.map((v) => v.a)),
          b: vectorFromArray(versions.map((v) => v.b), new Utf8()),
          t: tsCol(versions.map((v) => v.t)),
          v: vectorFromArray(versions.map((v) => v.v), new Int32()),
          j: vectorFromArray(versions.map((_, j) => j), new Int32()),
        });
        const rowTable = new Table({
          a: int64Col(rows.map((r) => r.a)),
          b: vectorFromArray(rows.map((r) => r.b), new Utf8()),
          at: tsCol(rows.map((r) => r.at)),
        });
        const { table, counts } = lookupRows(rowTable, versionTable, lookup);
        const got = readRows(table).map((r) => ({ value: r.value, version: r.which, basis: r.basis }));
        const want = oracle(rows, versions, composite, latest, latest ? 'null' : policy);
        expect(got).toEqual(want);
        const tally = (b: LookupBasis) => want.filter((w) => w.basis === b).length;
        expect(counts).toEqual({ matched: tally('matched'), earliestKnown: tally('earliest_known'), beforeHistory: tally('before_history'), noVersion: tally('no_version') });
      }),
      { numRuns: RUNS },
    );
  });
});
