/**
 * A user's module that builds the adapters itself from their subpath
 * exports (`@asof/stores/lmdb`, `/s3`, `/dynamodb`, `@asof/materializer/mysql`),
 * for the packaging test's declaration check: each subpath must resolve,
 * with types, under every module setting a user compiles with.
 */
import { openOfflineStore } from '@asof/stores';
import { DynamoDbOnlineStore } from '@asof/stores/dynamodb';
import { LmdbOnlineStore } from '@asof/stores/lmdb';
import { S3ObjectStore } from '@asof/stores/s3';
import { MySqlConnector } from '@asof/materializer/mysql';

/** Each adapter, unannotated, so its type is emitted. */
export function cells(dir: string) {
  const offline = openOfflineStore({ root: dir });
  const online = new LmdbOnlineStore({ path: `${dir}/_online` });
  const s3 = new S3ObjectStore({ bucket: 'b', endpoint: 'http://127.0.0.1:9' });
  const dynamodb = new DynamoDbOnlineStore({ tableName: 'asof-online', endpoint: 'http://127.0.0.1:9' });
  const source = new MySqlConnector({ url: 'mysql://u@127.0.0.1:9/db' });
  return { offline, online, s3, dynamodb, source };
}
