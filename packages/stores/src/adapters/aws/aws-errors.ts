import { AsofError, ServiceUnavailableError } from '@asof/core';

/** Which AWS service a client talks to, for error messages. */
export interface AwsTarget {
  readonly service: 'S3' | 'DynamoDB';
  /** The custom endpoint, or `undefined` for AWS itself. */
  readonly endpoint: string | undefined;
  /** The region given, if any (for AWS targets). */
  readonly region?: string | undefined;
}

/** The flag and variable that name each service's endpoint. */
const ENDPOINT_SETTING: Record<AwsTarget['service'], string> = {
  S3: '--s3-endpoint / ASOF_S3_ENDPOINT',
  DynamoDB: '--dynamodb-endpoint / ASOF_DYNAMODB_ENDPOINT',
};

/** Node's and the SDK's ways of saying the other end could not be reached. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

/** `http://127.0.0.1:39000` or `AWS (region eu-west-1)`. */
export function describeAwsTarget(target: AwsTarget): string {
  const region = target.region ?? process.env.AWS_REGION; // what the SDK itself reads first
  return target.endpoint ?? `AWS (${region ? `region ${region}` : 'region from the AWS configuration'})`;
}

/**
 * Turns what the AWS SDK throws when a service cannot be used at all into
 * an asof error that says which service, which endpoint and what to check:
 * unreachable (refused, timed out, dropped: {@link ServiceUnavailableError}),
 * no credentials or no region (`CONFIG`), credentials refused (`CONFIG`).
 * The SDK's error stays the `cause`. Anything else (a missing key, a failed
 * condition, throttling) is returned unchanged for the adapter to handle.
 * Credentials never appear in a message.
 */
export function translateAwsError(error: unknown, target: AwsTarget): unknown {
  if (error instanceof AsofError || isAbort(error)) return error;
  const e = error as { name?: string; code?: string; message?: string } | null;
  const name = e?.name ?? '';
  const message = e?.message ?? String(error);
  const where = describeAwsTarget(target);
  if (NETWORK_CODES.has(e?.code ?? '') || name === 'TimeoutError' || /socket hang up/i.test(message)) {
    const check = target.endpoint
      ? `check that the server is running there and that ${ENDPOINT_SETTING[target.service]} names it`
      : `check the network and the region, or set ${ENDPOINT_SETTING[target.service]} for a local server`;
    return new ServiceUnavailableError(target.service, where, `${target.service} at ${where} is unreachable (${oneLine(message)}): ${check}`, { cause: error });
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new AsofError(
      'CONFIG',
      `no AWS credentials found for ${target.service} at ${where}: configure AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role), ` +
        `or set ${ENDPOINT_SETTING[target.service]} for a local server`,
      { cause: error },
    );
  }
  if (/region is missing/i.test(message)) {
    return new AsofError('CONFIG', `no AWS region for ${target.service}: set AWS_REGION (or a profile's region), or set ${ENDPOINT_SETTING[target.service]} for a local server`, {
      cause: error,
    });
  }
  if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredToken', 'ExpiredTokenException'].includes(name)) {
    return new AsofError('CONFIG', `${target.service} at ${where} refused the AWS credentials (${name}): check AWS_ACCESS_KEY_ID / AWS_PROFILE and that they belong to this account`, {
      cause: error,
    });
  }
  return error;
}

function isAbort(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'AbortError';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
