/**
 * `asof` against roots and services that cannot work: each fails in one
 * line naming the service or path and what to do, before printing anything
 * that reads as applied, and within the test's time (never a hang).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPortUrl } from '../../../stores/src/testing/network.js';
import { ensureServices } from '../../../../test/helpers/services.js';
import { cli, removeTempRoots, tempRoot } from './testing/cli-harness.js';

afterAll(removeTempRoots);

const apply = (root: string, ...flags: string[]) => cli(['apply', '--root', root, '--definitions', 'definitions-v1.ts', ...flags]);
/** stderr without the JSON log records. */
const failures = (stderr: string[]) => stderr.filter((l) => !l.startsWith('{'));

describe('asof apply on a root that cannot hold a store', () => {
  it('/proc/x fails at once with a CONFIG error, not a mkdir loop', async () => {
    const r = await apply('/proc/asof-x');
    expect({ code: r.code, stdout: r.stdout, errors: failures(r.errLines) }).toEqual({
      code: 1,
      stdout: '',
      errors: ['asof: apply failed: cannot create /proc/asof-x: the file system refuses new entries in /proc although it exists (ENOENT; e.g. /proc or /sys); choose another --root (CONFIG)'],
    });
  });

  it('a file as the root: named, and nothing printed as if it applied', async () => {
    const file = path.join(await tempRoot(), 'a-file');
    await writeFile(file, 'x');
    for (const root of [file, path.join(file, 'below')]) {
      const r = await apply(root);
      expect({ code: r.code, stdout: r.stdout, errors: failures(r.errLines) }).toEqual({
        code: 1,
        stdout: '',
        errors: [`asof: apply failed: the store root ${root} cannot hold files: ${file} is a file, not a directory (ENOTDIR); choose a directory as --root (CONFIG)`],
      });
    }
  });

  it('an unwritable place (/sys): the path and the problem, before the table', async () => {
    const r = await apply('/sys/asof-x');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(failures(r.errLines)).toEqual([expect.stringMatching(/^asof: apply failed: cannot write \/sys\/asof-x: (operation not permitted \(EPERM\)|permission denied \(EACCES\)); choose a writable directory as --root.* \(CONFIG\)$/)]);
  });
});

describe('asof against S3 and DynamoDB', () => {
  let services: Record<string, string>;
  let down: string;
  beforeAll(async () => {
    services = ensureServices('s3', 'dynamodb-local');
    down = await closedPortUrl();
  });

  it('S3 down: one line naming S3, the endpoint, that it is unreachable and what to check', async () => {
    const r = await apply('s3://asof/cli-down', '--s3-endpoint', down);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(failures(r.errLines)).toEqual([
      `asof: apply failed: S3 at ${down} is unreachable (connect ECONNREFUSED ${down.slice('http://'.length)}): ` +
        'check that the server is running there and that --s3-endpoint / ASOF_S3_ENDPOINT names it (SERVICE_UNAVAILABLE)',
    ]);
  });

  it('DynamoDB down (the commit coordinator): the same, for DynamoDB, from the environment', async () => {
    const root = `s3://asof-test/cli-ddb-down-${randomBytes(4).toString('hex')}`;
    const r = await cli(['apply', '--root', root, '--definitions', 'definitions-v1.ts'], {
      env: { ASOF_S3_ENDPOINT: services.ASOF_S3_ENDPOINT, ASOF_DYNAMODB_ENDPOINT: down, ASOF_COMMIT_COORDINATOR: 'dynamodb://asof-commits-down' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('registry written');
    expect(failures(r.errLines)).toEqual([expect.stringMatching(new RegExp(`^asof: apply failed: DynamoDB at ${down} is unreachable \\(.*ECONNREFUSED.*\\): check that the server is running there and that --dynamodb-endpoint / ASOF_DYNAMODB_ENDPOINT names it \\(SERVICE_UNAVAILABLE\\)$`))]);
  });

  it('a missing bucket: apply creates it and says so; other commands name it and point at apply', async () => {
    const bucket = `asof-cli-${randomBytes(4).toString('hex')}`;
    const root = `s3://${bucket}/store`;
    const env = { ASOF_S3_ENDPOINT: services.ASOF_S3_ENDPOINT!, ASOF_DYNAMODB_ENDPOINT: services.ASOF_DYNAMODB_ENDPOINT!, ASOF_COMMIT_COORDINATOR: `dynamodb://asof-cli-${randomBytes(4).toString('hex')}` };
    const compact = await cli(['compact', '--root', root], { env });
    expect(compact.code).toBe(1);
    expect(failures(compact.errLines)).toEqual([
      `asof: compact failed: S3 bucket '${bucket}' does not exist at ${services.ASOF_S3_ENDPOINT}: create it, or let 'asof apply' create it (CONFIG)`,
    ]);
    const applied = await cli(['apply', '--root', root, '--definitions', 'definitions-v1.ts'], { env });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout.split('\n')[0]).toBe(`created S3 bucket '${bucket}' at ${services.ASOF_S3_ENDPOINT}`);
    expect(applied.stdout).toContain(`registry written: s3://${bucket}/store/registry.json`);
    const again = await cli(['apply', '--root', root, '--definitions', 'definitions-v1.ts'], { env });
    expect(again.stdout).not.toContain('created S3 bucket');
  });

  it('logs which S3 a root means: an unset endpoint is AWS, said so', async () => {
    const r = await cli(['compact', '--root', 's3://asof/x'], { env: { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEY', AWS_SECRET_ACCESS_KEY: 'secret-value' }, signal: AbortSignal.abort(new Error('stop before any request')) });
    const log = r.errLines.find((l) => l.includes('"msg":"offline store"'));
    expect(log).toContain('"s3":"AWS, region eu-west-1 from AWS_REGION (no endpoint set)"');
    expect(r.stderr).not.toMatch(/AKIAEXAMPLEKEY|secret-value/);
  });
});
