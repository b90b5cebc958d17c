/** `asof compact --keep-full/--keep-coarse` says what retention removed (files, rows) and the periods it kept, in dates and days. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetentionError } from '@asof/core';
import { openOfflineStore } from '@asof/stores';
import { cli, commitRows, removeTempRoots, tempRoot } from '../testing/cli-harness.js';

afterAll(removeTempRoots);

/** The body rows of every table in `stdout`, cells trimmed and joined by ` | `. */
const tableRows = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.includes('│') && !/^view\s/.test(l))
    .map((l) => l.split('│').map((c) => c.trim()).join(' | '));

describe('asof compact with retention', () => {
  const now = () => new Date('2024-05-10T00:00:00Z');
  let root: string;
  beforeAll(async () => {
    root = await tempRoot();
    expect((await cli(['apply', '--root', root, '--definitions', 'definitions-v1.ts'])).code).toBe(0);
    // Three accounts a day: January (dropped), two days in February (coarsened to the last per account), March and May (kept).
    for (const day of ['2024-01-15', '2024-02-15', '2024-02-20', '2024-03-15', '2024-05-01']) await commitRows(root, 'spend', 3, day);
  });

  it('reports the files and rows it removed and the periods kept, as dates and days', async () => {
    const r = await cli(['compact', '--root', root, '--view', 'spend', '--keep-full', '30d', '--keep-coarse', '60d', '--target-file-mb', '1'], { now });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/view\s+│ retention\s+│ version │ files - │ files \+ │ rows removed │ full history since\s+│ monthly values since/);
    expect(tableRows(r.stdout)).toContain('spend | applied | 6 | 2 | 0 | 6 | 2024-04-10 (30 days) | 2024-02-10 (60 days more)');
    const log = r.errLines.find((l) => l.includes('"msg":"retention applied"'))!;
    expect(JSON.parse(log)).toMatchObject({ view: 'spend', version: 6, filesRemoved: 2, filesAdded: 0, rowsRemoved: 6, keepFull: '30 days', keepCoarse: '60 days' });

    const again = await cli(['compact', '--root', root, '--view', 'spend', '--keep-full', '30d', '--keep-coarse', '60d'], { now });
    expect(tableRows(again.stdout)).toContain('spend | nothing to remove | - | 0 | 0 | 0 | 2024-04-10 (30 days) | 2024-02-10 (60 days more)');
  });

  it('makes reads older than what it keeps fail with the periods in days, not milliseconds', async () => {
    const store = openOfflineStore({ root });
    const read = async (from: string) => {
      for await (const batch of store.scan('spend', { historyFrom: from })) void batch;
    };
    await expect(read('2024-01-01T00:00:00Z')).rejects.toThrow(RetentionError);
    await expect(read('2024-01-01T00:00:00Z')).rejects.toThrow(/\(retention: full history for 30 days, then monthly last values for 60 days\)/);
    await expect(read('2024-03-01T00:00:00Z')).rejects.toThrow(/keeps full history only from 2024-04-10T00:00:00.000000Z \(retention: full history for 30 days\)/);
  });
});
