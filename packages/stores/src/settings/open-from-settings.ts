/**
 * Opening one backend from a URL in the settings, through the adapter
 * registry: the only openers of object roots, online stores and commit
 * coordinators. The composition roots (the CLI context, `FeatureStore.open`)
 * call these and put the results together; nothing else opens a backend.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AdapterRegistry, CommitCoordinator, ObjectRoot, OnlineStore } from '@asof/core';
import { storeAdapters } from '../adapters/store-adapters.js';
import type { AdapterSettings } from './adapter-settings.js';
import type { StoreSettings } from './store-settings.js';

/** Which registry to open with (default {@link storeAdapters}; the CLI passes its own, which also has the sources). */
export interface OpenWith {
  readonly adapters?: AdapterRegistry<AdapterSettings>;
}

/** Opens the object root `url` names (`what` it is for names it in errors): a directory, `file:///…` or `s3://bucket/prefix`. */
export function openObjectRoot(url: string, settings: AdapterSettings, options: OpenWith & { readonly what?: string } = {}): Promise<ObjectRoot> {
  return (options.adapters ?? storeAdapters).open('objects', url, settings, { what: options.what ?? 'object store root' });
}

/** The commit coordinator the settings name (`dynamodb://<table>`), on their DynamoDB connection, or `null`. */
export async function openCommitCoordinator(
  settings: Pick<StoreSettings, 'commitCoordinator'> & AdapterSettings,
  options: OpenWith = {},
): Promise<CommitCoordinator | null> {
  if (settings.commitCoordinator === undefined) return null;
  return (options.adapters ?? storeAdapters).open('coordinator', settings.commitCoordinator, settings, { what: 'commit coordinator' });
}

/**
 * Opens the online store `spec` names: `lmdb:<dir>` (relative to `cwd`),
 * `dynamodb://<table>` on the settings' DynamoDB connection, or `none`
 * (`null`). Anything else is a `CONFIG` error listing those forms.
 */
export async function openOnlineStore(spec: string, settings: AdapterSettings, options: OpenWith & { readonly cwd?: string } = {}): Promise<OnlineStore | null> {
  if (spec === 'none') return null;
  const cwd = options.cwd ?? settings.cwd;
  return (options.adapters ?? storeAdapters).open('online', spec, { ...settings, ...(cwd !== undefined ? { cwd } : {}) }, { what: 'online store', also: ['none'] });
}

/**
 * The online store a root uses when none is named: the embedded LMDB store
 * in `<root>/_online` for a root on this machine, `none` elsewhere (S3).
 * With `onlyIfExists` (readers), `none` unless that directory is there,
 * since opening it would create it.
 */
export function defaultOnlineSpec(root: ObjectRoot, options: { readonly onlyIfExists?: boolean } = {}): string {
  if (root.directory === null) return 'none';
  const dir = path.join(root.directory, '_online');
  return options.onlyIfExists && !existsSync(dir) ? 'none' : `lmdb:${dir}`;
}
