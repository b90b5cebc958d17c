/**
 * Issue 4's end-to-end proof: after the TRS example is materialized from
 * MariaDB with the CLI, `asof verify-online` reports zero mismatches on both
 * online stores (the embedded LMDB one and DynamoDB Local), and reports a
 * corrupted row when there is one.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { bool, int64, rowsToTable, timestamp } from '@asof/core';
import { createPipeline } from '@asof/materializer';
import { DynamoDbOnlineStore } from '@asof/stores/dynamodb';
import { LmdbOnlineStore } from '@asof/stores/lmdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrsDemo } from '../../examples/trs/demo.js';
import { latePayments } from '../../examples/trs/features.js';
import { generateTrs } from '../../examples/trs/generator.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { cli as runAsof, removeTempRoots, tempRoot } from '../../packages/materializer/src/cli/testing/cli-harness.js';
import { ensureServices } from '../helpers/services.js';
import { createTrsDatabase, type TrsDatabase } from '../helpers/trs-database.js';

const WORKSPACE = fileURLToPath(new URL('../..', import.meta.url));
const DEFINITIONS = 'examples/trs/features.ts';
const pipeline = createPipeline({ demo: runTrsDemo });
let db: TrsDatabase;
let source: string;
let dynamodbEndpoint: string;

const asof = (...argv: string[]) => runAsof(argv, { cwd: WORKSPACE, env: {}, pipeline });

beforeAll(async () => {
  dynamodbEndpoint = ensureServices('dynamodb-local').ASOF_DYNAMODB_ENDPOINT!;
  db = await createTrsDatabase('asof_online', stateAt(generateTrs({ seed: 13, scale: 0.001 }), '2024-09-30T00:00:00Z'));
  source = db.url;
}, 120_000);

afterAll(async () => {
  await db?.drop();
  await removeTempRoots();
});

describe.each(['lmdb', 'dynamodb'])('verify-online with the %s online store', (kind) => {
  it('reports zero mismatches after materializing, and a corrupted row when there is one', async () => {
    const root = await tempRoot();
    const table = `asof-online-${randomBytes(4).toString('hex')}`;
    const online = kind === 'lmdb' ? ['--online', `lmdb:${await tempRoot()}`] : ['--online', `dynamodb://${table}`, '--dynamodb-endpoint', dynamodbEndpoint];
    const common = ['--root', root, '--definitions', DEFINITIONS, ...online];
    const applied = await asof('apply', ...common);
    expect({ code: applied.code, err: applied.errLines.filter((l) => !l.startsWith('{')) }).toEqual({ code: 0, err: [] });
    const run = await asof('materialize', ...common, '--source', source, '--start', '2023-01-01T00:00:00Z', '--end', '2030-01-01T00:00:00Z');
    expect(run.code).toBe(0);
    const verified = await asof('verify-online', ...common);
    expect({ code: verified.code, stdout: verified.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/late_payments .* │\s+0 │/) });
    for (const line of verified.stdout.split('\n').filter((l) => /^(late_payments|receivables|product_mix|sku_spend) /.test(l))) {
      expect(line.split('│')[3]!.trim()).toBe('0');
    }

    // One account's row replaced by a newer, wrong one: verify-online fails in one line and shows the example.
    const store = kind === 'lmdb' ? new LmdbOnlineStore({ path: online[1]!.slice('lmdb:'.length) }) : new DynamoDbOnlineStore({ tableName: table, endpoint: dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const now = BigInt(Date.now()) * 1000n;
    await store.write(
      latePayments,
      rowsToTable([{ account_id: 1n, event_ts: now - 1_000_000n, created_ts: now, overdue_invoices: 999n, _asof_deleted: false }], {
        account_id: int64(),
        event_ts: timestamp(),
        created_ts: timestamp(),
        ...Object.fromEntries(latePayments.featureNames.map((f) => [f, latePayments.ref(f).dtype])),
        _asof_deleted: bool(),
      }),
    );
    await store.close();
    const broken = await asof('verify-online', ...common, '--view', 'late_payments');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/overdue_invoices .*account_id=1 .* 999/);
    expect(broken.errLines.filter((l) => !l.startsWith('{'))).toEqual([expect.stringMatching(/^asof: verify-online failed: late_payments: 1 of \d+ entities differ .*\(ONLINE_MISMATCH\)$/)]);
  });
});
