import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from '@asof/core';
import { cli, commitRows, removeTempRoots, tempRoot } from '../testing/cli-harness.js';

afterAll(removeTempRoots);

const apply = (root: string, definitions: string, ...flags: string[]) => cli(['apply', '--root', root, '--definitions', definitions, ...flags]);
const registryAt = async (root: string) => Registry.fromJSON(await readFile(path.join(root, 'registry.json'), 'utf8'));
/** Table rows as `view change applied new data`, single-spaced. */
const tableRows = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.includes('│') && !l.startsWith('view'))
    .map((l) => l.split('│').map((c) => c.trim()).join(' '));

describe('asof apply', () => {
  it('validates the definitions and writes the registry, with every exported definition', async () => {
    const root = await tempRoot();
    const r = await apply(root, 'definitions-v1.ts');
    expect(r.code).toBe(0);
    const registry = await registryAt(root);
    expect(registry.listFeatureViews().map((v) => v.name)).toEqual(['activity', 'spend']);
    expect(registry.listFeatureServices().map((s) => s.name)).toEqual(['scoring']);
    expect(tableRows(r.stdout)).toEqual([
      `activity added - ${registry.hashOf('activity').slice(0, 8)} none`,
      `spend added - ${registry.hashOf('spend').slice(0, 8)} none`,
    ]);
    expect(r.stdout).toContain(`registry written: ${root}/registry.json (2 feature view(s), 1 entity, 1 source(s), 1 service(s))`);
  });

  it('checks the online items from the definitions and each horizon: says when timelines split, refuses a view one row of which cannot fit', async () => {
    const root = await tempRoot();
    const ok = await apply(root, 'definitions-v1.ts');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/online timelines \(.*_online\):\n {2}view 'activity': horizon 7 days; a change point is at most \d+ bytes and an item holds [\d,]+, so an entity with more than [\d,]+ events a day is split over several items/);
    const refused = await apply(await tempRoot(), 'definitions-online-items.ts');
    expect(refused.code).toBe(1);
    expect(refused.errLines.filter((l) => !l.startsWith('{'))).toEqual([
      expect.stringMatching(/online items would exceed the embedded store's 409,600-byte item limit .*view 'tags': an online item can reach [\d,]+ bytes.*assumes at most 1,024 bytes .* \(INVALID_DEFINITION\)$/),
    ]);
  });

  it('reports an unchanged registry on a second apply and leaves the file alone', async () => {
    const root = await tempRoot();
    await apply(root, 'definitions-v1.ts');
    const before = await readFile(path.join(root, 'registry.json'), 'utf8');
    const r = await apply(root, 'definitions-v1.ts');
    expect(r.code).toBe(0);
    expect(tableRows(r.stdout).map((row) => row.split(' ').slice(0, 2).join(' '))).toEqual(['activity unchanged', 'spend unchanged']);
    expect(r.stdout).toContain('registry unchanged');
    expect(await readFile(path.join(root, 'registry.json'), 'utf8')).toBe(before);
  });

  it('detects changed, removed and added views (a default-exported array), and applies them while no data exists', async () => {
    const root = await tempRoot();
    await apply(root, 'definitions-v1.ts');
    const v1 = await registryAt(root);
    const r = await apply(root, 'definitions-v2.ts');
    expect(r.code).toBe(0);
    const v2 = await registryAt(root);
    expect(tableRows(r.stdout)).toEqual([
      `activity removed ${v1.hashOf('activity').slice(0, 8)} - none`,
      `refunds added - ${v2.hashOf('refunds').slice(0, 8)} none`,
      `spend changed ${v1.hashOf('spend').slice(0, 8)} ${v2.hashOf('spend').slice(0, 8)} none`,
    ]);
    expect(v2.listFeatureViews().map((v) => v.name)).toEqual(['refunds', 'spend']);
  });

  it('refuses to change a view that has materialized data unless --allow-changes', async () => {
    const root = await tempRoot();
    await apply(root, 'definitions-v1.ts');
    await commitRows(root, 'spend');
    const before = await readFile(path.join(root, 'registry.json'), 'utf8');

    const refused = await apply(root, 'definitions-v2.ts');
    expect(refused.code).toBe(1);
    expect(refused.errLines.at(-1)).toBe(
      "asof: apply failed: refusing to apply: 'spend' (changed) already has materialized data computed by the applied definition; " +
        're-run with --allow-changes, then re-materialize (CONFIG)',
    );
    expect(tableRows(refused.stdout)).toContainEqual(expect.stringMatching(/^spend changed \w{8} \w{8} v1$/));
    expect(await readFile(path.join(root, 'registry.json'), 'utf8')).toBe(before);

    const dry = await apply(root, 'definitions-v2.ts', '--allow-changes', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run');
    expect(await readFile(path.join(root, 'registry.json'), 'utf8')).toBe(before);

    const allowed = await apply(root, 'definitions-v2.ts', '--allow-changes');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('re-materialize: spend');
    expect((await registryAt(root)).hashOf('spend')).not.toBe(Registry.fromJSON(before).hashOf('spend'));
  });

  it('reports a view renamed with an unchanged definition as a rename, and refuses it while the old name has data', async () => {
    const root = await tempRoot();
    await apply(root, 'definitions-v1.ts');
    const v1 = await registryAt(root);
    const hash = v1.hashOf('activity').slice(0, 8);
    const dry = await apply(root, 'definitions-v3.ts', '--dry-run');
    expect(dry.code).toBe(0);
    expect(tableRows(dry.stdout)).toEqual([`recent_activity renamed from activity ${hash} ${hash} none`, `spend unchanged ${v1.hashOf('spend').slice(0, 8)} ${v1.hashOf('spend').slice(0, 8)} none`]);

    await commitRows(root, 'activity');
    const refused = await apply(root, 'definitions-v3.ts');
    expect(refused.code).toBe(1);
    expect(tableRows(refused.stdout)).toContainEqual(`recent_activity renamed from activity ${hash} ${hash} v1`);
    expect(refused.errLines.at(-1)).toBe(
      "asof: apply failed: refusing to apply: 'recent_activity' (renamed from 'activity', whose data stays under that name) already has materialized data " +
        'computed by the applied definition; re-run with --allow-changes, then re-materialize (CONFIG)',
    );
    const allowed = await apply(root, 'definitions-v3.ts', '--allow-changes');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('re-materialize: recent_activity');
    expect((await registryAt(root)).listFeatureViews().map((v) => v.name)).toEqual(['recent_activity', 'spend']);
  });
});
