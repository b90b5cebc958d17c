import type { ObjectRoot } from '@asof/core';

/**
 * Where an export lives: its object store, its address as SQL engines see
 * it (`s3://bucket/prefix`, an absolute directory), and whether the store
 * enforces put-if-absent (a directory) or is probed before the first
 * publish (S3). The CLI context opens it from `--to` through the adapters.
 */
export type ExportTarget = ObjectRoot;

/** The key in the offline store's root that remembers the last export's location, so `asof sql --root` finds it. */
export const LAST_EXPORT_KEY = '_exports/invoices.json';
