import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError, type ObjectRoot } from '@asof/core';
import { LocalObjectStore } from './local-object-store.js';

/**
 * The directory a local root names: a path (relative ones resolve against
 * `cwd`) or a `file://` URL (percent-escapes decoded: `file:///data/a%20b`
 * is `/data/a b`). The one parser of local roots.
 */
export function parseLocalRoot(url: string, cwd: string = process.cwd()): string {
  if (!/^file:/i.test(url)) return path.resolve(cwd, url);
  try {
    return fileURLToPath(url);
  } catch (error) {
    throw new InvalidInputError(`invalid file URL ${JSON.stringify(url)}: ${(error as Error).message}; expected file:///absolute/dir`, { cause: error });
  }
}

/** The object root of a local directory: it enforces put-if-absent itself (`O_EXCL`-style links). */
export function openLocalRoot(url: string, cwd?: string): ObjectRoot {
  const dir = parseLocalRoot(url, cwd);
  return { objects: new LocalObjectStore(dir), location: dir, putIfAbsent: 'trusted', directory: dir };
}
