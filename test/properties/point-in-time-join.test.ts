/**
 * Properties of pointInTimeJoin (DESIGN §3) against two independent oracles:
 * a brute-force JS oracle and a DuckDB window-function query. Every property
 * runs 1000 times in CI (`CI` set), the DuckDB one included; locally fewer.
 * `PIT_RUNS` / `PIT_DUCK_RUNS` override; `PIT_SEED` replays a failure.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { pointInTimeJoin } from '@asof/core';
import { oracleChoose, pitOracle } from '../oracles/pit-oracle.js';
import { closeDuckDbOracle, duckDbOracle } from '../oracles/duckdb-oracle.js';
import { tableCells } from '../helpers/arrow.js';
import {
  checkOutput,
  describeCase,
  DUCK_TYPES,
  pitCaseArb,
  toArrow,
  toOracle,
  type KeyKind,
  type PitCase,
} from '../helpers/pit-cases.js';

const CI = Boolean(process.env.CI);
const RUNS = Number(process.env.PIT_RUNS ?? (CI ? 1000 : 300));
const DUCK_RUNS = Number(process.env.PIT_DUCK_RUNS ?? (CI ? 1000 : 200));
const SEED = process.env.PIT_SEED === undefined ? undefined : Number(process.env.PIT_SEED);
const params = (numRuns: number): fc.Parameters<[PitCase]> => ({ numRuns, ...(SEED === undefined ? {} : { seed: SEED }) });

const KINDS: readonly KeyKind[] = ['int64', 'utf8', 'composite'];

function runJoin(c: PitCase) {
  const a = toArrow(c);
  return { a, out: pointInTimeJoin(a.spine, a.rows, a.options) };
}

afterAll(async () => {
  await closeDuckDbOracle();
});

describe('pointInTimeJoin == brute-force oracle', () => {
  for (const kind of KINDS) {
    it(`${kind} keys (${RUNS} runs)`, () => {
      fc.assert(
        fc.property(pitCaseArb(kind), (c) => {
          const { a, out } = runJoin(c);
          const o = toOracle(c);
          const expected = pitOracle(o.spine, o.rows, a.outputFeatures.map(([, src]) => src), o.options);
          const problems = checkOutput(c, a, out, { ...expected, deleted: expected.deleted });
          if (problems.length) throw new Error(`${problems.join('\n')}\ncase: ${describeCase(c)}`);
        }),
        params(RUNS),
      );
    });
  }

  it(`large cases, many chunks (${Math.ceil(RUNS / 5)} runs)`, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS).chain((kind) => pitCaseArb(kind, { maxSpine: 200, maxRows: 300 })),
        (c) => {
          const { a, out } = runJoin(c);
          const o = toOracle(c);
          const expected = pitOracle(o.spine, o.rows, a.outputFeatures.map(([, src]) => src), o.options);
          const problems = checkOutput(c, a, out, expected);
          if (problems.length) throw new Error(`${problems.join('\n')}\ncase: ${describeCase(c)}`);
        },
      ),
      params(Math.ceil(RUNS / 5)),
    );
  });
});

describe('pointInTimeJoin == DuckDB window-function oracle', () => {
  it(`all key kinds (${DUCK_RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...KINDS).chain((kind) => pitCaseArb(kind, { maxSpine: 30, maxRows: 40 })),
        async (c) => {
          const { a, out } = runJoin(c);
          const o = toOracle(c);
          const duck = await duckDbOracle({
            keyTypes: o.keyTypes,
            spine: o.spine,
            rows: o.rows,
            features: a.outputFeatures.map(([, src]) => ({ name: src, type: DUCK_TYPES[src] })),
            ttlMs: o.options.ttlMs,
            asKnownAt: o.options.asKnownAt,
          });
          // The two oracles must agree on the chosen row before either judges the join.
          expect(duck.chosen).toEqual(oracleChoose(o.spine, o.rows, o.options));
          const deleted = duck.chosen.map((r) => r !== null && o.rows[r]!.tombstone);
          const problems = checkOutput(c, a, out, { ...duck, deleted });
          if (problems.length) throw new Error(`${problems.join('\n')}\ncase: ${describeCase(c)}`);
        },
      ),
      { numRuns: DUCK_RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  }, 600_000);
});

describe('metamorphic', () => {
  it(`permuting the spine permutes the output identically (${RUNS} runs)`, () => {
    const arb = fc.constantFrom(...KINDS).chain((kind) =>
      pitCaseArb(kind).chain((c) =>
        fc.array(fc.double({ noNaN: true }), { minLength: c.spine.length, maxLength: c.spine.length }).map((w) => {
          const perm = [...c.spine.keys()].sort((i, j) => w[i]! - w[j]! || i - j);
          return { c, perm };
        }),
      ),
    );
    fc.assert(
      fc.property(arb, ({ c, perm }) => {
        const { out } = runJoin(c);
        const permuted: PitCase = { ...c, spine: perm.map((i) => c.spine[i]!) };
        const { out: outP } = runJoin(permuted);
        const cells = tableCells(out);
        const cellsP = tableCells(outP);
        expect(Object.keys(cellsP)).toEqual(Object.keys(cells));
        for (const name of Object.keys(cells)) {
          expect(cellsP[name], `column ${name}`).toEqual(perm.map((i) => cells[name]![i]));
        }
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  });

  it(`re-chunking the inputs never changes the result (${RUNS} runs)`, () => {
    const arb = fc.constantFrom(...KINDS).chain((kind) =>
      fc.tuple(
        pitCaseArb(kind),
        fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 6 }),
      ),
    );
    fc.assert(
      fc.property(arb, ([c, spineChunks, rowChunks]) => {
        const { out } = runJoin(c);
        const { out: out2 } = runJoin({ ...c, spineChunks, rowChunks, chunkMode: c.chunkMode === 'copy' ? 'slice' : 'copy' });
        expect(tableCells(out2)).toEqual(tableCells(out));
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  });
});
