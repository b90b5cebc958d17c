import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrentCommitError, SchemaMismatchError } from '@asof/core';
import { cli, fakePipeline, removeTempRoots, tempRoot } from '../testing/cli-harness.js';

afterAll(removeTempRoots);

let root: string;
beforeAll(async () => {
  root = await tempRoot();
  expect((await cli(['apply', '--root', root, '--definitions', 'definitions-v1.ts'])).code).toBe(0);
});

describe('asof materialize and materialize-incremental (through the PipelinePort)', () => {
  it('passes the interval in µs, the views and the registry, and prints the summary table', async () => {
    const pipeline = fakePipeline(async (view) => ({ rowsWritten: view === 'spend' ? 1234 : 5, watermark: { updated_at: '2024-02-01T00:00:00Z' } }));
    const r = await cli(['materialize', '--root', root, '--start', '2024-01-01T00:00:00Z', '--end', '2024-02-01T00:00:00+01:00'], { pipeline });
    expect(r.code).toBe(0);
    expect(pipeline.calls).toEqual([{ method: 'materialize', views: ['activity', 'spend'], start: 1_704_067_200_000_000n, end: 1_706_742_000_000_000n }]);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^view\s+│ status\s+│ operation │ version │ rows read │ rows written │ files \+ │ files - │ watermark\s+│ time$/);
    expect(r.stdout).toMatch(/spend\s+│ committed │ replace\s+│\s+1 │\s+10 │\s+1,234 │\s+1 │\s+0 │ {"updated_at":"2024-02-01T00:00:00Z"} │ 5ms/);
  });

  it('runs only the views named, and suggests the nearest name for a typo', async () => {
    const pipeline = fakePipeline();
    expect((await cli(['materialize-incremental', '--root', root, '--view', 'spend'], { pipeline })).code).toBe(0);
    expect(pipeline.calls).toEqual([{ method: 'materializeIncremental', views: ['spend'] }]);
    const typo = await cli(['materialize-incremental', '--root', root, '--view', 'spnd'], { pipeline });
    expect(typo.code).toBe(1);
    expect(typo.errLines.at(-1)).toBe("asof: materialize-incremental failed: unknown feature view 'spnd'; did you mean 'spend'? (FEATURE_NOT_FOUND)");
  });

  it('exits 1 with the first failure’s code when a view fails, after the table of all views', async () => {
    const pipeline = fakePipeline(async (view) => {
      if (view === 'activity') throw new SchemaMismatchError('amount', "source column 'amount' changed type");
      return {};
    });
    const r = await cli(['materialize-incremental', '--root', root], { pipeline });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/activity │ failed: source column 'amount' changed type/);
    expect(r.stdout).toMatch(/spend\s+│ committed/);
    expect(r.errLines.at(-1)).toBe("asof: materialize-incremental failed: 1 of 2 view(s) failed: activity: source column 'amount' changed type (SCHEMA_MISMATCH)");
  });

  it('refuses definitions that differ from the applied registry, and a root with no registry', async () => {
    const pipeline = fakePipeline();
    const changed = await cli(['materialize-incremental', '--root', root, '--definitions', 'definitions-v2.ts', '--view', 'spend'], { pipeline });
    expect(changed.code).toBe(1);
    expect(changed.errLines.at(-1)).toMatch(/^asof: materialize-incremental failed: feature view 'spend' differs from the applied registry \(applied \w{8}, definitions \w{8}\); run 'asof apply' first \(CONFIG\)$/);
    const bare = await tempRoot();
    const none = await cli(['materialize-incremental', '--root', bare], { pipeline });
    expect(none.errLines.at(-1)).toBe(`asof: materialize-incremental failed: no registry at ${bare}/registry.json: run 'asof apply --definitions <module>' first (CONFIG)`);
    expect(pipeline.calls).toEqual([]);
  });

  it('runs the demo into --root', async () => {
    const pipeline = fakePipeline();
    const demoRoot = await tempRoot();
    const r = await cli(['demo', '--root', demoRoot], { pipeline });
    expect(r.code).toBe(0);
    expect(pipeline.calls).toEqual([{ method: 'demo', views: ['demo'], root: demoRoot }]);
  });
});

describe('asof schedule', () => {
  it('runs at every tick under a lease in <root>/_locks and prints a table of runs', async () => {
    const pipeline = fakePipeline(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return {};
    });
    const r = await cli(['schedule', '--root', root, '--cron', '* * * * * *', '--incremental', '--max-ticks', '2', '--view', 'spend'], { pipeline });
    expect(r.code).toBe(0);
    expect(pipeline.calls).toEqual([
      { method: 'materializeIncremental', views: ['spend'] },
      { method: 'materializeIncremental', views: ['spend'] },
    ]);
    expect(r.stdout).toMatch(/^tick\s+│ views │ status │ rows written │ time$/m);
    expect(r.stdout).toContain('2 tick(s), 2 run(s), 0 view tick(s) skipped');
    const records = r.errLines.map((l) => JSON.parse(l) as { msg: string });
    expect(records.filter((l) => l.msg === 'run started')).toHaveLength(2);
    expect(await readdir(path.join(root, '_locks', 'spend'))).toHaveLength(1); // the released generation
  }, 10_000);

  it('reports a run that lost a commit race to another run as such: COMMIT_CONFLICT in its row and in the exit line', async () => {
    const pipeline = fakePipeline(async (view) => {
      if (view === 'spend') throw new ConcurrentCommitError('spend', 6, [7], 'append at 2024-03-01T00:00:00.000000Z');
      return {};
    });
    const r = await cli(['schedule', '--root', root, '--cron', '* * * * * *', '--incremental', '--max-ticks', '1'], { pipeline });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/│ activity, spend │ failed \(COMMIT_CONFLICT\): 1 of 2 view\(s\) failed: spend: an/); // the cell is cut to the table's width
    expect(r.errLines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; error?: { message?: string } }).find((l) => l.msg === 'run ended without success')?.error?.message).toMatch(
      /spend: another run committed version 7 of 'spend' first/,
    );
    expect(r.errLines.at(-1)).toMatch(/^asof: schedule failed: 1 of 1 scheduled run\(s\) failed; .*re-run to build on it \(COMMIT_CONFLICT\)$/);
  }, 10_000);

  it('backfills the lookback window ending at each tick without --incremental', async () => {
    const pipeline = fakePipeline();
    const r = await cli(['schedule', '--root', root, '--cron', '* * * * * *', '--lookback', '2h', '--max-ticks', '1', '--view', 'activity'], { pipeline });
    expect(r.code).toBe(0);
    const call = pipeline.calls[0]!;
    expect(call.method).toBe('materialize');
    expect(call.end! - call.start!).toBe(7_200_000_000n);
    expect(call.end! % 1_000_000n).toBe(0n); // a whole-second tick, not the wall clock
  }, 10_000);
});
