/**
 * vitest global setup: starts the real services (MariaDB, DynamoDB Local,
 * the S3 server) once, before any test file, with the project's own scripts.
 * Test files then find their endpoints in `process.env` (forked workers
 * inherit it). `ASOF_SERVICES=none` skips this for a quick unit-test run;
 * suites that need a service then start it themselves through
 * `ensureServices`.
 */
import { ensureServices } from '../helpers/services.js';

export default function setup(): void {
  if (process.env.ASOF_SERVICES === 'none') return;
  const started = Date.now();
  ensureServices('mariadb', 'dynamodb-local', 's3');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(`asof test services ready in ${seconds}s (MariaDB, DynamoDB Local, S3)\n`);
}
