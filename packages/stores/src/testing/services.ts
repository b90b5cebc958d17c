/**
 * Endpoints of the real services for store tests (not part of the build):
 * fauxqs (S3) and DynamoDB Local, started by scripts/services/up.sh.
 */
import { randomBytes } from 'node:crypto';
import { ensureServices } from '../../../../test/helpers/services.js';
import { DynamoDbCommitCoordinator } from '../adapters/dynamodb/dynamodb-commit-coordinator.js';
import { S3ObjectStore } from '../adapters/s3/s3-object-store.js';

/** Any credentials work against the local servers. */
export const TEST_CREDENTIALS = { accessKeyId: 'asof', secretAccessKey: 'asof-secret' } as const;
export const TEST_BUCKET = 'asof-test';
/** fauxqs refuses request bodies over 11 MiB, so parts stay below that. */
export const TEST_PART_BYTES = 8 * 1024 * 1024;

/** S3 connection settings for the local S3 server (started if needed). */
export function s3Connection() {
  const env = ensureServices('s3');
  return { endpoint: env.ASOF_S3_ENDPOINT!, region: 'us-east-1', credentials: TEST_CREDENTIALS, forcePathStyle: true, partBytes: TEST_PART_BYTES };
}

/** An S3 object store on a fresh prefix of the test bucket. */
export async function freshS3Store(label = 'objects'): Promise<S3ObjectStore> {
  const store = new S3ObjectStore({ ...s3Connection(), bucket: TEST_BUCKET, prefix: `${label}/${randomBytes(6).toString('hex')}` });
  await store.ensureBucket();
  return store;
}

/** A DynamoDB commit coordinator on DynamoDB Local (started if needed). */
export function testCoordinator(tableName = 'asof-commits-test'): DynamoDbCommitCoordinator {
  const env = ensureServices('dynamodb-local');
  return new DynamoDbCommitCoordinator({ tableName, endpoint: env.ASOF_DYNAMODB_ENDPOINT!, region: 'us-east-1', credentials: TEST_CREDENTIALS });
}

/** DynamoDB Local connection settings (started if needed). */
export function dynamoDbConnection() {
  const env = ensureServices('dynamodb-local');
  return { endpoint: env.ASOF_DYNAMODB_ENDPOINT!, region: 'us-east-1', credentials: TEST_CREDENTIALS };
}
