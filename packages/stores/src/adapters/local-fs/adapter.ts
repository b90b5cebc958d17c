import type { AdapterDescriptor } from '@asof/core';
import type { AdapterSettings } from '../../settings/adapter-settings.js';
import { openLocalRoot } from './local-root.js';

/** Local directories (plain paths and `file://` URLs) as object roots. Node's `fs` only: nothing to load lazily. */
export const localFsAdapter: AdapterDescriptor<AdapterSettings> = {
  name: 'local',
  schemes: ['', 'file'],
  kinds: {
    objects: {
      forms: ['a directory', 'file:///…'],
      open: async (url, settings) => openLocalRoot(url, settings.cwd),
      openNow: (url, settings) => openLocalRoot(url, settings.cwd),
    },
  },
};
