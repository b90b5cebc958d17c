import { randomBytes } from 'node:crypto';
import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { describeOnlineStore } from '../../online/online-store.contract.js';
import { describeOnlineTimelines } from '../../online/online-timeline.contract.js';
import { dynamoDbConnection } from '../../testing/services.js';
import { DynamoDbOnlineStore } from './dynamodb-online-store.js';

dynamoDbConnection(); // start DynamoDB Local while collecting, outside any test timeout
const admins: DynamoDbOnlineStore[] = [];
afterAll(() => Promise.all(admins.map((a) => a.close())));

async function freshTable(): Promise<{ tableName: string; admin: DynamoDbOnlineStore }> {
  const tableName = `asof-online-${randomBytes(4).toString('hex')}`;
  const admin = new DynamoDbOnlineStore({ ...dynamoDbConnection(), tableName });
  await admin.createTable();
  admins.push(admin);
  return { tableName, admin };
}

describeOnlineStore('DynamoDbOnlineStore (DynamoDB Local)', async () => {
  const { tableName } = await freshTable();
  return { open: async () => new DynamoDbOnlineStore({ ...dynamoDbConnection(), tableName }) };
});

describeOnlineTimelines('DynamoDbOnlineStore (DynamoDB Local)', async () => {
  const { tableName, admin } = await freshTable();
  return {
    open: async (limits) => new DynamoDbOnlineStore({ ...dynamoDbConnection(), tableName, ...limits }),
    putRaw: async (item) => void (await admin.client.send(new PutItemCommand({ TableName: tableName, Item: item }))),
    keys: async (prefix) => {
      const keys: string[] = [];
      let start: Record<string, never> | undefined;
      do {
        const out = await admin.client.send(
          new ScanCommand({ TableName: tableName, ProjectionExpression: 'pk', ConsistentRead: true, ExclusiveStartKey: start, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': { S: prefix } } }),
        );
        keys.push(...(out.Items ?? []).map((i) => i.pk!.S!));
        start = out.LastEvaluatedKey as typeof start;
      } while (start);
      return keys.sort();
    },
  };
});
