import { mkdirSync, statSync, type Stats } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * `mkdir -p` in a bounded number of steps: finds the deepest existing
 * ancestor, then creates each missing level once. Node's own
 * `mkdir(dir, { recursive: true })` loops forever (at full CPU, ignoring
 * signals) where the kernel answers ENOENT for an entry whose parent
 * exists, as under `/proc` or `/sys`; here that ENOENT is thrown. Errors
 * are the file system's (`ENOTDIR`, `EACCES`, `EROFS`, `ENOENT`, ...), for
 * the caller to explain.
 */
export async function makeDirs(dir: string, signal?: AbortSignal): Promise<void> {
  const missing: string[] = [];
  for (let current = path.resolve(dir); ; ) {
    signal?.throwIfAborted();
    const info = await stat(current).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'ENOENT') return null;
      throw error;
    });
    if (info) {
      if (!info.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${current}'`), { code: 'ENOTDIR', path: current });
      break;
    }
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const level of missing.reverse()) {
    signal?.throwIfAborted();
    try {
      await mkdir(level);
    } catch (error) {
      // Created by a concurrent writer in the meantime: fine if it is a directory.
      if ((error as { code?: string }).code === 'EEXIST' && (await stat(level)).isDirectory()) continue;
      throw error;
    }
  }
}

/** {@link makeDirs} for constructors that must stay synchronous (the LMDB store opens its directory at once). */
export function makeDirsSync(dir: string): void {
  const missing: string[] = [];
  for (let current = path.resolve(dir); ; ) {
    let info: Stats | null;
    try {
      info = statSync(current);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
      info = null;
    }
    if (info) {
      if (!info.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${current}'`), { code: 'ENOTDIR', path: current });
      break;
    }
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as { code?: string }).code === 'EEXIST' && statSync(level).isDirectory()) continue;
      throw error;
    }
  }
}
