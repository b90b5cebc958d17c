import { describe, expect, it } from 'vitest';
import { STORE_ADAPTERS } from '@asof/stores';
import { materializerAdapters } from './adapters.js';

describe('materializerAdapters', () => {
  it('is the stores’ adapters plus the sources, one line each', () => {
    expect(materializerAdapters.adapters.map((a) => a.name)).toEqual([...STORE_ADAPTERS.map((a) => a.name), 'mysql']);
    expect(materializerAdapters.forms('source')).toEqual(['mysql://user:password@host:port/database']);
    expect(materializerAdapters.resolve('source', 'mysql://u@h/db').name).toBe('mysql');
    expect(materializerAdapters.resolve('source', 'MariaDB://u@h/db').name).toBe('mysql');
    expect(() => materializerAdapters.resolve('source', '/data/dump.sql', { what: 'source' })).toThrow('source "/data/dump.sql" is not mysql://user:password@host:port/database');
  });

  it('opens a MySQL source without connecting: the connector parses the URL, a malformed one is refused', async () => {
    const source = await materializerAdapters.open('source', 'mysql://asof@127.0.0.1:9/trs', {});
    expect(typeof source.snapshot).toBe('function');
    await source.close();
    await expect(materializerAdapters.open('source', 'mysql://asof@127.0.0.1:notaport/trs', {})).rejects.toThrow(/url is not a URL/);
  });
});
