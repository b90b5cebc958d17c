import { randomBytes } from 'node:crypto';
import { describeOnlineStore } from '../../online/online-store.contract.js';
import { dynamoDbConnection } from '../../testing/services.js';
import { DynamoDbOnlineStore } from './dynamodb-online-store.js';

dynamoDbConnection(); // start DynamoDB Local while collecting, outside any test timeout

describeOnlineStore('DynamoDbOnlineStore (DynamoDB Local)', async () => {
  const tableName = `asof-online-${randomBytes(4).toString('hex')}`;
  const first = new DynamoDbOnlineStore({ ...dynamoDbConnection(), tableName });
  await first.createTable();
  await first.close();
  return { open: async () => new DynamoDbOnlineStore({ ...dynamoDbConnection(), tableName }) };
});
