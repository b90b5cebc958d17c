import { S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig } from '../aws/client-config.js';
import type { S3ConnectionOptions } from './s3-config.js';

/** Builds an S3 client from connection options. */
export function createS3Client(options: S3ConnectionOptions): S3Client {
  if (options.client) return options.client;
  return new S3Client({ ...awsClientConfig(options), forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined });
}
