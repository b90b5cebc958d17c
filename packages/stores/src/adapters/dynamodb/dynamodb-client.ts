import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig, type AwsConnectionOptions } from '../aws/client-config.js';
import { translateAwsError, type AwsTarget } from '../aws/aws-errors.js';
import { withRequestSignal } from '../aws/request-signal.js';

/** Builds a DynamoDB client (timeouts, region and credentials as {@link awsClientConfig} decides). */
export function createDynamoDbClient(options: AwsConnectionOptions, extra: { readonly maxAttempts?: number } = {}): DynamoDBClient {
  return new DynamoDBClient({ ...awsClientConfig(options), ...extra });
}

/** The target of a DynamoDB client built from `options`, for error messages. */
export function dynamoDbTarget(options: { readonly endpoint?: string | undefined; readonly region?: string | undefined }): AwsTarget {
  return { service: 'DynamoDB', endpoint: options.endpoint, region: options.region };
}

/**
 * Sends one request with a signal of its own (so concurrent requests do not
 * pile listeners on the caller's signal) and turns an unreachable endpoint
 * or missing credentials into asof errors; other errors come through
 * unchanged (conditions, throttling, missing tables).
 */
export async function sendDynamoDb<T>(target: AwsTarget, signal: AbortSignal | undefined, request: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
  try {
    return await withRequestSignal(signal, request);
  } catch (error) {
    throw translateAwsError(error, target);
  }
}
