import type { AdapterDescriptor } from '@asof/core';
import type { AdapterSettings } from '../../settings/adapter-settings.js';
import { describeConnection } from '../../settings/store-settings.js';
import { parseDynamoDbUrl } from './dynamodb-url.js';

/**
 * DynamoDB tables (`dynamodb://<table>`) as online stores and commit
 * coordinators (whose `leases()` keep the root's leases in the same table);
 * the AWS client loads when one is opened.
 */
export const dynamodbAdapter: AdapterDescriptor<AdapterSettings> = {
  name: 'dynamodb',
  schemes: ['dynamodb'],
  kinds: {
    online: {
      forms: ['dynamodb://<table>'],
      async open(url, settings) {
        const tableName = parseDynamoDbUrl(url, 'online store');
        const { DynamoDbOnlineStore } = await import('./dynamodb-online-store.js');
        return new DynamoDbOnlineStore({ ...settings.dynamodb, tableName });
      },
    },
    coordinator: {
      forms: ['dynamodb://<table>'],
      async open(url, settings) {
        const tableName = parseDynamoDbUrl(url, 'commit coordinator');
        const { DynamoDbCommitCoordinator } = await import('./dynamodb-commit-coordinator.js');
        return new DynamoDbCommitCoordinator({ ...settings.dynamodb, tableName });
      },
    },
  },
  describeConnection: (settings) => ({ dynamodb: describeConnection(settings.dynamodb ?? {}) }),
};
