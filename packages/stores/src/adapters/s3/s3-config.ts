import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsConnectionOptions } from '../aws/client-config.js';

/**
 * Connection settings for S3 or an S3-compatible server. A custom
 * `endpoint` (MinIO, fauxqs, LocalStack) implies path-style unless
 * `forcePathStyle` is false; without one the client talks to AWS, with the
 * region and credentials of the SDK's chain unless given.
 */
export interface S3ConnectionOptions extends AwsConnectionOptions {
  readonly forcePathStyle?: boolean;
  /** Use an existing client instead (the options above are then ignored). */
  readonly client?: S3Client;
}

/** How an S3 root's objects are uploaded. */
export interface S3TransferOptions {
  /**
   * Multipart part size in bytes (default 16 MiB; S3 needs at least 5 MiB).
   * Bodies larger than one part are uploaded in parts. Some S3-compatible
   * servers cap a request body (fauxqs: 11 MiB): use a smaller part size there.
   */
  readonly partBytes?: number;
  /** Parts uploaded at once (default 4). */
  readonly partConcurrency?: number;
}

/** Options of {@link S3ObjectStore}. */
export interface S3ObjectStoreOptions extends S3ConnectionOptions, S3TransferOptions {
  readonly bucket: string;
  /** Key prefix inside the bucket, without leading or trailing `/` (default: the bucket root). */
  readonly prefix?: string;
}
