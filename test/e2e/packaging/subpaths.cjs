// A CommonJS user of the adapters' subpath exports: `require`s each from
// its built `dist` and checks what it exports. Prints one `ok <subpath>`
// line per subpath; any failure throws and exits 1.
'use strict';
const assert = require('node:assert/strict');

const expected = {
  '@asof/stores/s3': ['S3ObjectStore', 'createS3Client', 'parseS3Url', 's3Adapter'],
  '@asof/stores/dynamodb': ['DynamoDbOnlineStore', 'DynamoDbCommitCoordinator', 'DynamoDbLeaseStore', 'commitCoordinatorFromUrl', 'checkItemSize', 'dynamodbAdapter'],
  '@asof/stores/lmdb': ['LmdbOnlineStore', 'parseLmdbUrl', 'lmdbAdapter'],
  '@asof/materializer/mysql': ['MySqlConnector', 'createMySqlWritePool', 'bulkInsert', 'mysqlRelation', 'mysqlAdapter'],
};
for (const [subpath, names] of Object.entries(expected)) {
  const module = require(subpath);
  for (const name of names) assert.ok(module[name] !== undefined, `${subpath} exports ${name}`);
  console.log(`ok ${subpath}`);
}
