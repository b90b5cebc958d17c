/**
 * `@asof/stores/s3`: the S3 object store (AWS S3 and S3-compatible
 * servers). Importing it loads the AWS S3 client; the package root does
 * not, and opens `s3://` roots through the adapter registry instead.
 */
export { S3ObjectStore } from './s3-object-store.js';
export { createS3Client } from './s3-client.js';
export { parseS3Url, s3Location } from './s3-url.js';
export { s3Adapter } from './adapter.js';
export type { S3ConnectionOptions, S3ObjectStoreOptions, S3TransferOptions } from './s3-config.js';
