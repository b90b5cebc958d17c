/**
 * Roots a local store cannot use: under /proc (where Node's recursive
 * mkdir spins forever), under /sys (EPERM), a file, a file on the path, a
 * read-only file system. Each fails at once with a CONFIG error naming the
 * path and the problem, and never reads as an empty store. Tests run as
 * root, so permissions alone cannot make a directory unwritable here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AsofError } from '@asof/core';
import { LocalObjectStore } from './local-object-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'asof-unusable-'));
const mounted: string[] = [];
afterAll(() => {
  for (const m of mounted) execFileSync('umount', [m]);
  rmSync(dir, { recursive: true, force: true });
});

async function configError(promise: Promise<unknown>): Promise<AsofError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AsofError);
  expect((error as AsofError).code).toBe('CONFIG');
  return error as AsofError;
}

async function listAll(store: LocalObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list('')) keys.push(info.key);
  return keys;
}

/** A read-only tmpfs, if this machine lets us mount one. */
function readOnlyMount(): string | null {
  const target = path.join(dir, 'read-only');
  try {
    execFileSync('mkdir', ['-p', target]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', target], { stdio: 'ignore' });
    mounted.push(target);
    return target;
  } catch {
    return null;
  }
}

describe('a local root that cannot hold a store', () => {
  it('under /proc: fails at once (ENOENT although /proc exists), not a mkdir loop at full CPU', async () => {
    const store = new LocalObjectStore('/proc/asof-x/store');
    const error = await configError(store.put('registry.json', new Uint8Array(1)));
    expect(error.message).toBe(
      'cannot create /proc/asof-x: the file system refuses new entries in /proc although it exists (ENOENT; e.g. /proc or /sys); choose another --root',
    );
    expect((error.cause as { code?: string }).code).toBe('ENOENT');
    expect(await store.get('registry.json')).toBeNull();
  });

  it('under /sys: operation not permitted, with the path', async () => {
    const error = await configError(new LocalObjectStore('/sys/asof-x').put('k', new Uint8Array(1)));
    expect(error.message).toMatch(/^cannot write \/sys\/asof-x: (operation not permitted \(EPERM\)|permission denied \(EACCES\)); choose a writable directory as --root/);
  });

  it('a file as the root, or a file on its path: named, on writes, reads and listings alike', async () => {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    for (const root of [file, path.join(file, 'sub')]) {
      const store = new LocalObjectStore(root);
      const expected = `the store root ${root} cannot hold files: ${file} is a file, not a directory (ENOTDIR); choose a directory as --root`;
      expect((await configError(store.put('registry.json', new Uint8Array(1)))).message).toBe(expected);
      expect((await configError(store.get('registry.json'))).message).toBe(expected);
      expect((await configError(listAll(store))).message).toBe(expected);
    }
  });

  it.skipIf(readOnlyMount() === null)('a read-only file system: the path and EROFS', async () => {
    const root = path.join(mounted[0]!, 'store');
    const error = await configError(new LocalObjectStore(root).put('registry.json', new Uint8Array(1)));
    expect(error.message).toBe(`cannot write ${root}: the file system is read-only (EROFS); choose a writable directory as --root, or fix the permissions of ${root}`);
  });

  it('keys below another key are absent, as on S3, while the root is a directory', async () => {
    const store = new LocalObjectStore(path.join(dir, 'fine'));
    await store.put('a', new Uint8Array(1));
    expect(await store.get('a/b')).toBeNull();
    expect(await listAll(store)).toEqual(['a']);
  });
});
