import { afterAll, describe, expect, it } from 'vitest';
import { openOfflineStore } from '@asof/stores';
import { cli, commitRows, removeTempRoots, tempRoot } from '../testing/cli-harness.js';

afterAll(removeTempRoots);

describe('asof compact and vacuum', () => {
  it('compacts small files into one commit per view, then vacuums the replaced files after the grace period', async () => {
    const root = await tempRoot();
    for (let i = 0; i < 3; i++) await commitRows(root, 'spend', 5);
    await commitRows(root, 'mix', 5);

    const compact = await cli(['compact', '--root', root, '--target-file-mb', '1']);
    expect(compact.code).toBe(0);
    expect(compact.stdout).toMatch(/mix\s+│ unchanged/);
    expect(compact.stdout).toMatch(/spend\s+│ compacted\s+│\s+4 │\s+1 │\s+3 │/);
    const snapshot = await openOfflineStore({ root }).snapshot('spend');
    expect(snapshot.files).toHaveLength(1);
    expect(snapshot.commits.at(-1)?.operation).toBe('compact');

    const young = await cli(['vacuum', '--root', root, '--grace', '1h']);
    expect(young.code).toBe(0);
    expect(young.stdout).toMatch(/│\s+0 │\s+0 │\s+3$/m); // the 3 replaced files are younger than the grace period

    const later = () => new Date(Date.now() + 2 * 3_600_000);
    const dry = await cli(['vacuum', '--root', root, '--grace', '1h', '--dry-run'], { now: later });
    expect(dry.stdout).toMatch(/would delete/);
    expect(dry.stdout).toMatch(/│\s+3 │/);
    const vacuum = await cli(['vacuum', '--root', root, '--grace', '1h'], { now: later });
    expect(vacuum.code).toBe(0);
    expect(vacuum.stdout).toMatch(/│\s+3 │/);
    expect((await cli(['vacuum', '--root', root, '--grace', '1h'], { now: later })).stdout).toMatch(/│\s+0 │\s+0 │/);
  });

  it('compacts only the views named, and fails for a view that does not exist as a name', async () => {
    const root = await tempRoot();
    await commitRows(root, 'spend', 5);
    await commitRows(root, 'spend', 5);
    const r = await cli(['compact', '--root', root, '--view', 'spend', '--view', '../etc']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/spend\s+│ compacted/);
    expect(r.errLines.at(-1)).toMatch(/^asof: compact failed: 1 of 2 view\(s\) failed: \.\.\/etc: invalid view name .* \(INVALID_INPUT\)$/);
  });

  it('says when a root has no views to compact', async () => {
    const r = await cli(['compact', '--root', await tempRoot()]);
    expect(r.code).toBe(1);
    expect(r.errLines.at(-1)).toMatch(/^asof: compact failed: no views to compact in .* \(CONFIG\)$/);
  });
});
