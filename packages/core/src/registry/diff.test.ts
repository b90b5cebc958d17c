import { describe, expect, it } from 'vitest';
import { createRegistry, defineFeatureView, diffRegistries, findRenames } from '@asof/core';
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


describe('findRenames', () => {
  it('reports a view renamed with an unchanged definition as a rename, not a removal and an addition', () => {
    const keep = defineFeatureView(config({ name: 'keep', ttl: '400d' }));
    const before = createRegistry(keep, defineFeatureView(config({ name: 'old_name' })));
    const after = createRegistry(keep, defineFeatureView(config({ name: 'new_name', description: 'docs do not count' })));
    expect(findRenames(diffRegistries(before, after), before, after)).toEqual({
      added: [],
      removed: [],
      changed: [],
      unchanged: ['keep'],
      renamed: [{ from: 'old_name', to: 'new_name', hash: before.hashOf('old_name') }],
    });
  });

  it('keeps removals and additions when the definition changed too, or when the pairing is ambiguous', () => {
    const before = createRegistry(defineFeatureView(config({ name: 'a' })), defineFeatureView(config({ name: 'b' })));
    const changed = createRegistry(defineFeatureView(config({ name: 'c', ttl: '400d' })));
    expect(findRenames(diffRegistries(before, changed), before, changed)).toMatchObject({ added: ['c'], removed: ['a', 'b'], renamed: [] });
    // Two removed views with one definition and one added view with it: which one was renamed is a guess, so none is.
    const ambiguous = createRegistry(defineFeatureView(config({ name: 'c' })));
    expect(findRenames(diffRegistries(before, ambiguous), before, ambiguous)).toMatchObject({ added: ['c'], removed: ['a', 'b'], renamed: [] });
  });
});
