/**
 * vitest global setup: starts the real services (MariaDB, DynamoDB Local,
 * the S3 server) once, before any test file, with the project's own scripts,
 * and creates the S3 test bucket, so no test depends on another having run
 * first. Test files then find their endpoints in `process.env` (forked
 * workers inherit it). `ASOF_SERVICES=none` skips this for a quick unit-test
 * run; suites that need a service then start it themselves through
 * `ensureServices`.
 */
import { ensureServices } from '../helpers/services.js';
import { S3ObjectStore } from '../../packages/stores/src/adapters/s3/s3-object-store.js';
import { s3Connection, TEST_BUCKET } from '../../packages/stores/src/testing/services.js';

export default async function setup(): Promise<void> {
  if (process.env.ASOF_SERVICES === 'none') return;
  const started = Date.now();
  ensureServices('mariadb', 'dynamodb-local', 's3');
  await new S3ObjectStore({ ...s3Connection(), bucket: TEST_BUCKET, prefix: '' }).ensureBucket();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(`asof test services ready in ${seconds}s (MariaDB, DynamoDB Local, S3 with bucket ${TEST_BUCKET})\n`);
}
