import { AdapterRegistry, type AdapterDescriptor } from '@asof/core';
import type { AdapterSettings } from '../settings/adapter-settings.js';
import { dynamodbAdapter } from './dynamodb/adapter.js';
import { lmdbAdapter } from './lmdb/adapter.js';
import { localFsAdapter } from './local-fs/adapter.js';
import { s3Adapter } from './s3/adapter.js';

/**
 * Every store adapter, one line each (the order messages list their forms
 * in). A new one (a Redis online store, say) is a folder under `adapters/`
 * with its descriptor, and a line here; see docs/design/adapters.md.
 */
export const STORE_ADAPTERS: readonly AdapterDescriptor<AdapterSettings>[] = Object.freeze([
  localFsAdapter, // a directory, file:///… (object roots)
  s3Adapter, // s3://bucket/prefix (object roots)
  lmdbAdapter, // lmdb:<dir> (online)
  dynamodbAdapter, // dynamodb://<table> (online, commit coordinator, leases)
]);

/** The registry of {@link STORE_ADAPTERS}: what the SDK opens stores with (the CLI adds its sources to it). */
export const storeAdapters = new AdapterRegistry<AdapterSettings>(STORE_ADAPTERS);
