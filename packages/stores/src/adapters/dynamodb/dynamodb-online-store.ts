import {
  BatchGetItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  PutItemCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  AsofError,
  InvalidInputError,
  ServiceUnavailableError,
  StoreReadError,
  StoreWriteError,
  toOnlineView,
  type IoOptions,
  type OnlineKey,
  type OnlineReadOptions,
  type OnlineReadResult,
  type OnlineStore,
  type OnlineView,
  type OnlineViewInput,
  type OnlineWriteResult,
  type OnlineWriteStatus,
} from '@asof/core';
import type { RecordBatch, Table } from 'apache-arrow';
import type { AwsConnectionOptions } from '../aws/client-config.js';
import { translateAwsError, type AwsTarget } from '../aws/aws-errors.js';
import { Backoff, type RetryOptions } from '../../online/backoff.js';
import { forEachBounded } from '../../online/bounded.js';
import { ATTR } from '../../online/item-codec.js';
import {
  encodeWriteRows,
  latestPerKey,
  projectedAttributes,
  readPlan,
  readRows,
  requestKeys,
  sampleKeys,
  type StoredItem,
  type WriteRow,
} from '../../online/online-rows.js';
import { createDynamoDbClient, dynamoDbTarget, sendDynamoDb } from './dynamodb-client.js';
import { checkItemSize, DYNAMODB_MAX_ITEM_BYTES, itemBytes } from './item-size.js';

/** Options of {@link DynamoDbOnlineStore}. */
export interface DynamoDbOnlineStoreOptions extends AwsConnectionOptions {
  /** The table of every view's items (partition key `pk`, a string); see {@link DynamoDbOnlineStore.createTable}. */
  readonly tableName: string;
  /**
   * Use an existing client instead. The store retries throttling itself; a
   * client built here has the SDK's own retries off (`maxAttempts: 1`) so
   * attempts do not multiply.
   */
  readonly client?: DynamoDBClient;
  /** `BatchGetItem` calls in flight per read (default 8). */
  readonly readConcurrency?: number;
  /** `PutItem` calls in flight per write (default 32). */
  readonly writeConcurrency?: number;
  /** Backoff of throttled requests and of `UnprocessedKeys`. */
  readonly retry?: RetryOptions;
}

/** Options of {@link DynamoDbOnlineStore.createTable}. */
export interface CreateOnlineTableOptions extends IoOptions {
  /** Default on-demand (`PAY_PER_REQUEST`). */
  readonly billing?: 'PAY_PER_REQUEST' | { readonly readCapacityUnits: number; readonly writeCapacityUnits: number };
}

/** Keys a `BatchGetItem` call may ask for. */
const BATCH_GET_KEYS = 100;
/** A row is replaced only by a strictly newer (event_ts, created_ts); DESIGN §6. */
const NEWER_ONLY = 'attribute_not_exists(#pk) OR #ets < :ets OR (#ets = :ets AND #cts < :cts)';
const CONDITION_NAMES = { '#pk': ATTR.key, '#ets': ATTR.eventTs, '#cts': ATTR.createdTs };
const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * The online store on DynamoDB (docs/online-store.md): one table for every
 * view, one item per (view, entity) with `pk = <view>#<entity key>`, written
 * by a `PutItem` conditioned on the stored row being older, so concurrent
 * writers can never replace a newer row; read with `BatchGetItem`, 100 keys
 * a call, projecting only the requested features.
 */
export class DynamoDbOnlineStore implements OnlineStore {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  private readonly ownsClient: boolean;
  private readonly readConcurrency: number;
  private readonly writeConcurrency: number;
  private readonly backoff: Backoff;
  private readonly target: AwsTarget;

  constructor(options: DynamoDbOnlineStoreOptions) {
    if (!options.tableName) throw new InvalidInputError('DynamoDbOnlineStore needs a tableName');
    this.tableName = options.tableName;
    this.ownsClient = options.client === undefined;
    this.target = dynamoDbTarget(options);
    this.client = options.client ?? createDynamoDbClient(options, { maxAttempts: 1 });
    this.readConcurrency = Math.max(1, options.readConcurrency ?? 8);
    this.writeConcurrency = Math.max(1, options.writeConcurrency ?? 32);
    this.backoff = new Backoff(options.retry);
  }

  describe(): string {
    return `dynamodb://${this.tableName}`;
  }

  async write(viewInput: OnlineViewInput, rows: Table | RecordBatch, options?: IoOptions): Promise<OnlineWriteResult> {
    const view = toOnlineView(viewInput);
    const encoded = encodeWriteRows(view, rows);
    const { latest, superseded } = latestPerKey(encoded);
    const statuses = new Array<OnlineWriteStatus>(encoded.length);
    for (const i of superseded) statuses[i] = 'stale';
    const failed: { row: WriteRow; error: unknown }[] = [];
    let down: ServiceUnavailableError | null = null;
    try {
      await forEachBounded(latest, this.writeConcurrency, async (row) => {
        try {
          statuses[row.index] = await this.put(view, row, options?.signal);
        } catch (error) {
          if (error instanceof ServiceUnavailableError) throw error; // the service is down: start no more writes
          failed.push({ row, error });
        }
      });
    } catch (error) {
      if (!(error instanceof ServiceUnavailableError)) throw error;
      down = error;
    }
    if (down) {
      // Nothing settled: the plain "unreachable" error says it all; otherwise say which keys made it.
      if (!latest.some((r) => statuses[r.index] !== undefined)) throw down;
      throw this.writeError(view, latest, latest.filter((r) => statuses[r.index] === undefined).map((row) => ({ row, error: down })));
    }
    if (failed.length > 0) throw this.writeError(view, latest, failed);
    const written = statuses.filter((s) => s === 'written').length;
    return { written, stale: statuses.length - written, statuses };
  }

  /** One conditional put, retried while throttled: `stale` if the stored row is as new or newer. */
  private async put(view: OnlineView, row: WriteRow, signal?: AbortSignal): Promise<OnlineWriteStatus> {
    const size = itemBytes(row.item);
    if (size > DYNAMODB_MAX_ITEM_BYTES) {
      throw new InvalidInputError(`the item of ${row.pk} is ${size} bytes, over DynamoDB's ${DYNAMODB_MAX_ITEM_BYTES}; bound the view's large features (checkItemSize, run by asof apply)`);
    }
    const command = new PutItemCommand({
      TableName: this.tableName,
      Item: row.item,
      ConditionExpression: NEWER_ONLY,
      ExpressionAttributeNames: CONDITION_NAMES,
      ExpressionAttributeValues: { ':ets': row.item[ATTR.eventTs]!, ':cts': row.item[ATTR.createdTs]! },
    });
    // One signal of its own for the send and the backoff between attempts (see withRequestSignal).
    return this.send(signal, async (own) => {
      for (let attempt = 1; ; attempt++) {
        own?.throwIfAborted();
        try {
          await this.client.send(command, { abortSignal: own });
          return 'written';
        } catch (error) {
          if (errorName(error) === 'ConditionalCheckFailedException') return 'stale';
          if (!isRetryable(error) || attempt >= this.backoff.maxAttempts) throw error;
          await this.backoff.wait(attempt, own);
        }
      }
    });
  }

  /** One request (with its retries) on a signal of its own; an unreachable endpoint or missing credentials become errors saying what to check. */
  private send<T>(signal: AbortSignal | undefined, request: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    return sendDynamoDb(this.target, signal, request);
  }

  private writeError(view: OnlineView, latest: readonly WriteRow[], failed: readonly { row: WriteRow; error: unknown }[]): StoreWriteError {
    const notWritten = failed.map((f) => f.row.pk).sort();
    const lost = new Set(notWritten);
    const written = latest.map((r) => r.pk).filter((pk) => !lost.has(pk));
    const first = failed[0]!.error;
    return new StoreWriteError(
      `${notWritten.length} of ${latest.length} keys of online view '${view.name}' were not written to ${this.describe()}: ` +
        `${sampleKeys(notWritten)}; ${errorName(first)}: ${(first as Error)?.message ?? String(first)}`,
      written,
      { cause: first, notWritten },
    );
  }

  async read(viewInput: OnlineViewInput, keys: Table | readonly OnlineKey[], options: OnlineReadOptions = {}): Promise<OnlineReadResult> {
    const view = toOnlineView(viewInput);
    const { features, at, ttlMs } = readPlan(view, options);
    const requests = requestKeys(view, keys);
    const unique = [...new Set(requests.map((r) => r.pk))];
    const attributes = projectedAttributes(features);
    const names = Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a]));
    const projection = Object.keys(names).join(', ');
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += BATCH_GET_KEYS) chunks.push(unique.slice(i, i + BATCH_GET_KEYS));
    const found = new Map<string, StoredItem>();
    await forEachBounded(chunks, this.readConcurrency, async (pks) => {
      for (const item of await this.getBatch(view, pks, projection, names, options.consistent ?? false, options.signal)) {
        found.set(item[ATTR.key]!.S!, item);
      }
    });
    return { features, rows: readRows(view, features, requests, found, at, ttlMs) };
  }

  /** One `BatchGetItem` of at most 100 keys, `UnprocessedKeys` and throttling retried with backoff. */
  private async getBatch(
    view: OnlineView,
    pks: readonly string[],
    projection: string,
    names: Record<string, string>,
    consistent: boolean,
    signal?: AbortSignal,
  ): Promise<StoredItem[]> {
    return this.send(signal, (own) => this.getBatchOn(view, pks, projection, names, consistent, own));
  }

  private async getBatchOn(
    view: OnlineView,
    pks: readonly string[],
    projection: string,
    names: Record<string, string>,
    consistent: boolean,
    signal: AbortSignal | undefined,
  ): Promise<StoredItem[]> {
    const items: StoredItem[] = [];
    let pending = pks.map((pk) => ({ [ATTR.key]: { S: pk } }));
    let stalled = 0; // calls in a row that returned nothing new
    for (;;) {
      signal?.throwIfAborted();
      let unprocessed = pending;
      let cause: unknown = null;
      try {
        const out = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ProjectionExpression: projection, ExpressionAttributeNames: names, ConsistentRead: consistent } },
          }),
          { abortSignal: signal },
        );
        const got = (out.Responses?.[this.tableName] ?? []) as StoredItem[];
        items.push(...got);
        unprocessed = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as typeof pending;
        if (unprocessed.length === 0) return items;
        stalled = got.length > 0 ? 0 : stalled + 1;
      } catch (error) {
        if (!isRetryable(error)) throw this.readError(view, pending, error);
        cause = error;
        stalled++;
      }
      if (stalled >= this.backoff.maxAttempts) throw this.readError(view, unprocessed, cause);
      pending = unprocessed;
      await this.backoff.wait(Math.max(1, stalled), signal);
    }
  }

  private readError(view: OnlineView, keys: readonly Record<string, { S: string }>[], cause: unknown): AsofError {
    // Unreachable, or no credentials: nothing was read, and the translated error says what to check.
    const translated = cause === null ? null : translateAwsError(cause, this.target);
    if (translated instanceof AsofError) return translated;
    const pks = keys.map((k) => k[ATTR.key]!.S);
    const why =
      cause === null
        ? `DynamoDB left them unprocessed ${this.backoff.maxAttempts} times in a row`
        : errorName(cause) === 'ResourceNotFoundException'
          ? `table '${this.tableName}' does not exist (asof apply creates it)`
          : `${errorName(cause)}: ${(cause as Error)?.message ?? String(cause)}`;
    return new StoreReadError(`could not read ${pks.length} keys of online view '${view.name}' from ${this.describe()}: ${sampleKeys(pks)}; ${why}`, cause === null ? {} : { cause });
  }

  /** {@link OnlineStore.provision}: {@link createTable} with its defaults. */
  provision(options?: IoOptions): Promise<void> {
    return this.createTable(options);
  }

  /** {@link OnlineStore.checkView}: the worst-case item of `view` against DynamoDB's 400 KB limit ({@link checkItemSize}). */
  checkView(view: OnlineViewInput): string | null {
    const check = checkItemSize(view);
    return check.ok ? null : check.reason;
  }

  /**
   * Creates the table if it does not exist (partition key `pk` of type S,
   * on-demand capacity unless told otherwise), waits until it is active and
   * enables DynamoDB's TTL on the `ttl` attribute. Idempotent; fails if an
   * existing table has another key or TTL attribute.
   */
  async createTable(options: CreateOnlineTableOptions = {}): Promise<void> {
    const billing = options.billing ?? 'PAY_PER_REQUEST';
    const abortSignal = options.signal;
    const send = <T>(request: (abortSignal: AbortSignal | undefined) => Promise<T>) => this.send(abortSignal, request);
    try {
      const create = new CreateTableCommand({
        TableName: this.tableName,
        AttributeDefinitions: [{ AttributeName: ATTR.key, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: ATTR.key, KeyType: 'HASH' }],
        ...(billing === 'PAY_PER_REQUEST'
          ? { BillingMode: 'PAY_PER_REQUEST' as const }
          : { BillingMode: 'PROVISIONED' as const, ProvisionedThroughput: { ReadCapacityUnits: billing.readCapacityUnits, WriteCapacityUnits: billing.writeCapacityUnits } }),
      });
      await send((signal) => this.client.send(create, { abortSignal: signal }));
    } catch (error) {
      if (errorName(error) !== 'ResourceInUseException') throw error; // it exists (or is being created)
    }
    for (let i = 0; ; i++) {
      const table = (await send((signal) => this.client.send(new DescribeTableCommand({ TableName: this.tableName }), { abortSignal: signal }))).Table;
      const key = table?.KeySchema ?? [];
      if (key.length !== 1 || key[0]!.AttributeName !== ATTR.key) {
        throw new InvalidInputError(`DynamoDB table '${this.tableName}' exists with another key (${key.map((k) => k.AttributeName).join(', ')}); the online store needs partition key '${ATTR.key}' (S) alone`);
      }
      if (table?.TableStatus === 'ACTIVE') break;
      if (i >= 240) throw new InvalidInputError(`DynamoDB table '${this.tableName}' did not become ACTIVE within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const ttl = (await send((signal) => this.client.send(new DescribeTimeToLiveCommand({ TableName: this.tableName }), { abortSignal: signal }))).TimeToLiveDescription;
    if (ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING') {
      if (ttl.AttributeName !== ATTR.expiresAt) {
        throw new InvalidInputError(`DynamoDB table '${this.tableName}' has TTL on '${ttl.AttributeName}'; the online store writes expiry times to '${ATTR.expiresAt}'`);
      }
      return;
    }
    try {
      const update = new UpdateTimeToLiveCommand({ TableName: this.tableName, TimeToLiveSpecification: { AttributeName: ATTR.expiresAt, Enabled: true } });
      await send((signal) => this.client.send(update, { abortSignal: signal }));
    } catch (error) {
      if (!(errorName(error) === 'ValidationException' && /already enabled/i.test((error as Error).message))) throw error;
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }
}

/** Whether a DynamoDB error is worth retrying: throttling, 5xx, timeouts, dropped connections. */
export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  if (!e || e.name === 'AbortError') return false;
  return RETRYABLE.has(e.name ?? '') || Boolean(e.$retryable) || (e.$metadata?.httpStatusCode ?? 0) >= 500 || RETRYABLE_CODES.has(e.code ?? '');
}

function errorName(error: unknown): string {
  return (error as Error | null)?.name ?? 'Error';
}
