/**
 * Issue 9: `asof export invoices` run twice at once. Each export claims
 * its `_log/` sequence exclusively on every backend the offline store
 * supports (a local directory; S3 through the DynamoDB coordinator), so
 * both publish, with distinct sequences, and `_CURRENT` ends on the newest;
 * an S3 endpoint that ignores If-None-Match is refused without a
 * coordinator before anything is written. Against MariaDB, fauxqs and
 * DynamoDB Local.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsofError, type IoOptions, type ObjectStore, type OfflineStore } from '@asof/core';
import { materialize } from '@asof/materializer';
import { MySqlConnector } from '@asof/materializer/mysql';
import { openLocalRoot, openOfflineStore } from '@asof/stores';
import { S3ObjectStore } from '@asof/stores/s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, invoices, lineItems, productMix, skus } from '../../examples/trs/features.js';
import { generateTrs } from '../../examples/trs/generator.js';
import { stateAt } from '../../examples/trs/state-at.js';
import { CURRENT_KEY, exportInvoices, readCurrentExport, type ExportManifest, type ExportRequest } from '../../packages/materializer/src/finance/export-invoices.js';
import { s3Connection, TEST_BUCKET, testCoordinator } from '../../packages/stores/src/testing/services.js';
import { createTrsDatabase, type TrsDatabase } from '../helpers/trs-database.js';

const AS_OF = [BigInt(Date.parse('2024-08-31T00:00:00Z')) * 1000n, BigInt(Date.parse('2024-09-30T00:00:00Z')) * 1000n] as const;
const dirs: string[] = [];
let db: TrsDatabase;
let store: OfflineStore;

beforeAll(async () => {
  db = await createTrsDatabase('asof_exports', stateAt(generateTrs({ seed: 41, scale: 0.001 }), '2024-09-30T00:00:00Z'));
  const connector = new MySqlConnector({ url: db.url });
  store = openOfflineStore({ root: tempDir() });
  await materialize({ store, connector, views: [productMix], extraSources: [accounts], mode: 'full' });
  await connector.close();
}, 300_000);

afterAll(async () => {
  await db?.drop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'asof-exports-'));
  dirs.push(dir);
  return dir;
}

/** A target: a local directory, or a fresh S3 prefix (optionally with the coordinator). */
interface Target {
  readonly objects: ObjectStore;
  readonly request: Pick<ExportRequest, 'target' | 'location' | 'coordinator' | 'putIfAbsent'>;
}
function localTarget(): Target {
  const t = openLocalRoot(tempDir(), '/');
  return { objects: t.objects, request: { target: t.objects, location: t.location, putIfAbsent: t.putIfAbsent } };
}
async function s3Target(coordinated: boolean): Promise<Target> {
  const prefix = `exports-${randomBytes(6).toString('hex')}`;
  const objects = new S3ObjectStore({ ...s3Connection(), bucket: TEST_BUCKET, prefix });
  await objects.ensureBucket();
  return { objects, request: { target: objects, location: `s3://${TEST_BUCKET}/${prefix}`, putIfAbsent: 'probe', coordinator: coordinated ? testCoordinator() : null } };
}

const exportTo = (target: Pick<ExportRequest, 'target' | 'location' | 'coordinator' | 'putIfAbsent'>, asOf: bigint, extra: Partial<ExportRequest> = {}) =>
  exportInvoices({ store, sources: { invoices, lineItems, skus, accounts }, asOf, ...target, ...extra });

async function keys(objects: ObjectStore, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const info of objects.list(prefix)) out.push(info.key);
  return out.sort();
}

/** Two exports that both read the log's latest sequence before either claims one (the worst case). */
async function racingExports(target: Target): Promise<ExportManifest[]> {
  let arrived = 0;
  let release!: () => void;
  const bothWritten = new Promise<void>((resolve) => (release = resolve));
  const beforePublish = async () => {
    if (++arrived === 2) release();
    await bothWritten;
  };
  return Promise.all(AS_OF.map((asOf) => exportTo(target.request, asOf, { beforePublish })));
}

async function expectBothPublished(target: Target, results: readonly ExportManifest[]): Promise<void> {
  expect(results.map((r) => r.sequence).sort()).toEqual([1, 2]);
  expect(new Set(results.map((r) => r.version)).size).toBe(2);
  expect((await keys(target.objects, '_log/')).filter((k) => /^_log\/\d{20}\.json$/.test(k))).toEqual(['_log/00000000000000000001.json', '_log/00000000000000000002.json']);
  for (const r of results) {
    const entry = JSON.parse(new TextDecoder().decode((await target.objects.get(`_log/${String(r.sequence).padStart(20, '0')}.json`))!)) as ExportManifest;
    expect([entry.version, entry.asOf]).toEqual([r.version, r.asOf]); // each sequence names its own export: nothing overwritten
  }
  const newest = results.find((r) => r.sequence === 2)!;
  const pointer = JSON.parse(new TextDecoder().decode((await target.objects.get(CURRENT_KEY))!)) as { version: string; sequence: number };
  expect(pointer).toMatchObject({ version: newest.version, sequence: 2 });
  expect((await readCurrentExport(target.objects))?.version).toBe(newest.version);
  const ddl = new TextDecoder().decode((await target.objects.get('_schema.sql'))!);
  expect(ddl).toContain(`versions/${newest.version}/`);
}

describe('two exports at once', () => {
  it('into a local directory: both publish with distinct sequences; _CURRENT ends on the newest', async () => {
    const target = localTarget();
    await expectBothPublished(target, await racingExports(target));
  });

  it('into S3 with the DynamoDB coordinator: both publish with distinct sequences; _CURRENT ends on the newest', async () => {
    const target = await s3Target(true);
    await expectBothPublished(target, await racingExports(target));
  });

  it('into S3 that ignores If-None-Match without a coordinator: refused before anything is written', async () => {
    const target = await s3Target(false);
    const error = await exportTo(target.request, AS_OF[0]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AsofError);
    expect(error).toMatchObject({ code: 'CONFIG' });
    expect((error as Error).message).toMatch(/^cannot publish an export to s3:\/\/.*: the endpoint does not enforce If-None-Match; configure a DynamoDB commit coordinator/);
    expect(await keys(target.objects)).toEqual([]);
  });

  it('an export whose pointer write races a later export leaves _CURRENT on the later one, and readers never see the older', async () => {
    const target = localTarget();
    let later: ExportManifest | null = null;
    let seenDuring: string | undefined;
    // The first export has claimed sequence 1; just as it writes _CURRENT, a second export runs start to finish.
    const slow: ObjectStore = new Proxy(target.objects, {
      get(inner, prop, receiver) {
        if (prop !== 'put') return Reflect.get(inner, prop, receiver) as unknown;
        return async (key: string, bytes: Uint8Array, options?: IoOptions) => {
          if (key === CURRENT_KEY && later === null) {
            later = await exportTo(target.request, AS_OF[1]);
            await inner.put(key, bytes, options);
            seenDuring = (await readCurrentExport(inner))?.version;
            return;
          }
          return inner.put(key, bytes, options);
        };
      },
    });
    const first = await exportTo({ ...target.request, target: slow }, AS_OF[0]);
    expect([first.sequence, later!.sequence]).toEqual([1, 2]);
    expect(seenDuring).toBe(later!.version); // even with the older pointer just written, readers follow the log to the newest
    const pointer = JSON.parse(new TextDecoder().decode((await target.objects.get(CURRENT_KEY))!)) as { version: string; sequence: number };
    expect(pointer).toMatchObject({ version: later!.version, sequence: 2 });
    expect(new TextDecoder().decode((await target.objects.get('_schema.sql'))!)).toContain(`versions/${later!.version}/`);
  });
});
