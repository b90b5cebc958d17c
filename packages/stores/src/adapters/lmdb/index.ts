/**
 * `@asof/stores/lmdb`: the embedded LMDB online store. Importing it loads
 * lmdb's native module; the package root does not, and opens `lmdb:<dir>`
 * through the adapter registry.
 */
export { LmdbOnlineStore, type LmdbOnlineStoreOptions } from './lmdb-online-store.js';
export { parseLmdbUrl } from './lmdb-url.js';
export { lmdbAdapter } from './adapter.js';
