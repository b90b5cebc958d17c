import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { LocalObjectStore } from '../adapters/local-fs/local-object-store.js';
import { describeOfflineStore } from './offline-store.contract.js';
import { openOfflineStore } from './open.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describeOfflineStore('local directory', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'asof-offline-'));
  roots.push(root);
  const objects = new LocalObjectStore(root);
  return {
    objects,
    open: async (options) =>
      options?.wrap
        ? openOfflineStore({ root, objectStore: options.wrap(new LocalObjectStore(root)) })
        : openOfflineStore({ root: `file://${root}` }),
  };
});
