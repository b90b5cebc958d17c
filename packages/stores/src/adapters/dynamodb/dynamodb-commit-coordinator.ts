import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { InvalidInputError, type CommitCoordinator, type IoOptions, type LeaseStore } from '@asof/core';
import type { AwsConnectionOptions } from '../aws/client-config.js';
import type { AwsTarget } from '../aws/aws-errors.js';
import { createDynamoDbClient, dynamoDbTarget, sendDynamoDb } from './dynamodb-client.js';
import { DynamoDbLeaseStore } from './dynamodb-lease-store.js';

/** Options of {@link DynamoDbCommitCoordinator}. */
export interface DynamoDbCommitCoordinatorOptions extends AwsConnectionOptions {
  /** The DynamoDB table holding claims (partition key `pk`, a string). */
  readonly tableName: string;
  /** Use an existing client instead (the connection options then only name it in messages). */
  readonly client?: DynamoDBClient;
  /** Create the table (on-demand billing) on first use if it is missing (default true). */
  readonly createTable?: boolean;
}

/**
 * A {@link CommitCoordinator} on DynamoDB: a claim is an item with
 * `pk = <table>#<version>`, created by a `PutItem` conditioned on
 * `attribute_not_exists(pk)`, which DynamoDB (and DynamoDB Local) enforce.
 */
export class DynamoDbCommitCoordinator implements CommitCoordinator {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The custom endpoint, or `undefined` for AWS. */
  readonly endpoint: string | undefined;
  private readonly target: AwsTarget;
  private readonly createTable: boolean;
  private ready: Promise<void> | null = null;

  constructor(options: DynamoDbCommitCoordinatorOptions) {
    if (!options.tableName) throw new InvalidInputError('DynamoDbCommitCoordinator needs a tableName');
    this.tableName = options.tableName;
    this.createTable = options.createTable ?? true;
    this.endpoint = options.endpoint;
    this.target = dynamoDbTarget(options);
    this.client = options.client ?? createDynamoDbClient(options);
  }

  /** Sends one request; an unreachable endpoint or missing credentials become errors that say what to check. */
  send<T>(signal: AbortSignal | undefined, request: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    return sendDynamoDb(this.target, signal, request);
  }

  describe(): string {
    return `dynamodb://${this.tableName}`;
  }

  /** {@link CommitCoordinator.leases}: the leases of the root `scope`, in this table. */
  leases(scope: string, options: { readonly now?: () => number } = {}): LeaseStore {
    return new DynamoDbLeaseStore({ table: this, scope, ...(options.now ? { now: options.now } : {}) });
  }

  /** {@link CommitCoordinator.provision}: {@link ensureTable}. */
  provision(options?: IoOptions): Promise<void> {
    return this.ensureTable(options);
  }

  async claim(table: string, version: number, payload: string, options?: IoOptions): Promise<boolean> {
    await this.ensureTable(options);
    try {
      const command = new PutItemCommand({
        TableName: this.tableName,
        Item: { pk: { S: claimKey(table, version) }, payload: { S: payload }, claimedAt: { S: new Date().toISOString() } },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      await this.send(options?.signal, (abortSignal) => this.client.send(command, { abortSignal }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async read(table: string, version: number, options?: IoOptions): Promise<string | null> {
    await this.ensureTable(options);
    const command = new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: claimKey(table, version) } }, ConsistentRead: true });
    const out = await this.send(options?.signal, (abortSignal) => this.client.send(command, { abortSignal }));
    return out.Item?.payload?.S ?? null;
  }

  /** Checks the table exists, creating it if allowed; runs once per instance. */
  ensureTable(options?: IoOptions): Promise<void> {
    this.ready ??= this.setUp(options).catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  private async setUp(options?: IoOptions): Promise<void> {
    const describe = () => this.send(options?.signal, (abortSignal) => this.client.send(new DescribeTableCommand({ TableName: this.tableName }), { abortSignal }));
    try {
      const out = await describe();
      if (out.Table?.TableStatus === 'ACTIVE') return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException) && (error as Error)?.name !== 'ResourceNotFoundException') throw error;
      if (!this.createTable) {
        throw new InvalidInputError(`DynamoDB table '${this.tableName}' for commit claims does not exist; create it (partition key 'pk', type S) or allow createTable`);
      }
      try {
        const command = new CreateTableCommand({
          TableName: this.tableName,
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        });
        await this.send(options?.signal, (abortSignal) => this.client.send(command, { abortSignal }));
      } catch (createError) {
        if ((createError as Error)?.name !== 'ResourceInUseException') throw createError; // created concurrently
      }
    }
    for (let i = 0; i < 120; i++) {
      const out = await describe();
      if (out.Table?.TableStatus === 'ACTIVE') return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new InvalidInputError(`DynamoDB table '${this.tableName}' did not become ACTIVE within 60 s`);
  }
}

/** The claim item's key: `<table>#<version>`. */
export function claimKey(table: string, version: number): string {
  return `${table}#${version}`;
}
