import { InvalidInputError } from '@asof/core';

/** `s3://bucket/some/prefix` → `{ bucket, prefix }` (the prefix without leading or trailing `/`): the one parser of S3 URLs. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(url);
  if (!m || !m[1]) throw new InvalidInputError(`invalid S3 URL ${JSON.stringify(url)}: expected s3://bucket[/prefix]`);
  return { bucket: m[1], prefix: m[2]!.replace(/^\/+|\/+$/g, '') };
}

/** How messages and SQL engines address a bucket and prefix: `s3://bucket/prefix`. */
export function s3Location(bucket: string, prefix: string): string {
  return `s3://${bucket}/${prefix}`.replace(/\/+$/, '');
}
