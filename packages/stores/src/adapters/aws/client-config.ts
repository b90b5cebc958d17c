/**
 * The settings every AWS client asof builds shares (S3 and DynamoDB): the
 * endpoint, region and credentials it was given, and timeouts, so that a
 * service that is down fails in bounded time instead of hanging.
 */

/** AWS credentials (never logged). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** How to reach one AWS service, or a local stand-in for it. */
export interface AwsConnectionOptions {
  /** Custom endpoint (an S3-compatible server, DynamoDB Local); omit for AWS. */
  readonly endpoint?: string;
  /** Default: with an endpoint `AWS_REGION` or `us-east-1`; for AWS the SDK's chain (`AWS_REGION`, the profile). */
  readonly region?: string;
  /** Default: the SDK's credential chain (environment, profile, instance role). */
  readonly credentials?: AwsCredentials;
  /** Give up on a TCP connection after this long (default 5,000 ms); the client's retries follow. */
  readonly connectionTimeoutMs?: number;
  /** Give up on a request whose socket is idle this long (default 60,000 ms); large transfers that keep moving are not cut. */
  readonly idleTimeoutMs?: number;
}

/** The client settings {@link awsClientConfig} builds (a subset of the SDK's client config). */
export interface AwsClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: AwsCredentials;
  requestHandler: { connectionTimeout: number; socketTimeout: number };
}

const CONNECTION_TIMEOUT_MS = 5_000;
const IDLE_TIMEOUT_MS = 60_000;

/**
 * The SDK client config for `options`. Also switches off, unless the user
 * set it, the AWS SDK's one-time notice that its 2027 releases need Node 22
 * (it is printed as a multi-line process warning at the first client and
 * would break the CLI's JSON log lines); no other warning is touched, and
 * `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false` brings it back.
 */
export function awsClientConfig(options: AwsConnectionOptions): AwsClientConfig {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // A local server accepts any region; for AWS the SDK's own chain (env, profile) decides, and a missing one is reported, not guessed.
  const region = options.region ?? (options.endpoint ? (process.env.AWS_REGION ?? 'us-east-1') : undefined);
  return {
    ...(region ? { region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
      socketTimeout: options.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
    },
  };
}
