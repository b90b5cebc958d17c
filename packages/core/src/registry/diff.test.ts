import { describe, expect, it } from 'vitest';
import { createRegistry, defineFeatureView, diffRegistries } from '@asof/core';
import { config } from './testing/view-config.js';

describe('diffRegistries', () => {
  it('reports added, removed, changed and unchanged views by hash', () => {
    const keep = defineFeatureView(config({ name: 'keep' }));
    const change = defineFeatureView(config({ name: 'change' }));
    const gone = defineFeatureView(config({ name: 'gone' }));
    const before = createRegistry(keep, change, gone);
    const after = createRegistry(
      defineFeatureView(config({ name: 'keep', description: 'docs only' })),
      defineFeatureView(config({ name: 'change', ttl: '400d' })),
      defineFeatureView(config({ name: 'added' })),
    );
    const diff = diffRegistries(before, after);
    expect(diff).toEqual({
      added: ['added'],
      removed: ['gone'],
      changed: [{ name: 'change', before: before.hashOf('change'), after: after.hashOf('change') }],
      unchanged: ['keep'],
    });
    expect(diffRegistries(before, before)).toEqual({ added: [], removed: [], changed: [], unchanged: ['change', 'gone', 'keep'] });
  });
});

