import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '@asof/core';
import { probePutIfAbsent } from '../s3/probe-put-if-absent.js';
import { describeObjectStore } from '../object-store.contract.js';
import { LocalObjectStore } from './local-object-store.js';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
const fresh = () => {
  const root = mkdtempSync(path.join(tmpdir(), 'asof-objects-'));
  roots.push(root);
  return new LocalObjectStore(root);
};

describeObjectStore('local directory', async () => fresh(), { enforcesPutIfAbsent: true });

describe('LocalObjectStore', () => {
  it('passes the put-if-absent probe', async () => {
    expect((await probePutIfAbsent(fresh())).enforced).toBe(true);
  });

  it('lets exactly one of many concurrent putIfAbsent calls win, and never leaves temp files', async () => {
    const store = fresh();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.putIfAbsent('log/00001.json', new TextEncoder().encode(`writer ${i}`))));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(new TextDecoder().decode((await store.get('log/00001.json'))!)).toBe(`writer ${winner}`);
    expect(readdirSync(path.join(store.root, 'log'))).toEqual(['00001.json']);
  });

  it('refuses keys that would escape the root', async () => {
    const store = fresh();
    for (const key of ['../x', '/abs', 'a//b', 'a/./b', '']) {
      await expect(store.put(key, new Uint8Array(1))).rejects.toBeInstanceOf(InvalidInputError);
    }
  });
});
