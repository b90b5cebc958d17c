/**
 * Issue 13's done-when, through the CLI as a new user would run it: after
 * `asof demo`, `asof verify-online --at` the publish instant plus one day
 * and plus six days both report zero mismatches (windows expire and
 * invoices fall due between runs without a new event, and the online store
 * holds those change points), on the embedded LMDB store and on DynamoDB
 * Local; an instant past the 7-day horizon is reported stale, never
 * answered with an old value.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { formatMicros, toEpochMicros } from '@asof/core';
import { createPipeline } from '@asof/materializer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRounds, runTrsDemo } from '../../examples/trs/demo.js';
import { cli as runAsof, removeTempRoots, tempRoot } from '../../packages/materializer/src/cli/testing/cli-harness.js';
import { ensureServices } from '../helpers/services.js';

const WORKSPACE = fileURLToPath(new URL('../..', import.meta.url));
const pipeline = createPipeline({ demo: runTrsDemo });
const asof = (...argv: string[]) => runAsof(argv, { cwd: WORKSPACE, env: {}, pipeline });
const DAY = 86_400_000_000n;
const VIEWS = ['late_payments', 'receivables', 'product_mix', 'sku_spend'];
let dynamodbEndpoint: string;

beforeAll(() => {
  dynamodbEndpoint = ensureServices('dynamodb-local').ASOF_DYNAMODB_ENDPOINT!;
}, 120_000);
afterAll(removeTempRoots);

/** The verify table's rows per view (view │ at │ entities │ mismatched │ stale │ …): entities, mismatched, stale. */
function counts(stdout: string): Record<string, [number, number, number]> {
  const out: Record<string, [number, number, number]> = {};
  for (const line of stdout.split('\n')) {
    const cells = line.split('│').map((c) => c.trim());
    // Only the summary table: its second cell is the instant (the examples table below names a feature there).
    if (VIEWS.includes(cells[0]!) && /^\d{4}-\d\d-\d\dT/.test(cells[1] ?? '')) out[cells[0]!] = [Number(cells[2]), Number(cells[3]), Number(cells[4])];
  }
  return out;
}

describe.each(['lmdb', 'dynamodb'])('after asof demo, verify-online --at inside the horizon (%s)', (kind) => {
  it('reports zero mismatches at the publish instant plus one day and plus six days, and stale past the horizon', async () => {
    const root = await tempRoot();
    const online = kind === 'lmdb' ? [] : ['--online', `dynamodb://asof-timeline-${randomBytes(4).toString('hex')}`, '--dynamodb-endpoint', dynamodbEndpoint];
    const demo = await asof('demo', '--root', root, ...online);
    expect({ code: demo.code, err: demo.errLines.filter((l) => !l.startsWith('{')) }).toEqual({ code: 0, err: [] });
    const published = toEpochMicros(demoRounds().at(-1)!);
    for (const days of [1n, 6n]) {
      const at = formatMicros(published + days * DAY);
      const verified = await asof('verify-online', '--root', root, ...online, '--at', at);
      const table = counts(verified.stdout);
      expect(Object.keys(table).sort()).toEqual([...VIEWS].sort());
      for (const view of VIEWS) {
        expect([at, view, 'mismatched', table[view]![1]]).toEqual([at, view, 'mismatched', 0]);
        expect([at, view, 'stale', table[view]![2]]).toEqual([at, view, 'stale', 0]);
        expect(table[view]![0]).toBeGreaterThan(0);
      }
      expect(verified.code).toBe(0);
    }
    // Past the 7-day horizon: every entity is stale, none answered with what it was at the last run.
    const past = formatMicros(published + 8n * DAY);
    const stale = await asof('verify-online', '--root', root, ...online, '--at', past);
    expect(stale.code).toBe(1);
    for (const view of VIEWS) expect(counts(stale.stdout)[view]!.slice(1)).toEqual([0, counts(stale.stdout)[view]![0]]);
    expect(stale.errLines.filter((l) => !l.startsWith('{'))).toEqual([expect.stringMatching(/^asof: verify-online failed: .*are stale at .*past the horizon.*\(ONLINE_STALE\)$/)]);
  });
});
