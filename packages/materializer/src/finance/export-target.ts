import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AsofError, type ObjectStore } from '@asof/core';
import { LocalObjectStore, S3ObjectStore, parseS3Url, type S3ConnectionOptions } from '@asof/stores';

/** Where an export lives: its object store and its address as SQL engines see it. */
export interface ExportTarget {
  readonly objects: ObjectStore;
  /** `s3://bucket/prefix` or an absolute directory. */
  readonly location: string;
  /** A local directory enforces put-if-absent; an S3 endpoint is probed before the first publish. */
  readonly putIfAbsent: 'trusted' | 'probe';
}

/** Opens `--to` (a directory, `file:///…` or `s3://bucket/prefix`, reached through `s3`: the CLI's S3 settings). */
export function openExportTarget(to: string, options: { cwd: string; s3?: S3ConnectionOptions }): ExportTarget {
  if (to.startsWith('s3://')) {
    const { bucket, prefix } = parseS3Url(to);
    return {
      objects: new S3ObjectStore({ ...options.s3, bucket, prefix }),
      location: `s3://${bucket}/${prefix}`.replace(/\/+$/, ''),
      putIfAbsent: 'probe',
    };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(to) && !to.startsWith('file://')) {
    throw new AsofError('CONFIG', `cannot export to ${JSON.stringify(to)}: use a directory, file:///… or s3://bucket/prefix`);
  }
  const dir = to.startsWith('file://') ? fileURLToPath(to) : path.resolve(options.cwd, to);
  return { objects: new LocalObjectStore(dir), location: dir, putIfAbsent: 'trusted' };
}

/** The key in the offline store's root that remembers the last export's location, so `asof sql --root` finds it. */
export const LAST_EXPORT_KEY = '_exports/invoices.json';

