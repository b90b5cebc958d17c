import { storeAdapters, type AdapterSettings } from '@asof/stores';
import type { AdapterDescriptor, AdapterRegistry } from '@asof/core';
import { mysqlAdapter } from './mysql/adapter.js';

/**
 * The sources the materializer can extract from, one line each. A new one
 * (Postgres, a Kafka topic of change events) is a folder under `adapters/`
 * with its descriptor, and a line here; see docs/design/adapters.md.
 */
export const SOURCE_ADAPTERS: readonly AdapterDescriptor<AdapterSettings>[] = Object.freeze([
  mysqlAdapter, // mysql://, mariadb:// (source)
]);

/** The one registry the CLI opens every backend with: the stores' adapters and the sources'. */
export const materializerAdapters: AdapterRegistry<AdapterSettings> = storeAdapters.with(...SOURCE_ADAPTERS);
