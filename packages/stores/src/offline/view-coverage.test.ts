import fc from 'fast-check';
import { COMMIT_FORMAT, type Commit, type DataFileEntry } from '@asof/core';
import { describe, expect, it } from 'vitest';
import { viewCoverage, type ViewWatermark } from './view-coverage.js';

const RUNS = process.env.CI ? 1000 : 300;

/** A run as the test generates it: restricted to [start, end) or complete. */
interface Run {
  readonly knownAt: bigint;
  /** Created time of its rows (>= knownAt: a changed definition bumps it). */
  readonly createdAt: bigint;
  readonly interval: { readonly start: bigint; readonly end: bigint } | null;
}

function file(createdAt: bigint | null): DataFileEntry {
  return {
    path: `data/x-${Math.random()}.parquet`,
    partition: '2024-01',
    rows: 1,
    bytes: 1,
    minEventTs: '0',
    maxEventTs: '0',
    minCreatedTs: createdAt === null ? null : String(createdAt),
    maxCreatedTs: createdAt === null ? null : String(createdAt),
    seq: '1',
  };
}

function commit(version: number, watermark: unknown, added: DataFileEntry[], operation: Commit['operation'] = 'append', interval: Commit['interval'] = null): Commit {
  return {
    format: COMMIT_FORMAT,
    view: 'v',
    version,
    commitId: `c${version}`,
    committedAt: new Date(Date.UTC(2024, 0, 1) + version * 1000).toISOString(),
    operation,
    readVersion: version - 1,
    added,
    removed: [],
    watermark,
    interval,
    definitionHash: null,
    retention: null,
    writer: { library: 'test', version: '0', host: 'h', pid: 1 },
  };
}

function runCommit(version: number, run: Run): Commit {
  const watermark: ViewWatermark = {
    knownAt: String(run.knownAt),
    complete: run.interval === null,
    interval: run.interval === null ? null : { start: String(run.interval.start), end: String(run.interval.end) },
  };
  return commit(version, watermark, [file(run.createdAt)]);
}

/** By brute force: the runs whose interval holds t (and whose rows are known by asKnownAt); the greatest knowledge time wins, then the later run. */
function oracle(runs: readonly Run[], t: bigint, asKnownAt: bigint | null): { knownAt: bigint; version: number } | null {
  let best: { knownAt: bigint; version: number } | null = null;
  runs.forEach((run, i) => {
    if (asKnownAt !== null && run.createdAt > asKnownAt) return;
    if (run.interval !== null && (t < run.interval.start || t >= run.interval.end)) return;
    if (best === null || run.knownAt >= best.knownAt) best = { knownAt: run.knownAt, version: i + 1 };
  });
  return best;
}

const instant = fc.bigInt({ min: 0n, max: 40n });
const runArb: fc.Arbitrary<Run> = fc
  .record({ knownAt: fc.bigInt({ min: 0n, max: 20n }), bump: fc.bigInt({ min: 0n, max: 2n }), complete: fc.boolean(), a: instant, b: instant })
  .filter((r) => r.complete || r.a !== r.b)
  .map((r) => ({
    knownAt: r.knownAt,
    createdAt: r.knownAt + r.bump,
    interval: r.complete ? null : { start: r.a < r.b ? r.a : r.b, end: r.a < r.b ? r.b : r.a },
  }));

describe('viewCoverage', () => {
  it('matches a brute-force oracle at every instant, with and without asKnownAt (property)', () => {
    fc.assert(
      fc.property(fc.array(runArb, { maxLength: 8 }), fc.option(fc.bigInt({ min: 0n, max: 22n }), { nil: null }), (runs, asKnownAt) => {
        const coverage = viewCoverage({ view: 'v', commits: runs.map((r, i) => runCommit(i + 1, r)) }, { asKnownAt });
        for (let t = -2n; t <= 42n; t++) {
          const want = oracle(runs, t, asKnownAt);
          const got = coverage.at(t);
          expect(got === null ? null : { knownAt: got.knownAt, version: got.version }, `t=${t}`).toEqual(want);
        }
        // Ranges are disjoint and in order; neighbours from one run are merged.
        for (let i = 1; i < coverage.ranges.length; i++) {
          const [a, b] = [coverage.ranges[i - 1]!, coverage.ranges[i]!];
          expect(a.end !== null && b.start !== null && a.end <= b.start).toBe(true);
          if (a.end === b.start) expect(a.version).not.toBe(b.version);
        }
        const visible = runs.filter((r) => asKnownAt === null || r.createdAt <= asKnownAt);
        expect(coverage.complete).toBe(visible.some((r) => r.interval === null));
        expect(coverage.recorded).toBe(visible.length > 0);
        expect(coverage.knownAt).toBe(coverage.ranges.length === 0 ? null : coverage.ranges.map((r) => r.knownAt).reduce((a, b) => (a < b ? a : b)));
      }),
      { numRuns: RUNS },
    );
  });

  it('a backfill to 2026-01-01 covers nothing from then on; a complete run covers everything', () => {
    const end = 1_767_225_600_000_000n; // 2026-01-01
    const restricted = viewCoverage({ view: 'v', commits: [runCommit(1, { knownAt: 5n, createdAt: 5n, interval: { start: 0n, end } })] });
    expect(restricted.at(end - 1n)).toMatchObject({ knownAt: 5n, version: 1 });
    expect(restricted.at(end)).toBeNull();
    expect(restricted.at(-1n)).toBeNull();
    expect(restricted.complete).toBe(false);
    const then = viewCoverage({ view: 'v', commits: [runCommit(1, { knownAt: 5n, createdAt: 5n, interval: { start: 0n, end } }), runCommit(2, { knownAt: 9n, createdAt: 9n, interval: null })] });
    expect(then.ranges).toEqual([{ start: null, end: null, knownAt: 9n, version: 2 }]);
    expect(then.complete).toBe(true);
  });

  it('reads older logs: complete watermarks without an interval cover all time, restricted ones are unrecorded like commits without one', () => {
    const commits = [
      commit(1, { knownAt: '7', complete: true }, [file(7n)]),
      commit(2, { knownAt: '8', complete: false }, [file(8n)]),
      commit(3, null, [file(1n)]),
      commit(4, null, [], 'compact'),
      commit(5, { versionTime: '9' }, [file(9n)]),
    ];
    const c = viewCoverage({ view: 'v', commits });
    expect(c.ranges).toEqual([{ start: null, end: null, knownAt: 7n, version: 1 }]);
    expect(c.unrecorded).toBe(3); // the restricted run of unknown interval, the hand-written append, the mirror-style watermark
    expect(viewCoverage({ view: 'v', commits: commits.slice(2) })).toMatchObject({ recorded: false, unrecorded: 2, ranges: [], knownAt: null });
    expect(viewCoverage({ view: 'v', commits: [] })).toMatchObject({ recorded: false, unrecorded: 0, complete: false });
  });

  it('takes the int64 extremes a retention-clipped run records as unbounded', () => {
    const watermark: ViewWatermark = { knownAt: '3', complete: true, interval: { start: '100', end: String(2n ** 63n - 1n) } };
    expect(viewCoverage({ view: 'v', commits: [commit(1, watermark, [file(3n)])] }).ranges).toEqual([{ start: 100n, end: null, knownAt: 3n, version: 1 }]);
  });
});
