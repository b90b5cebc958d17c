/** The contract every {@link ObjectStore} passes, run against each backend with real services. */
import { describe, expect, it } from 'vitest';
import type { ObjectStore } from '@asof/core';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

/** Registers the object store contract; `factory` returns a store on a fresh, empty root. */
export function describeObjectStore(name: string, factory: () => Promise<ObjectStore>, options: { enforcesPutIfAbsent: boolean }): void {
  describe(`object store contract: ${name}`, () => {
    it('puts, gets, overwrites and reads ranges', async () => {
      const store = await factory();
      expect(await store.get('a/b.txt')).toBeNull();
      await store.put('a/b.txt', bytes('hello world'));
      expect(text(await store.get('a/b.txt'))).toBe('hello world');
      await store.put('a/b.txt', bytes('second'));
      expect(text(await store.get('a/b.txt'))).toBe('second');
      expect(text((await store.getRange?.('a/b.txt', 1, 4)) ?? null)).toBe('eco');
      expect(text((await store.getRange?.('a/b.txt', 3, 100)) ?? null)).toBe('ond');
      expect(await store.getRange?.('a/missing', 0, 3)).toBeNull();
      await store.put('empty', new Uint8Array(0));
      expect((await store.get('empty'))?.length).toBe(0);
    });

    it(`putIfAbsent creates once${options.enforcesPutIfAbsent ? ' and refuses an existing key' : ''}`, async () => {
      const store = await factory();
      expect(await store.putIfAbsent('log/1.json', bytes('first'))).toBe(true);
      const second = await store.putIfAbsent('log/1.json', bytes('second'));
      if (options.enforcesPutIfAbsent) {
        expect(second).toBe(false);
        expect(text(await store.get('log/1.json'))).toBe('first');
      }
    });

    it('lists recursively by prefix (not only by directory), with sizes and times', async () => {
      const store = await factory();
      const before = Date.now() - 5_000;
      for (const k of ['v/a/1', 'v/a/2', 'v/ab/3', 'v/b/c/4', 'w/5']) await store.put(k, bytes(k));
      const keys = async (prefix: string) => {
        const out: string[] = [];
        for await (const o of store.list(prefix)) out.push(o.key);
        return out.sort();
      };
      expect(await keys('v/')).toEqual(['v/a/1', 'v/a/2', 'v/ab/3', 'v/b/c/4']);
      expect(await keys('v/a')).toEqual(['v/a/1', 'v/a/2', 'v/ab/3']);
      expect(await keys('v/a/')).toEqual(['v/a/1', 'v/a/2']);
      expect(await keys('nothing/')).toEqual([]);
      for await (const o of store.list('v/b/')) {
        expect(o.size).toBe(7);
        expect(o.lastModified.getTime()).toBeGreaterThan(before);
      }
    });

    it('lists past one page of results', async () => {
      const store = await factory();
      await Promise.all(Array.from({ length: 1100 }, (_, i) => store.put(`many/${String(i).padStart(4, '0')}`, bytes('x'))));
      let n = 0;
      for await (const _ of store.list('many/')) n++;
      expect(n).toBe(1100);
    });

    it('deletes, ignoring keys that do not exist', async () => {
      const store = await factory();
      await store.put('d/1', bytes('1'));
      await store.put('d/2', bytes('2'));
      await store.delete(['d/1', 'd/missing']);
      expect(await store.get('d/1')).toBeNull();
      expect(text(await store.get('d/2'))).toBe('2');
    });

    it('describes itself for messages', async () => {
      expect((await factory()).describe()).toBeTruthy();
    });
  });
}
