import { randomBytes } from 'node:crypto';
import type { IoOptions, ObjectStore } from '@asof/core';

/** What {@link probePutIfAbsent} found. */
export interface PutIfAbsentProbe {
  /** `true` if the store refused to overwrite an existing object. */
  readonly enforced: boolean;
  /** Why not, for messages. */
  readonly detail: string;
}

/** Where probes are written, under the store's root. */
export const PROBE_PREFIX = '_asof/probes/';

/**
 * Checks whether a store really enforces put-if-absent: writes one fresh
 * probe key twice with {@link ObjectStore.putIfAbsent} and reports whether
 * the second write was refused (and the first content kept). S3-compatible
 * test servers (fauxqs, s3rver) accept both writes; AWS S3 refuses the
 * second. The probe object is deleted afterwards.
 */
export async function probePutIfAbsent(store: ObjectStore, options?: IoOptions): Promise<PutIfAbsentProbe> {
  const key = `${PROBE_PREFIX}put-if-absent-${Date.now()}-${randomBytes(6).toString('hex')}`;
  const first = new TextEncoder().encode('first');
  try {
    if (!(await store.putIfAbsent(key, first, options))) {
      return { enforced: false, detail: 'a put-if-absent of a fresh key was refused' };
    }
    let second: boolean;
    try {
      second = await store.putIfAbsent(key, new TextEncoder().encode('second'), options);
    } catch (error) {
      return { enforced: false, detail: `a conditional write failed with ${String((error as Error)?.message ?? error)}` };
    }
    if (second) return { enforced: false, detail: 'a second PUT with If-None-Match: * on an existing key succeeded' };
    const kept = await store.get(key, options);
    if (!kept || new TextDecoder().decode(kept) !== 'first') {
      return { enforced: false, detail: 'the refused write still replaced the object' };
    }
    return { enforced: true, detail: 'an existing key was refused' };
  } finally {
    await store.delete([key]).catch(() => undefined);
  }
}
