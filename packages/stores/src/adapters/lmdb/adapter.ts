import type { AdapterDescriptor } from '@asof/core';
import type { AdapterSettings } from '../../settings/adapter-settings.js';
import { parseLmdbUrl } from './lmdb-url.js';

/** The embedded LMDB online store (`lmdb:<dir>`); lmdb's native module loads when one is opened. */
export const lmdbAdapter: AdapterDescriptor<AdapterSettings> = {
  name: 'lmdb',
  schemes: ['lmdb'],
  kinds: {
    online: {
      forms: ['lmdb:<dir>'],
      async open(url, settings) {
        const dir = parseLmdbUrl(url, settings.cwd);
        const { LmdbOnlineStore } = await import('./lmdb-online-store.js');
        return new LmdbOnlineStore({ path: dir });
      },
    },
  },
};
