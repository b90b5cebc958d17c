import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError, type IoOptions, type ObjectInfo, type ObjectStore } from '@asof/core';
import { explainFsError } from './fs-errors.js';
import { makeDirs } from './make-dirs.js';

/** Options of {@link LocalObjectStore}. */
export interface LocalObjectStoreOptions {
  /** fsync each file before it becomes visible (default true): a commit survives a power cut. */
  readonly fsync?: boolean;
}

const TEMP_MARK = '.asof-tmp-';

/**
 * An {@link ObjectStore} on a local directory. Writes go to a temporary file
 * in the target directory and appear atomically: `put` renames it over the
 * key; `putIfAbsent` hard-links it to the key, which fails if the key exists
 * (the `O_EXCL` guarantee, without ever exposing a half-written file).
 * Temporary files are never listed. File-system errors name the root and
 * what is wrong with it (a file where the root should be, a read-only or
 * refusing place) instead of a bare errno.
 */
export class LocalObjectStore implements ObjectStore {
  readonly root: string;
  private readonly fsync: boolean;

  constructor(root: string, options: LocalObjectStoreOptions = {}) {
    this.root = path.resolve(root);
    this.fsync = options.fsync ?? true;
  }

  describe(): string {
    return this.root;
  }

  async get(key: string, options?: IoOptions): Promise<Uint8Array | null> {
    const file = this.pathOf(key);
    try {
      const buf = await readFile(file, { signal: options?.signal });
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (error) {
      // A key below another object's key is absent (as on S3); a root that is not a directory is an error.
      if (isCode(error, 'ENOENT') || (isCode(error, 'ENOTDIR') && (await isDirectory(this.root)))) return null;
      return this.fail(error, 'read', file);
    }
  }

  async getRange(key: string, start: number, end: number, options?: IoOptions): Promise<Uint8Array | null> {
    options?.signal?.throwIfAborted();
    let handle: FileHandle;
    const file = this.pathOf(key);
    try {
      handle = await open(file, 'r');
    } catch (error) {
      // A key below another object's key is absent (as on S3); a root that is not a directory is an error.
      if (isCode(error, 'ENOENT') || (isCode(error, 'ENOTDIR') && (await isDirectory(this.root)))) return null;
      return this.fail(error, 'read', file);
    }
    try {
      const size = (await handle.stat()).size;
      const from = Math.min(Math.max(0, start), size);
      const to = Math.min(Math.max(from, end), size);
      const out = new Uint8Array(to - from);
      let done = 0;
      while (done < out.length) {
        const { bytesRead } = await handle.read(out, done, out.length - done, from + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return out.subarray(0, done);
    } finally {
      await handle.close();
    }
  }

  async put(key: string, bytes: Uint8Array, options?: IoOptions): Promise<void> {
    const target = this.pathOf(key);
    const temp = await this.writeTemp(target, bytes, options);
    try {
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      return this.fail(error, 'write', target);
    }
  }

  async putIfAbsent(key: string, bytes: Uint8Array, options?: IoOptions): Promise<boolean> {
    const target = this.pathOf(key);
    const temp = await this.writeTemp(target, bytes, options);
    try {
      await link(temp, target);
      if (this.fsync) await syncDirectory(path.dirname(target));
      return true;
    } catch (error) {
      if (isCode(error, 'EEXIST')) return false;
      if (isCode(error, 'EPERM') || isCode(error, 'ENOTSUP') || isCode(error, 'EXDEV')) {
        return this.createExclusive(target, bytes).catch((e: unknown) => this.fail(e, 'write', target)); // a file system without hard links
      }
      return this.fail(error, 'write', target);
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async *list(prefix: string, options?: IoOptions): AsyncIterable<ObjectInfo> {
    // Start at the deepest directory the prefix names in full, then filter by the rest.
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash >= 0 ? prefix.slice(0, slash) : '';
    yield* this.walk(dirKey, prefix, options);
  }

  async delete(keys: readonly string[], options?: IoOptions): Promise<void> {
    for (const key of keys) {
      options?.signal?.throwIfAborted();
      const file = this.pathOf(key);
      await unlink(file).catch((error: unknown) => {
        if (!isCode(error, 'ENOENT')) return this.fail(error, 'write', file);
      });
    }
  }

  private async *walk(dirKey: string, prefix: string, options?: IoOptions): AsyncIterable<ObjectInfo> {
    options?.signal?.throwIfAborted();
    let entries;
    const dir = dirKey ? this.pathOf(dirKey) : this.root;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isCode(error, 'ENOENT')) return;
      // A prefix naming a file lists nothing; a root that is not a directory is an error, never an empty store.
      if (isCode(error, 'ENOTDIR') && dirKey !== '' && (await isDirectory(this.root))) return;
      return this.fail(error, 'list', dir);
    }
    for (const entry of entries) {
      if (entry.name.includes(TEMP_MARK)) continue;
      const key = dirKey ? `${dirKey}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* this.walk(key, prefix, options);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const info = await stat(this.pathOf(key)).catch(() => null);
        if (info) yield { key, size: info.size, lastModified: info.mtime };
      }
    }
  }

  private async writeTemp(target: string, bytes: Uint8Array, options?: IoOptions): Promise<string> {
    options?.signal?.throwIfAborted();
    const temp = path.join(path.dirname(target), `${TEMP_MARK}${randomBytes(8).toString('hex')}-${path.basename(target)}`);
    let handle: FileHandle;
    try {
      await makeDirs(path.dirname(target), options?.signal);
      handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
    } catch (error) {
      return this.fail(error, 'write', target);
    }
    try {
      await handle.writeFile(bytes);
      if (this.fsync) await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temp).catch(() => undefined);
      return this.fail(error, 'write', target);
    }
    await handle.close();
    return temp;
  }

  private async createExclusive(target: string, bytes: Uint8Array): Promise<boolean> {
    let handle: FileHandle;
    try {
      handle = await open(target, 'wx');
    } catch (error) {
      if (isCode(error, 'EEXIST')) return false;
      throw error;
    }
    try {
      await handle.writeFile(bytes);
      if (this.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  }

  /** Throws `error` explained in terms of this store's root (see {@link explainFsError}). */
  private async fail(error: unknown, action: 'read' | 'write' | 'list', target: string): Promise<never> {
    throw await explainFsError(error, action, target, this.root);
  }

  private pathOf(key: string): string {
    if (key === '' || key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
      throw new InvalidInputError(`invalid object key ${JSON.stringify(key)}: use a relative path without '.', '..' or empty segments`);
    }
    return path.join(this.root, ...key.split('/'));
  }
}

/** Makes a new directory entry durable (a commit must survive a power cut once it is reported). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => null))?.isDirectory() === true;
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
