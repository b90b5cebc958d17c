/**
 * An in-memory ObjectStore for scheduler tests (not part of the build):
 * enforces put-if-absent like a local directory, with no real I/O, so a
 * fake clock can drain the event loop between steps.
 */
import type { IoOptions, ObjectInfo, ObjectStore } from '@asof/core';

export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, { bytes: Uint8Array; lastModified: Date }>();

  describe(): string {
    return 'memory://';
  }

  async get(key: string, options?: IoOptions): Promise<Uint8Array | null> {
    options?.signal?.throwIfAborted();
    return this.objects.get(key)?.bytes ?? null;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    this.objects.set(key, { bytes, lastModified: new Date() });
  }

  async putIfAbsent(key: string, bytes: Uint8Array): Promise<boolean> {
    if (this.objects.has(key)) return false;
    this.objects.set(key, { bytes, lastModified: new Date() });
    return true;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for (const [key, { bytes, lastModified }] of [...this.objects]) if (key.startsWith(prefix)) yield { key, size: bytes.length, lastModified };
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }
}
