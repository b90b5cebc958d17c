import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { InvalidInputError, type CommitCoordinator, type IoOptions } from '@asof/core';

/** Options of {@link DynamoDbCommitCoordinator}. */
export interface DynamoDbCommitCoordinatorOptions {
  /** The DynamoDB table holding claims (partition key `pk`, a string). */
  readonly tableName: string;
  /** Custom endpoint (DynamoDB Local); omit for AWS. */
  readonly endpoint?: string;
  readonly region?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** Use an existing client instead. */
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
  private readonly createTable: boolean;
  private ready: Promise<void> | null = null;

  constructor(options: DynamoDbCommitCoordinatorOptions) {
    if (!options.tableName) throw new InvalidInputError('DynamoDbCommitCoordinator needs a tableName');
    this.tableName = options.tableName;
    this.createTable = options.createTable ?? true;
    this.client =
      options.client ??
      new DynamoDBClient({
        region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
  }

  describe(): string {
    return `dynamodb://${this.tableName}`;
  }

  async claim(table: string, version: number, payload: string, options?: IoOptions): Promise<boolean> {
    await this.ensureTable(options);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: { S: claimKey(table, version) }, payload: { S: payload }, claimedAt: { S: new Date().toISOString() } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
        { abortSignal: options?.signal },
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async read(table: string, version: number, options?: IoOptions): Promise<string | null> {
    await this.ensureTable(options);
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: claimKey(table, version) } }, ConsistentRead: true }),
      { abortSignal: options?.signal },
    );
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
    try {
      const out = await this.client.send(new DescribeTableCommand({ TableName: this.tableName }), { abortSignal: options?.signal });
      if (out.Table?.TableStatus === 'ACTIVE') return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException) && (error as Error)?.name !== 'ResourceNotFoundException') throw error;
      if (!this.createTable) {
        throw new InvalidInputError(`DynamoDB table '${this.tableName}' for commit claims does not exist; create it (partition key 'pk', type S) or allow createTable`);
      }
      try {
        await this.client.send(
          new CreateTableCommand({
            TableName: this.tableName,
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
          { abortSignal: options?.signal },
        );
      } catch (createError) {
        if ((createError as Error)?.name !== 'ResourceInUseException') throw createError; // created concurrently
      }
    }
    for (let i = 0; i < 120; i++) {
      const out = await this.client.send(new DescribeTableCommand({ TableName: this.tableName }), { abortSignal: options?.signal });
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
