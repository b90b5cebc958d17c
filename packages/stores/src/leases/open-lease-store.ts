import { AsofError, type CommitCoordinator, type LeaseStore, type IoOptions, type ObjectStore } from '@asof/core';
import { probePutIfAbsent } from '../adapters/s3/probe-put-if-absent.js';
import { ObjectLeaseStore } from './object-lease-store.js';

/** Options of {@link openLeaseStore}. */
export interface OpenLeaseStoreOptions extends IoOptions {
  /** The object store of the offline store's root. */
  readonly objects: ObjectStore;
  /** The root's commit coordinator, if one is configured. */
  readonly coordinator?: CommitCoordinator | null;
  /**
   * The root's stable name, scoping its leases in a shared coordinator
   * table (default: the object store's description without an
   * ` (endpoint …)` suffix, so every process naming the same bucket and
   * prefix agrees).
   */
  readonly location?: string;
  /** The clock in epoch ms (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * The lease store for a root, chosen like its commits: a commit coordinator
 * that can hold leases (`leases()`, as DynamoDB's does) keeps them, scoped
 * by the root; otherwise they live in the object store under `_locks/`,
 * after a probe shows that it enforces put-if-absent. An endpoint that
 * ignores put-if-absent (most S3-compatible test servers) without such a
 * coordinator is refused with a `CONFIG` error, because leases on it would
 * not exclude anyone.
 */
export async function openLeaseStore(options: OpenLeaseStoreOptions): Promise<LeaseStore> {
  const { objects, coordinator, now } = options;
  if (coordinator?.leases) {
    const scope = options.location ?? objects.describe().replace(/ \(.*\)$/, '');
    return coordinator.leases(scope, now ? { now } : {});
  }
  const probe = await probePutIfAbsent(objects, options);
  if (!probe.enforced) {
    throw new AsofError(
      'CONFIG',
      `cannot keep leases in ${objects.describe()}: the endpoint does not enforce If-None-Match (probe: ${probe.detail}); ` +
        `configure a DynamoDB commit coordinator (--commit-coordinator dynamodb://table), which also holds the leases`,
    );
  }
  return new ObjectLeaseStore(objects, now ? { now } : {});
}
