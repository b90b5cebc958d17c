import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError, type CommitCoordinator, type ObjectStore } from '@asof/core';
import { LocalObjectStore } from '../adapters/local-fs/local-object-store.js';
import { parseS3Url, type S3ConnectionOptions } from '../adapters/s3/s3-config.js';
import { S3ObjectStore } from '../adapters/s3/s3-object-store.js';
import { ObjectOfflineStore } from './object-offline-store.js';
import type { ParquetWriteOptions } from './parquet/parquet-codec.js';

/** Options of {@link openOfflineStore}. */
export interface OpenOfflineStoreOptions {
  /** `file:///abs/dir`, a directory path (relative paths resolve against the working directory), or `s3://bucket/prefix`. */
  readonly root: string;
  /** Connection to S3 or an S3-compatible server, for `s3://` roots. */
  readonly s3?: S3ConnectionOptions & { readonly partBytes?: number; readonly partConcurrency?: number };
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

/**
 * Opens the offline store at `root`. Opening does no I/O; on S3 without a
 * coordinator, the first commit probes whether the endpoint enforces
 * put-if-absent and refuses to commit if it does not (reads always work).
 */
export function openOfflineStore(options: OpenOfflineStoreOptions): ObjectOfflineStore {
  const common = { coordinator: options.coordinator ?? null, parquet: options.parquet };
  if (options.objectStore) {
    return new ObjectOfflineStore({ ...common, objects: options.objectStore, location: options.root, putIfAbsent: 'probe' });
  }
  const root = options.root;
  if (typeof root !== 'string' || root.trim() === '') throw new InvalidInputError('openOfflineStore needs a root: a directory, file:///… or s3://bucket/prefix');
  if (root.startsWith('s3://')) {
    const { bucket, prefix } = parseS3Url(root);
    const objects = new S3ObjectStore({ ...(options.s3 ?? {}), bucket, prefix });
    return new ObjectOfflineStore({ ...common, objects, location: `s3://${bucket}/${prefix}`.replace(/\/$/, ''), putIfAbsent: 'probe' });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(root) && !root.startsWith('file://')) {
    throw new InvalidInputError(`unsupported offline store root ${JSON.stringify(root)}: use a directory, file:///… or s3://bucket/prefix`);
  }
  const dir = root.startsWith('file://') ? fileURLToPath(root) : path.resolve(root);
  return new ObjectOfflineStore({ ...common, objects: new LocalObjectStore(dir), location: dir, putIfAbsent: 'trusted' });
}
