import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { describeOnlineStore } from '../../online/online-store.contract.js';
import { LmdbOnlineStore } from './lmdb-online-store.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describeOnlineStore('LmdbOnlineStore (embedded)', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'asof-online-'));
  roots.push(root);
  return { open: async () => new LmdbOnlineStore({ path: path.join(root, 'online') }) };
});
