/**
 * A process that builds the AWS clients asof builds and then emits a
 * warning of its own (for the warning tests, not part of the build): the
 * AWS SDK's Node-version notice must stay quiet, other warnings must not.
 */
import { DynamoDbOnlineStore } from '../adapters/dynamodb/dynamodb-online-store.js';
import { S3ObjectStore } from '../adapters/s3/s3-object-store.js';

const s3 = new S3ObjectStore({ bucket: 'probe', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const online = new DynamoDbOnlineStore({ tableName: 'probe', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
process.emitWarning('a warning of the application itself', 'AsofProbeWarning');
s3.client.destroy();
await online.close();
