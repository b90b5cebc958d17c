import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

/** One multipart upload's target and tuning. */
export interface MultipartUpload {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly partBytes: number;
  readonly concurrency: number;
  readonly signal?: AbortSignal;
}

/**
 * Uploads `bytes` as a multipart upload of `ceil(size / partBytes)` parts,
 * `concurrency` at a time. The object appears only when the upload
 * completes; on any failure the upload is aborted so no parts linger.
 * Returns the number of parts.
 */
export async function uploadMultipart(upload: MultipartUpload, bytes: Uint8Array): Promise<number> {
  const { client, bucket, key, partBytes, signal } = upload;
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  const uploadId = created.UploadId!;
  const count = Math.max(1, Math.ceil(bytes.length / partBytes));
  const parts: CompletedPart[] = new Array(count);
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        const i = next++;
        const body = bytes.subarray(i * partBytes, Math.min(bytes.length, (i + 1) * partBytes));
        const out = await client.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: i + 1, Body: body, ContentLength: body.length }),
          { abortSignal: signal },
        );
        parts[i] = { PartNumber: i + 1, ETag: out.ETag! };
      }
    };
    await Promise.all(Array.from({ length: Math.min(upload.concurrency, count) }, worker));
    await client.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      { abortSignal: signal },
    );
    return count;
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    throw error;
  }
}
