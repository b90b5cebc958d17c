import type { AwsConnectionOptions, AwsCredentials } from '../adapters/aws/client-config.js';

/** Environment variables, as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The variables asof's stores read (the CLI reads `ASOF_SOURCE_URL` too). */
export const ASOF_ENV = Object.freeze({
  root: 'ASOF_ROOT',
  s3Endpoint: 'ASOF_S3_ENDPOINT',
  dynamodbEndpoint: 'ASOF_DYNAMODB_ENDPOINT',
  commitCoordinator: 'ASOF_COMMIT_COORDINATOR',
  online: 'ASOF_ONLINE',
});

/** Settings given explicitly (flags, options); each wins over its environment variable. Empty strings count as unset. */
export interface StoreSettingsInput {
  /** The offline store root (`ASOF_ROOT`). */
  readonly root?: string | undefined;
  /** An S3-compatible endpoint for `s3://` roots (`ASOF_S3_ENDPOINT`); unset: AWS. */
  readonly s3Endpoint?: string | undefined;
  /** A DynamoDB endpoint such as DynamoDB Local (`ASOF_DYNAMODB_ENDPOINT`); unset: AWS. */
  readonly dynamodbEndpoint?: string | undefined;
  /** `dynamodb://<table>` (`ASOF_COMMIT_COORDINATOR`). */
  readonly commitCoordinator?: string | undefined;
  /** `lmdb:<dir>`, `dynamodb://<table>` or `none` (`ASOF_ONLINE`). */
  readonly online?: string | undefined;
  /** The AWS region (default `AWS_REGION`, `AWS_DEFAULT_REGION`, then the AWS profile). */
  readonly region?: string | undefined;
}

/** How to reach S3 or DynamoDB, and where the endpoint choice came from. */
export interface ServiceConnection extends AwsConnectionOptions {
  /** `option` (a flag or an argument), the variable it was read from, or `default` (AWS itself). */
  readonly endpointFrom: string;
  /** Where the region came from, like {@link endpointFrom}; `undefined`: the AWS SDK's own chain decides. */
  readonly regionFrom: string | undefined;
}

/** Everything that decides which stores a command or a notebook talks to. */
export interface StoreSettings {
  readonly root: string | undefined;
  readonly s3: ServiceConnection;
  readonly dynamodb: ServiceConnection;
  readonly commitCoordinator: string | undefined;
  readonly online: string | undefined;
}

/**
 * Reads the store settings from explicit values and the environment, the
 * former winning: the one place the CLI and the SDK get `ASOF_ROOT`,
 * `ASOF_S3_ENDPOINT`, `ASOF_DYNAMODB_ENDPOINT`, `ASOF_COMMIT_COORDINATOR`
 * and `ASOF_ONLINE` from. A custom endpoint (a local S3 server, DynamoDB
 * Local) accepts any credentials, so when the environment names none,
 * placeholder ones keep the AWS SDK from looking for a profile; without an
 * endpoint the SDK's own region and credential chain applies, and a
 * missing one becomes a `CONFIG` error at the first request.
 */
export function readStoreSettings(explicit: StoreSettingsInput = {}, env: Environment = process.env): StoreSettings {
  const pick = (value: string | undefined, variable: string): { value: string | undefined; from: string } => {
    if (nonEmpty(value) !== undefined) return { value: value!.trim(), from: 'option' };
    const fromEnv = nonEmpty(env[variable]);
    return fromEnv === undefined ? { value: undefined, from: 'default' } : { value: fromEnv.trim(), from: variable };
  };
  const region =
    nonEmpty(explicit.region) !== undefined
      ? { value: explicit.region!.trim(), from: 'option' }
      : nonEmpty(env.AWS_REGION) !== undefined
        ? { value: env.AWS_REGION!.trim(), from: 'AWS_REGION' }
        : nonEmpty(env.AWS_DEFAULT_REGION) !== undefined
          ? { value: env.AWS_DEFAULT_REGION!.trim(), from: 'AWS_DEFAULT_REGION' }
          : { value: undefined, from: undefined };
  const connection = (endpoint: { value: string | undefined; from: string }): ServiceConnection => {
    const local = endpoint.value !== undefined;
    const credentials = local && !hasAwsCredentials(env) ? placeholderCredentials() : undefined;
    // A local server takes any region; us-east-1 is what the SDK would sign with anyway.
    const regionValue = region.value ?? (local ? 'us-east-1' : undefined);
    return {
      ...(endpoint.value !== undefined ? { endpoint: endpoint.value } : {}),
      ...(regionValue !== undefined ? { region: regionValue } : {}),
      ...(credentials ? { credentials } : {}),
      endpointFrom: endpoint.from,
      regionFrom: region.from ?? (local ? 'default' : undefined),
    };
  };
  return {
    root: pick(explicit.root, ASOF_ENV.root).value,
    s3: connection(pick(explicit.s3Endpoint, ASOF_ENV.s3Endpoint)),
    dynamodb: connection(pick(explicit.dynamodbEndpoint, ASOF_ENV.dynamodbEndpoint)),
    commitCoordinator: pick(explicit.commitCoordinator, ASOF_ENV.commitCoordinator).value,
    online: pick(explicit.online, ASOF_ENV.online).value,
  };
}

/**
 * One line saying where a service's requests go, for logs: `endpoint
 * http://127.0.0.1:39000 (from ASOF_S3_ENDPOINT)` or `AWS, region
 * eu-west-1 from AWS_REGION (no endpoint set)`. Never includes credentials.
 */
export function describeConnection(connection: AwsConnectionOptions & Partial<Pick<ServiceConnection, 'endpointFrom' | 'regionFrom'>>): string {
  if (connection.endpoint !== undefined) {
    const from = connection.endpointFrom;
    return `endpoint ${connection.endpoint}${from === 'option' || from === undefined ? ' (given)' : from === 'default' ? '' : ` (from ${from})`}`;
  }
  const from = connection.regionFrom === undefined || connection.regionFrom === 'option' || connection.regionFrom === 'default' ? '' : ` from ${connection.regionFrom}`;
  const region = connection.region === undefined ? 'region from the AWS profile' : `region ${connection.region}${from}`;
  return `AWS, ${region} (no endpoint set)`;
}

/** Any credentials work against local servers; these never leave the machine. A fresh object each time: the AWS SDK annotates the one it is given. */
function placeholderCredentials(): AwsCredentials {
  return { accessKeyId: 'local', secretAccessKey: 'local' };
}

/** Whether the environment configures AWS credentials the SDK would find (keys, a profile, a web identity, a container role). */
function hasAwsCredentials(env: Environment): boolean {
  return ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'].some(
    (name) => nonEmpty(env[name]) !== undefined,
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
