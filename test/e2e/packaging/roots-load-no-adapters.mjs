// An ESM user of the built packages, run under test/e2e/lazy-loading/record-loads.mjs:
// importing every package root loads no adapter client library; the subpaths
// then load theirs. Prints the packages each step loaded, as JSON lines.
import { readFileSync } from 'node:fs';

const log = process.env.ASOF_LOAD_LOG;
const PACKAGES = { aws: /\/node_modules\/@aws-sdk\//, duckdb: /\/node_modules\/@duckdb\//, mysql2: /\/node_modules\/mysql2\//, lmdb: /\/node_modules\/lmdb\// };
const loaded = () => Object.keys(PACKAGES).filter((p) => readFileSync(log, 'utf8').split('\n').some((url) => PACKAGES[p].test(url)));

await import('@asof/core');
await import('@asof/stores');
await import('@asof/sdk');
await import('@asof/materializer');
console.log(JSON.stringify({ roots: loaded() }));
const { LmdbOnlineStore } = await import('@asof/stores/lmdb');
const { S3ObjectStore } = await import('@asof/stores/s3');
const { DynamoDbOnlineStore } = await import('@asof/stores/dynamodb');
const { MySqlConnector } = await import('@asof/materializer/mysql');
if (![LmdbOnlineStore, S3ObjectStore, DynamoDbOnlineStore, MySqlConnector].every((c) => typeof c === 'function')) throw new Error('a subpath lacks its class');
console.log(JSON.stringify({ subpaths: loaded() }));
