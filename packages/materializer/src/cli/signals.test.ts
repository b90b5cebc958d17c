/**
 * SIGTERM and SIGINT stop any `asof` command, as real child processes:
 * a waiting `asof schedule` stops cleanly (through its abort signal) with
 * 143 or 130, and a command that cannot be interrupted still ends after the grace
 * period instead of ignoring the signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, removeTempRoots, tempRoot } from './testing/cli-harness.js';

afterAll(removeTempRoots);

const WORKSPACE = fileURLToPath(new URL('../../../../', import.meta.url));
const STUCK = fileURLToPath(new URL('./fixtures/stuck-command.ts', import.meta.url));

interface Child {
  readonly process: ChildProcess;
  /** Resolves once stderr contains `text`. */
  waitFor(text: string): Promise<void>;
  /** Resolves with the exit code (or signal) and all stderr. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function start(script: string, args: readonly string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=asof-source', script, ...args], { cwd: WORKSPACE, env: { ...process.env, ASOF_ROOT: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of waiting.splice(0)) (stderr.includes(w.text) ? w.resolve() : waiting.push(w));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    process: child,
    waitFor: (text) => (stderr.includes(text) ? Promise.resolve() : new Promise((resolve) => waiting.push({ text, resolve }))),
    exited,
  };
}

describe('signals', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s stops a waiting asof schedule cleanly (it logs its stop, exit %i)', async (signal, code) => {
    const root = await tempRoot();
    expect((await cli(['apply', '--root', root, '--definitions', 'definitions-v1.ts'])).code).toBe(0);
    const child = start('examples/asof.ts', ['schedule', '--root', root, '--cron', '0 0 1 1 *', '--log-format', 'json']);
    await child.waitFor('"msg":"schedule started"');
    child.process.kill(signal);
    const exit = await child.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code, signal: null });
    expect(exit.stderr).toContain('"msg":"schedule stopped"');
    expect(exit.stderr.trim().split('\n').at(-1)).toBe('asof: schedule interrupted (ABORTED)');
  }, 60_000);

  it('SIGTERM ends a command stuck where the signal cannot reach, after the grace period', async () => {
    const root = await tempRoot();
    const child = start(STUCK, ['demo', '--root', root, '--log-format', 'json']);
    await child.waitFor('"msg":"demo"');
    child.process.kill('SIGTERM');
    const exit = await child.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 143, signal: null });
    expect(exit.stderr.trim().split('\n').at(-1)).toBe('asof: still running 200 ms after SIGTERM; exiting without waiting (SIGTERM)');
  }, 60_000);

  it('a second signal does not wait for the grace period', async () => {
    const root = await tempRoot();
    const child = start(STUCK, ['demo', '--root', root, '--log-format', 'json']);
    await child.waitFor('"msg":"demo"');
    child.process.kill('SIGINT');
    child.process.kill('SIGINT');
    const exit = await child.exited;
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 130, signal: null });
  }, 60_000);
});
