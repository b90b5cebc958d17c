import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const WORKSPACE = fileURLToPath(new URL('../../../../', import.meta.url));

describe('the asof binary', () => {
  it('runs as `pnpm asof help` without a build, and exits 2 with one line on a usage error', async () => {
    const run = promisify(execFile);
    const help = await run('pnpm', ['--silent', 'asof', 'help'], { cwd: WORKSPACE, env: { ...process.env, ASOF_ROOT: '' } });
    expect(help.stdout).toMatch(/usage: asof <command> \[flags\]/);
    expect(help.stdout).toContain('materialize-incremental');
    const bad = await run('pnpm', ['--silent', 'asof', 'compact', '--nope'], { cwd: WORKSPACE }).catch((error: { code: number; stderr: string }) => error);
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr.trim().split('\n')).toEqual([expect.stringMatching(/^asof: compact failed: unknown option '--nope'; usage: asof compact .*\(INVALID_INPUT\)$/)]);
  }, 60_000);
});
