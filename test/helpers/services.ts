/**
 * Real services for tests (no mocks): starts them with the project's own
 * scripts when the environment does not already point at them, and returns
 * their endpoints. Idempotent and safe to call from several test files at
 * once (the scripts lock per service).
 *
 * Synchronous on purpose: store test helpers call it from plain factory
 * functions, and `await ensureServices(...)` works just as well.
 *
 * ```ts
 * const env = ensureServices('mariadb');
 * const url = env.ASOF_MYSQL_URL;
 * ```
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The services `scripts/services/up.sh` knows. */
export type ServiceName = 'mariadb' | 'dynamodb-local' | 's3';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPTS = join(ROOT, 'scripts', 'services');
/** The variable that says a service is already available (CI or a developer may set it). */
const MARKER: Record<ServiceName, string> = {
  mariadb: 'ASOF_MYSQL_URL',
  'dynamodb-local': 'ASOF_DYNAMODB_ENDPOINT',
  s3: 'ASOF_S3_ENDPOINT',
};
/** Installing MariaDB from apt on a fresh machine takes a while. */
const START_TIMEOUT_MS = 15 * 60_000;

/**
 * Makes sure the named services run and returns every `ASOF_*` variable
 * describing them (also set on `process.env`, so later calls in the same
 * process are free).
 */
export function ensureServices(...names: ServiceName[]): Record<string, string> {
  const missing = names.filter((name) => !process.env[MARKER[name]]);
  if (missing.length > 0) {
    try {
      execFileSync('bash', [join(SCRIPTS, 'up.sh'), ...missing], { cwd: ROOT, timeout: START_TIMEOUT_MS, stdio: 'pipe', maxBuffer: 16 << 20 });
    } catch (error) {
      const e = error as { stdout?: Buffer; stderr?: Buffer; message: string };
      throw new Error(`scripts/services/up.sh ${missing.join(' ')} failed:\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? e.message}`);
    }
    const found = parseEnv(readOr(join(servicesDir(), 'env')));
    for (const name of missing) {
      // Another process may be rewriting the shared env file; the service script prints its own lines.
      if (!found[MARKER[name]]) Object.assign(found, parseEnv(execFileSync('bash', [join(SCRIPTS, `${name}.sh`), 'env'], { cwd: ROOT }).toString()));
      if (!found[MARKER[name]]) throw new Error(`${name} started, but neither .services/env nor ${name}.sh env gives ${MARKER[name]}`);
    }
    for (const [key, value] of Object.entries(found)) process.env[key] ??= value;
  }
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('ASOF_') && entry[1] !== undefined),
  );
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function servicesDir(): string {
  return process.env.ASOF_SERVICES_DIR ?? join(ROOT, '.services');
}

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return out;
}
