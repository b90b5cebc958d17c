/**
 * A user's own notebook in a real tslab kernel: a project that installed
 * @asof/core and @asof/sdk (links to the built packages), its feature
 * definitions in a `features.ts` beside the notebook, typed refs in the
 * cells. tslab compiles `features.ts` with the cells (TypeScript 5.0, a
 * declaration per cell), so the typed results must name and type-check
 * there, not only with the workspace's compiler.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bool, createRegistry, rowsToTable, timestamp, TOMBSTONE_COLUMN, type AnyFeatureView } from '@asof/core';
import { openOfflineStore } from '@asof/stores';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, REPO_ROOT } from '../helpers/build.js';
import { ensureJupyter, executeNotebook, htmlOf, stdoutOf, writeNotebook, type ExecutedCell } from '../helpers/jupyter.js';

const FEATURES = `
import { defineEntity, defineFeatureView, float64, int64, parquetSource, timestamp } from '@asof/core';

export const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
const payments = parquetSource({ name: 'payments', path: 'payments.parquet', timestampField: 'ts' });
export const spend = defineFeatureView({
  name: 'spend',
  entities: [account],
  source: payments,
  features: { total: float64(), invoices: int64(), last_paid_at: timestamp() },
});
`;

const CELLS = [
  `import { FeatureStore } from '@asof/sdk';
import { spend } from './features';
const store = await FeatureStore.open({ root: process.env.ASOF_ROOT! });`,
  `const training = await store.getHistoricalFeatures({
  entities: [{ account_id: 1n, event_timestamp: new Date('2025-01-15T00:00:00Z') }],
  features: [spend.ref('invoices'), spend.ref('last_paid_at')],
});
// Typed: these annotations do not compile if the row type were lost.
const invoices: bigint | null = training.toArray()[0]!.invoices;
const paidAt: Date | null = training.toArray()[0]!.last_paid_at;
training`,
  `const changes = await store.compare('2025-01-15T00:00:00Z', '2025-02-15T00:00:00Z', { features: [spend], format: 'long' });
const first = changes.toArray().find((r) => r.feature === 'invoices');
// Checking \`feature\` narrows the row (tslab's TypeScript 5.0 does not infer that through find's callback).
const step: bigint | 'added' | 'removed' | 'changed' | undefined = first?.feature === 'invoices' ? first.change : undefined;
changes`,
  `console.log(String(invoices), paidAt?.toISOString(), String(step));
await store.close();`,
];

const T1 = 1_735_689_600_000_001n; // 2025-01-01T00:00:00.000001Z
const T2 = 1_738_368_000_000_000n; // 2025-02-01T00:00:00Z
const BIG = 9_007_199_254_740_993n;
let project: string;
let cells: ExecutedCell[];

beforeAll(async () => {
  ensureBuilt();
  const jupyter = ensureJupyter();
  project = await mkdtemp(join(tmpdir(), 'asof-user-notebook-'));
  await mkdir(join(project, 'node_modules', '@asof'), { recursive: true });
  for (const p of ['core', 'sdk']) await symlink(join(REPO_ROOT, 'packages', p), join(project, 'node_modules', '@asof', p), 'dir');
  await writeFile(join(project, 'features.ts'), FEATURES);
  // The store, written with the same definitions the notebook imports.
  const { spend } = (await import(join(project, 'features.ts'))) as { spend: AnyFeatureView };
  const root = join(project, 'store');
  await mkdir(root);
  await writeFile(join(root, 'registry.json'), `${JSON.stringify(createRegistry(spend), null, 2)}\n`);
  const types = { account_id: spend.joinKeys.account_id!, event_ts: timestamp(), created_ts: timestamp(), [TOMBSTONE_COLUMN]: bool(), ...spend.features };
  const rows = [
    { account_id: 1n, event_ts: T1, created_ts: T1, [TOMBSTONE_COLUMN]: false, total: 10.5, invoices: BIG, last_paid_at: T1 },
    { account_id: 1n, event_ts: T2, created_ts: T2, [TOMBSTONE_COLUMN]: false, total: 12.25, invoices: BIG + 2n, last_paid_at: T2 },
  ];
  const writer = openOfflineStore({ root }).beginWrite('spend');
  for (const batch of rowsToTable(rows, types as never, Object.keys(types)).batches) await writer.writeBatch(batch);
  await writer.commit({ operation: 'append' });
  const notebook = join(project, 'user.ipynb');
  await writeNotebook(notebook, CELLS);
  cells = await executeNotebook(jupyter, notebook, { env: { ASOF_ROOT: root } });
}, 20 * 60_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

it('imports definitions beside the notebook and gets typed, exact results as HTML', () => {
  const [training] = htmlOf(cells[1]!);
  expect(training).toContain('<td style="text-align:right">9007199254740993</td><td>2025-01-01T00:00:00.000001Z</td>');
  const [changes] = htmlOf(cells[2]!);
  expect(changes).toMatch(/<td>invoices<\/td><td style="text-align:right">9007199254740993<\/td><td style="text-align:right">9007199254740995<\/td><td style="text-align:right">2<\/td>/);
  expect(changes).toContain('<td>last_paid_at</td><td>2025-01-01T00:00:00.000001Z</td><td>2025-02-01T00:00:00Z</td><td>changed</td>');
  expect(stdoutOf(cells[3]!)).toBe('9007199254740993 2025-01-01T00:00:00.000001Z 2\n');
});
