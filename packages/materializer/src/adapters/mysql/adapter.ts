import type { AdapterDescriptor } from '@asof/core';

/**
 * MySQL, MariaDB and Aurora MySQL (`mysql://user:password@host:port/database`)
 * as a source. The URL is parsed by the connector's config, its one parser;
 * mysql2 loads when a source is opened.
 */
export const mysqlAdapter: AdapterDescriptor = {
  name: 'mysql',
  schemes: ['mysql', 'mariadb'],
  kinds: {
    source: {
      forms: ['mysql://user:password@host:port/database'],
      async open(url) {
        const { MySqlConnector } = await import('./connector.js');
        return new MySqlConnector({ url });
      },
    },
  },
};
