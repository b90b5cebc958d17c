import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AsofError, InvalidInputError, StoreWriteError, type IoOptions, type ObjectInfo, type ObjectStore } from '@asof/core';
import { describeAwsTarget, translateAwsError, type AwsTarget } from '../aws/aws-errors.js';
import { withRequestSignal } from '../aws/request-signal.js';
import { uploadMultipart } from './multipart.js';
import { createS3Client } from './s3-client.js';
import type { S3ObjectStoreOptions } from './s3-config.js';

const MiB = 1024 * 1024;

/**
 * An {@link ObjectStore} on S3 or an S3-compatible server. Bodies larger
 * than one part go up as multipart uploads; `putIfAbsent` sends
 * `If-None-Match: *` and reads 412/409 as "already there". Many
 * S3-compatible servers ignore that header: see {@link probePutIfAbsent}.
 */
export class S3ObjectStore implements ObjectStore {
  readonly client: S3Client;
  readonly bucket: string;
  /** `''` or `some/prefix/` (with the trailing slash). */
  readonly prefix: string;
  readonly partBytes: number;
  private readonly partConcurrency: number;
  private readonly endpoint: string | undefined;
  private readonly target: AwsTarget;

  constructor(options: S3ObjectStoreOptions) {
    if (!options.bucket) throw new InvalidInputError('S3ObjectStore needs a bucket');
    this.client = createS3Client(options);
    this.bucket = options.bucket;
    const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.prefix = prefix ? `${prefix}/` : '';
    this.partBytes = options.partBytes ?? 16 * MiB;
    if (this.partBytes < 5 * MiB) throw new InvalidInputError(`S3 multipart parts must be at least 5 MiB, got ${this.partBytes} bytes`);
    this.partConcurrency = Math.max(1, options.partConcurrency ?? 4);
    this.endpoint = options.endpoint;
    this.target = { service: 'S3', endpoint: options.endpoint, region: options.region };
  }

  describe(): string {
    const where = `s3://${this.bucket}/${this.prefix.replace(/\/$/, '')}`;
    return this.endpoint ? `${where} (endpoint ${this.endpoint})` : where;
  }

  /** Where the store's requests go: the endpoint, or `AWS (region …)`. */
  describeEndpoint(): string {
    return describeAwsTarget(this.target);
  }

  /** {@link ObjectStore.createContainer}: the bucket, created if missing (`asof apply`). */
  async createContainer(options?: IoOptions): Promise<string | null> {
    return (await this.ensureBucket(options)) ? `S3 bucket '${this.bucket}' at ${this.describeEndpoint()}` : null;
  }

  /** Creates the bucket if it does not exist (`asof apply`, tests); `true` if it created it. */
  async ensureBucket(options?: IoOptions): Promise<boolean> {
    try {
      await this.call(options?.signal, (abortSignal) => this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal }));
      return false;
    } catch (error) {
      const raw = error instanceof AsofError ? error.cause : error; // a NoSuchBucket arrives translated
      if (statusOf(raw) === 403) {
        throw new AsofError('CONFIG', `S3 bucket '${this.bucket}' at ${this.describeEndpoint()} exists but these credentials may not use it (403): the name may belong to another account`, {
          cause: raw,
        });
      }
      if (!isMissingBucket(raw) && statusOf(raw) !== 404 && nameOf(raw) !== 'NotFound') throw error;
    }
    // Outside us-east-1, AWS wants the bucket's region spelled out; local servers take the plain request.
    const region = this.endpoint ? undefined : await this.client.config.region();
    const location = region && region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {};
    try {
      await this.call(options?.signal, (abortSignal) => this.client.send(new CreateBucketCommand({ Bucket: this.bucket, ...location }), { abortSignal }));
    } catch (error) {
      // Created at the same time by another writer: the bucket is there, which is all that was asked.
      if (nameOf(error) !== 'BucketAlreadyOwnedByYou') throw error;
    }
    return true;
  }

  async get(key: string, options?: IoOptions): Promise<Uint8Array | null> {
    return this.fetch(key, undefined, options);
  }

  async getRange(key: string, start: number, end: number, options?: IoOptions): Promise<Uint8Array | null> {
    if (end <= start) return (await this.exists(key, options)) ? new Uint8Array(0) : null;
    return this.fetch(key, `bytes=${start}-${end - 1}`, options);
  }

  async put(key: string, bytes: Uint8Array, options?: IoOptions): Promise<void> {
    const Key = this.keyOf(key);
    if (bytes.length > this.partBytes) {
      await this.call(options?.signal, (signal) =>
        uploadMultipart({ client: this.client, bucket: this.bucket, key: Key, partBytes: this.partBytes, concurrency: this.partConcurrency, signal }, bytes),
      );
      return;
    }
    await this.call(options?.signal, (abortSignal) =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: bytes, ContentLength: bytes.length }), { abortSignal }),
    );
  }

  /** Multipart upload of `bytes` regardless of size; returns the number of parts (for tests and tools). */
  async putMultipart(key: string, bytes: Uint8Array, options?: IoOptions): Promise<number> {
    const Key = this.keyOf(key);
    return this.call(options?.signal, (signal) =>
      uploadMultipart({ client: this.client, bucket: this.bucket, key: Key, partBytes: this.partBytes, concurrency: this.partConcurrency, signal }, bytes),
    );
  }

  async putIfAbsent(key: string, bytes: Uint8Array, options?: IoOptions): Promise<boolean> {
    if (bytes.length > this.partBytes) {
      throw new StoreWriteError(`putIfAbsent supports single-request bodies only (${bytes.length} bytes > part size ${this.partBytes})`);
    }
    const Key = this.keyOf(key);
    try {
      await this.call(options?.signal, (abortSignal) =>
        this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: bytes, ContentLength: bytes.length, IfNoneMatch: '*' }), { abortSignal }),
      );
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 409) return false;
      throw error;
    }
  }

  async *list(prefix: string, options?: IoOptions): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.call(options?.signal, (abortSignal) =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }), { abortSignal }),
      );
      for (const item of page.Contents ?? []) {
        if (!item.Key) continue;
        yield { key: item.Key.slice(this.prefix.length), size: item.Size ?? 0, lastModified: item.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(keys: readonly string[], options?: IoOptions): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const objects = chunk.map((k) => ({ Key: this.keyOf(k) }));
      const out = await this.call(options?.signal, (abortSignal) =>
        this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects, Quiet: true } }), { abortSignal }),
      );
      const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0) {
        throw new StoreWriteError(
          `could not delete ${failed.length} object(s) from ${this.describe()}: ${failed.slice(0, 3).map((e) => `${e.Key}: ${e.Code} ${e.Message ?? ''}`).join('; ')}`,
        );
      }
    }
  }

  private async fetch(key: string, range: string | undefined, options?: IoOptions): Promise<Uint8Array | null> {
    const Key = this.keyOf(key);
    try {
      // The body is read inside the request's own signal, so an abort also stops a download in progress.
      return await this.call(options?.signal, async (abortSignal) => {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range: range }), { abortSignal });
        return out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
      });
    } catch (error) {
      if (error instanceof AsofError) throw error;
      if (nameOf(error) === 'NoSuchKey' || statusOf(error) === 404) return null;
      if (range && statusOf(error) === 416) return new Uint8Array(0);
      throw error;
    }
  }

  private async exists(key: string, options?: IoOptions): Promise<boolean> {
    return (await this.fetch(key, undefined, options)) !== null;
  }

  /**
   * Runs one request with a signal of its own (see {@link withRequestSignal})
   * and turns a missing bucket, an unreachable endpoint or missing
   * credentials into errors that say what to do; other errors (a missing
   * key, a failed condition) come through unchanged for the caller.
   */
  private async call<T>(signal: AbortSignal | undefined, request: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    try {
      return await withRequestSignal(signal, request);
    } catch (error) {
      if (isMissingBucket(error)) {
        throw new AsofError(
          'CONFIG',
          `S3 bucket '${this.bucket}' does not exist at ${this.describeEndpoint()}: create it, or let 'asof apply' create it`,
          { cause: error },
        );
      }
      throw translateAwsError(error, this.target);
    }
  }

  private keyOf(key: string): string {
    if (key === '' || key.startsWith('/')) throw new InvalidInputError(`invalid object key ${JSON.stringify(key)}`);
    return this.prefix + key;
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function isMissingBucket(error: unknown): boolean {
  return nameOf(error) === 'NoSuchBucket' || (error as { Code?: string } | null)?.Code === 'NoSuchBucket';
}

function nameOf(error: unknown): string | undefined {
  return (error as { name?: string } | null)?.name;
}
