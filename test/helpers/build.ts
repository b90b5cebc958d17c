/**
 * The built packages (`packages/<name>/dist`) for tests that load asof the
 * way a user does (CommonJS `require`, a Jupyter kernel, `tsc` against the
 * published `.d.ts`), not through the workspace's source aliases.
 *
 * `tsc -b` is incremental (a few seconds when nothing changed) and is
 * serialised across test files and processes with `flock`, since two
 * builds writing one `dist` at once would corrupt it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The workspace packages, in dependency order. */
export const PACKAGES = ['core', 'stores', 'materializer', 'sdk'] as const;
/** Building every package from scratch takes a while on two shared cores. */
const BUILD_TIMEOUT_MS = 10 * 60_000;

let built = false;

/** Builds every package's `dist` (once per process) and returns the repository root. */
export function ensureBuilt(): string {
  if (built) return REPO_ROOT;
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const lock = join(REPO_ROOT, 'node_modules', '.asof-build.lock');
  const projects = PACKAGES.map((p) => join('packages', p));
  const run = (...extra: string[]) => {
    try {
      execFileSync('flock', ['-w', '600', lock, process.execPath, tsc, '-b', ...extra, ...projects], {
        cwd: REPO_ROOT,
        stdio: 'pipe',
        timeout: BUILD_TIMEOUT_MS,
        maxBuffer: 16 << 20,
      });
    } catch (error) {
      const e = error as { stdout?: Buffer; stderr?: Buffer; message: string };
      throw new Error(`building the packages (tsc -b ${projects.join(' ')}) failed:\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? e.message}`);
    }
  };
  run();
  // A dist deleted by hand leaves a tsbuildinfo that says "up to date": rebuild from scratch then.
  if (PACKAGES.some((p) => !existsSync(join(REPO_ROOT, 'packages', p, 'dist', 'index.js')))) run('--force');
  const missing = PACKAGES.filter((p) => !existsSync(join(REPO_ROOT, 'packages', p, 'dist', 'index.js')));
  if (missing.length > 0) throw new Error(`tsc -b succeeded but left no dist/index.js in ${missing.map((p) => `packages/${p}`).join(', ')}`);
  built = true;
  return REPO_ROOT;
}
