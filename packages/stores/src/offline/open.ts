import { InvalidInputError, type CommitCoordinator, type ObjectRoot, type ObjectStore } from '@asof/core';
import type { S3ConnectionOptions, S3TransferOptions } from '../adapters/s3/s3-config.js';
import { storeAdapters } from '../adapters/store-adapters.js';
import { openObjectRoot, type OpenWith } from '../settings/open-from-settings.js';
import { ObjectOfflineStore } from './object-offline-store.js';
import type { ParquetWriteOptions } from './parquet/parquet-codec.js';

/** Options of {@link openOfflineStore} and {@link openOfflineRoot}. */
export interface OpenOfflineStoreOptions {
  /** `file:///abs/dir`, a directory path (relative paths resolve against the working directory), or `s3://bucket/prefix`. */
  readonly root: string;
  /** Connection to S3 or an S3-compatible server, for `s3://` roots. */
  readonly s3?: S3ConnectionOptions & S3TransferOptions;
  /**
   * Serialises commits where the object store cannot (S3-compatible servers
   * that ignore `If-None-Match`). Every writer of a root must use the same one.
   */
  readonly coordinator?: CommitCoordinator;
  /** Parquet writer settings (compression, row group size). */
  readonly parquet?: ParquetWriteOptions;
  /** Use this object store instead of one built from `root` (tests, custom backends); it is probed before the first commit. */
  readonly objectStore?: ObjectStore;
}

const NEEDS_ROOT = 'needs a root: a directory, file:///… or s3://bucket/prefix';

/**
 * Opens the offline store at a local `root` (a directory or `file:///…`),
 * or over a given `objectStore`, at once. A root whose adapter has a client
 * library to load first (`s3://…`) is refused with a pointer to
 * {@link openOfflineRoot}, which opens any root. Opening does no I/O.
 */
export function openOfflineStore(options: OpenOfflineStoreOptions): ObjectOfflineStore {
  if (options.objectStore) {
    return offlineStoreAt({ objects: options.objectStore, location: options.root, putIfAbsent: 'probe', directory: null }, options);
  }
  const root = options.root;
  if (typeof root !== 'string' || root.trim() === '') throw new InvalidInputError(`openOfflineStore ${NEEDS_ROOT}`);
  const adapter = storeAdapters.resolve('objects', root, { what: 'offline store root' });
  const openNow = adapter.kinds.objects!.openNow;
  if (!openNow) {
    throw new InvalidInputError(
      `openOfflineStore opens local roots at once; ${JSON.stringify(root)} needs the ${adapter.name} adapter's client loaded first: use await openOfflineRoot({ root, … })`,
    );
  }
  return offlineStoreAt(openNow(root, {}), options);
}

/**
 * Opens the offline store at any root the adapters know (a directory,
 * `file:///…`, `s3://bucket/prefix`), loading the adapter's client library
 * then. Opening does no I/O; on S3 without a coordinator, the first commit
 * probes whether the endpoint enforces put-if-absent and refuses to commit
 * if it does not (reads always work).
 */
export async function openOfflineRoot(options: OpenOfflineStoreOptions & OpenWith & { readonly cwd?: string }): Promise<ObjectOfflineStore> {
  if (options.objectStore) return openOfflineStore(options);
  if (typeof options.root !== 'string' || options.root.trim() === '') throw new InvalidInputError(`openOfflineRoot ${NEEDS_ROOT}`);
  const settings = { ...(options.cwd !== undefined ? { cwd: options.cwd } : {}), ...(options.s3 ? { s3: options.s3 } : {}) };
  return offlineStoreAt(await openObjectRoot(options.root, settings, { what: 'offline store root', ...(options.adapters ? { adapters: options.adapters } : {}) }), options);
}

/** The offline store on an opened object root, committing through `coordinator` where given. */
export function offlineStoreAt(root: ObjectRoot, options: { readonly coordinator?: CommitCoordinator | null; readonly parquet?: ParquetWriteOptions } = {}): ObjectOfflineStore {
  return new ObjectOfflineStore({ ...root, coordinator: options.coordinator ?? null, parquet: options.parquet });
}
