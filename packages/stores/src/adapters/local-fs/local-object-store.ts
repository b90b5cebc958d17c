import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError, type IoOptions, type ObjectInfo, type ObjectStore } from '@asof/core';

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
 * Temporary files are never listed.
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
    try {
      const buf = await readFile(this.pathOf(key), { signal: options?.signal });
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return null;
      throw error;
    }
  }

  async getRange(key: string, start: number, end: number, options?: IoOptions): Promise<Uint8Array | null> {
    options?.signal?.throwIfAborted();
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(key), 'r');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return null;
      throw error;
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
      throw error;
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
        return this.createExclusive(target, bytes); // a file system without hard links
      }
      throw error;
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
      await unlink(this.pathOf(key)).catch((error: unknown) => {
        if (!isCode(error, 'ENOENT')) throw error;
      });
    }
  }

  private async *walk(dirKey: string, prefix: string, options?: IoOptions): AsyncIterable<ObjectInfo> {
    options?.signal?.throwIfAborted();
    let entries;
    try {
      entries = await readdir(dirKey ? this.pathOf(dirKey) : this.root, { withFileTypes: true });
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return;
      throw error;
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
    await mkdir(path.dirname(target), { recursive: true });
    const temp = path.join(path.dirname(target), `${TEMP_MARK}${randomBytes(8).toString('hex')}-${path.basename(target)}`);
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL);
    try {
      await handle.writeFile(bytes);
      if (this.fsync) await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temp).catch(() => undefined);
      throw error;
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

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
