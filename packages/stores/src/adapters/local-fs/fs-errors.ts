import { stat } from 'node:fs/promises';
import path from 'node:path';
import { AsofError, StoreReadError, StoreWriteError } from '@asof/core';

/** Problems with the root itself (its place, its permissions): the user must choose or fix the root. */
const ROOT_PROBLEMS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
};

/**
 * Explains a file-system error of a local store in terms of its root:
 * a root (or a folder on its path) that is a file, a read-only or
 * permission-denied place, a place the kernel refuses to create entries in
 * (`/proc`, `/sys`), a full disk. Errors without an errno (asof's own, aborts)
 * come back unchanged; the original stays the `cause`.
 */
export async function explainFsError(error: unknown, action: 'read' | 'write' | 'list', target: string, root: string): Promise<unknown> {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('E') || error instanceof AsofError) return error;
  const store = `the store root ${root}`;
  const failing = typeof (error as { path?: unknown }).path === 'string' ? (error as { path: string }).path : target;
  if (code === 'ENOTDIR') {
    const file = await firstFileOnPath(target);
    const inside = file !== null && file.startsWith(`${path.resolve(root)}${path.sep}`);
    return new AsofError(
      'CONFIG',
      inside
        ? `cannot ${action} ${target}: ${file} inside ${store} is a file where a folder is needed (ENOTDIR); the store holds a file it did not write`
        : `${store} cannot hold files: ${file ?? 'a folder on its path'} is a file, not a directory (ENOTDIR); choose a directory as --root`,
      { cause: error },
    );
  }
  if (ROOT_PROBLEMS[code]) {
    return new AsofError('CONFIG', `cannot ${action} ${failing}: ${ROOT_PROBLEMS[code]} (${code}); choose a writable directory as --root, or fix the permissions of ${root}`, {
      cause: error,
    });
  }
  if (code === 'ENOENT' && action === 'write' && (await stat(path.dirname(failing)).catch(() => null))?.isDirectory()) {
    return new AsofError(
      'CONFIG',
      `cannot create ${failing}: the file system refuses new entries in ${path.dirname(failing)} although it exists (ENOENT; e.g. /proc or /sys); choose another --root`,
      { cause: error },
    );
  }
  const message = `cannot ${action} ${target} in ${store}: ${(error as Error).message}`;
  return action === 'write' ? new StoreWriteError(message, [], { cause: error }) : new StoreReadError(message, { cause: error });
}

/** The first path on the way down to `target` that exists and is not a directory. */
async function firstFileOnPath(target: string): Promise<string | null> {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let current: string = path.sep;
  for (const part of parts) {
    current = path.join(current, part);
    const info = await stat(current).catch(() => null);
    if (!info) return null;
    if (!info.isDirectory()) return current;
  }
  return null;
}
