import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { open } from 'lmdb';
import { afterAll } from 'vitest';
import { describeOnlineStore } from '../../online/online-store.contract.js';
import { describeOnlineTimelines } from '../../online/online-timeline.contract.js';
import { LmdbOnlineStore } from './lmdb-online-store.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function freshDir(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'asof-online-'));
  roots.push(root);
  return path.join(root, 'online');
}

describeOnlineStore('LmdbOnlineStore (embedded)', async () => {
  const dir = freshDir();
  return { open: async () => new LmdbOnlineStore({ path: dir }) };
});

describeOnlineTimelines('LmdbOnlineStore (embedded)', async () => {
  const dir = freshDir();
  // Raw access through a second handle on the same environment, as another process would have.
  const raw = async <T>(f: (db: ReturnType<typeof open>) => Promise<T>): Promise<T> => {
    const db = open({ path: dir });
    try {
      return await f(db);
    } finally {
      await db.close();
    }
  };
  return {
    open: async (limits) => new LmdbOnlineStore({ path: dir, ...limits }),
    putRaw: (item) => raw((db) => db.put((item.pk as { S: string }).S, item).then(() => undefined)),
    keys: (prefix) => raw(async (db) => [...db.getKeys({ start: prefix })].map(String).filter((k) => k.startsWith(prefix)).sort()),
  };
});
