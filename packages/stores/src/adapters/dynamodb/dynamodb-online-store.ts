import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
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
  type OnlineItemLimits,
  type OnlineKey,
  type OnlineReadOptions,
  type OnlineReadResult,
  type OnlineStore,
  type OnlineView,
  type OnlineViewInput,
  type OnlineWriteOptions,
  type OnlineWriteResult,
  type OnlineWriteStatus,
} from '@asof/core';
import type { RecordBatch, Table } from 'apache-arrow';
import type { AwsConnectionOptions } from '../aws/client-config.js';
import { translateAwsError, type AwsTarget } from '../aws/aws-errors.js';
import { Backoff, type RetryOptions } from '../../online/backoff.js';
import { forEachBounded } from '../../online/bounded.js';
import { ATTR, type Item } from '../../online/item-codec.js';
import { encodeRows, readPlan, requestKeys, sampleKeys, type StoredItem } from '../../online/online-rows.js';
import { readTimelines } from '../../online/timeline-read.js';
import { MAX_PARTS, partKey, timelineItems, type ItemLimits, type TimelineItems } from '../../online/timeline-items.js';
import { NEWER_ORDER_CONDITION, ORDER_CONDITION_NAMES, orderConditionValues, planTimelines, type KeyTimeline } from '../../online/write-plan.js';
import { timelineResult } from '../../online/write-result.js';
import { createDynamoDbClient, dynamoDbTarget, sendDynamoDb } from './dynamodb-client.js';
import { DYNAMODB_MAX_ITEM_BYTES } from './item-size.js';

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
  /** Largest item written (default DynamoDB's 400 KB); a larger timeline is split over several items. */
  readonly maxItemBytes?: number;
  /** Parts at most per timeline (default 64); past it the timeline is stored with a shorter horizon. */
  readonly maxParts?: number;
}

/** Options of {@link DynamoDbOnlineStore.createTable}. */
export interface CreateOnlineTableOptions extends IoOptions {
  /** Default on-demand (`PAY_PER_REQUEST`). */
  readonly billing?: 'PAY_PER_REQUEST' | { readonly readCapacityUnits: number; readonly writeCapacityUnits: number };
}

/** Keys a `BatchGetItem` call may ask for. */
const BATCH_GET_KEYS = 100;
/** Requests a `BatchWriteItem` call may carry. */
const BATCH_WRITE_ITEMS = 25;
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
  private readonly maxItemBytes: number;
  private readonly maxParts: number;

  constructor(options: DynamoDbOnlineStoreOptions) {
    if (!options.tableName) throw new InvalidInputError('DynamoDbOnlineStore needs a tableName');
    this.tableName = options.tableName;
    this.ownsClient = options.client === undefined;
    this.target = dynamoDbTarget(options);
    this.client = options.client ?? createDynamoDbClient(options, { maxAttempts: 1 });
    this.readConcurrency = Math.max(1, options.readConcurrency ?? 8);
    this.writeConcurrency = Math.max(1, options.writeConcurrency ?? 32);
    this.backoff = new Backoff(options.retry);
    this.maxItemBytes = Math.min(DYNAMODB_MAX_ITEM_BYTES, options.maxItemBytes ?? DYNAMODB_MAX_ITEM_BYTES);
    this.maxParts = Math.max(1, options.maxParts ?? MAX_PARTS);
  }

  describe(): string {
    return `dynamodb://${this.tableName}`;
  }

  itemLimits(): OnlineItemLimits {
    return { maxItemBytes: this.maxItemBytes, maxItems: this.maxParts + 1, description: `DynamoDB's ${this.maxItemBytes.toLocaleString('en-US')}-byte item limit` };
  }

  async write(viewInput: OnlineViewInput, rows: Table | RecordBatch, options?: OnlineWriteOptions): Promise<OnlineWriteResult> {
    const view = toOnlineView(viewInput);
    const emptyKeys = options?.timeline?.emptyKeys ? requestKeys(view, options.timeline.emptyKeys).map((r) => r.pk) : [];
    const { keys, superseded } = planTimelines(view.name, encodeRows(view, rows), options?.timeline, emptyKeys);
    const statuses = new Array<OnlineWriteStatus>(rows.numRows);
    const keyStatus = new Array<OnlineWriteStatus | undefined>(keys.length);
    for (const i of superseded) statuses[i] = 'stale';
    const signal = options?.signal;
    const limits = this.limits();
    const stored: TimelineItems[] = [];
    const failed: { key: KeyTimeline; error: unknown }[] = [];
    let down: ServiceUnavailableError | null = null;
    try {
      // A timeline write replaces heads that may have parts: learn them first, to delete them once replaced.
      const previous = options?.timeline ? await this.storedParts(view, keys.map((k) => k.pk), signal) : new Map<string, string[]>();
      await forEachBounded(keys, this.writeConcurrency, async (key, k) => {
        try {
          const items = timelineItems(view, key, limits);
          const status = await this.putTimeline(items, previous.get(key.pk) ?? [], signal);
          keyStatus[k] = status;
          for (const i of key.rows) statuses[i] = status;
          if (status === 'written') stored.push(items);
        } catch (error) {
          if (error instanceof ServiceUnavailableError) throw error; // the service is down: start no more writes
          failed.push({ key, error });
        }
      });
    } catch (error) {
      if (!(error instanceof ServiceUnavailableError)) throw error;
      down = error;
    }
    if (down) {
      // Nothing settled: the plain "unreachable" error says it all; otherwise say which keys made it.
      if (keyStatus.every((s) => s === undefined)) throw down;
      throw this.writeError(view, keys, keys.filter((_, k) => keyStatus[k] === undefined).map((key) => ({ key, error: down })));
    }
    if (failed.length > 0) throw this.writeError(view, keys, failed);
    const written = statuses.filter((s) => s === 'written').length;
    return { written, stale: statuses.length - written, statuses, ...(options?.timeline ? { timeline: timelineResult(keys, keyStatus, stored) } : {}) };
  }

  private limits(): ItemLimits {
    return { maxItemBytes: this.maxItemBytes, label: `DynamoDB's ${this.maxItemBytes}`, maxParts: this.maxParts, now: BigInt(Date.now()) * 1000n };
  }

  /**
   * Stores one key's items: its parts first (their keys are unique to this
   * timeline, so no other writer's head can name them), then the head,
   * conditioned on the order key. Once the head is written, the parts of
   * the head it replaced are deleted; parts nothing names any more (a lost
   * race, a crash) expire by DynamoDB's TTL.
   */
  private async putTimeline(items: TimelineItems, previousParts: readonly string[], signal?: AbortSignal): Promise<OnlineWriteStatus> {
    for (const part of items.parts) await this.putItem(part, null, signal);
    const status = await this.putItem(items.head, orderConditionValues(items.order), signal);
    const kept = new Set(items.parts.map((p) => (p[ATTR.key] as { S: string }).S));
    const orphans = status === 'written' ? previousParts.filter((k) => !kept.has(k)) : [];
    if (orphans.length > 0) await this.deleteItems(orphans, signal).catch(() => undefined); // they expire anyway
    return status;
  }

  /** One put, retried while throttled; with `condition` values, conditioned on the order key: `stale` if the stored item is as new or newer. */
  private async putItem(item: Item, condition: Record<string, { N: string }> | null, signal?: AbortSignal): Promise<OnlineWriteStatus> {
    const command = new PutItemCommand({
      TableName: this.tableName,
      Item: item,
      ...(condition && { ConditionExpression: NEWER_ORDER_CONDITION, ExpressionAttributeNames: { ...ORDER_CONDITION_NAMES }, ExpressionAttributeValues: condition }),
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

  /** Deletes items by key, 25 a call, retrying throttling and unprocessed items. */
  private async deleteItems(pks: readonly string[], signal?: AbortSignal): Promise<void> {
    for (let i = 0; i < pks.length; i += BATCH_WRITE_ITEMS) {
      let pending = pks.slice(i, i + BATCH_WRITE_ITEMS).map((pk) => ({ DeleteRequest: { Key: { [ATTR.key]: { S: pk } } } }));
      await this.send(signal, async (own) => {
        for (let attempt = 1; pending.length > 0; attempt++) {
          own?.throwIfAborted();
          try {
            const out = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } }), { abortSignal: own });
            pending = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
          } catch (error) {
            if (!isRetryable(error)) throw error;
          }
          if (pending.length === 0) return;
          if (attempt >= this.backoff.maxAttempts) throw new StoreWriteError(`could not delete ${pending.length} replaced timeline parts`, []);
          await this.backoff.wait(attempt, own);
        }
      });
    }
  }

  /** The part keys the stored heads of `pks` name. */
  private async storedParts(view: OnlineView, pks: readonly string[], signal?: AbortSignal): Promise<Map<string, string[]>> {
    const found = await this.fetch(view, pks, [ATTR.key, ATTR.parts, ATTR.partsTag], true, signal);
    const parts = new Map<string, string[]>();
    for (const [pk, item] of found) {
      const count = Number(item[ATTR.parts]?.N ?? 0);
      const tag = item[ATTR.partsTag]?.S;
      if (count > 0 && tag) parts.set(pk, Array.from({ length: count }, (_, n) => partKey(pk, n + 1, tag)));
    }
    return parts;
  }

  /** One request (with its retries) on a signal of its own; an unreachable endpoint or missing credentials become errors saying what to check. */
  private send<T>(signal: AbortSignal | undefined, request: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    return sendDynamoDb(this.target, signal, request);
  }

  private writeError(view: OnlineView, keys: readonly KeyTimeline[], failed: readonly { key: KeyTimeline; error: unknown }[]): StoreWriteError {
    const notWritten = failed.map((f) => f.key.pk).sort();
    const lost = new Set(notWritten);
    const written = keys.map((k) => k.pk).filter((pk) => !lost.has(pk));
    const first = failed[0]!.error;
    return new StoreWriteError(
      `${notWritten.length} of ${keys.length} keys of online view '${view.name}' were not written to ${this.describe()}: ` +
        `${sampleKeys(notWritten)}; ${errorName(first)}: ${(first as Error)?.message ?? String(first)}`,
      written,
      { cause: first, notWritten },
    );
  }

  async read(viewInput: OnlineViewInput, keys: Table | readonly OnlineKey[], options: OnlineReadOptions = {}): Promise<OnlineReadResult> {
    const view = toOnlineView(viewInput);
    const plan = readPlan(view, options);
    const requests = requestKeys(view, keys);
    const consistent = options.consistent ?? false;
    const rows = await readTimelines(view, plan, requests, (pks, attributes) => this.fetch(view, pks, attributes, consistent, options.signal), {
      attempts: this.backoff.maxAttempts,
      pause: (attempt) => this.backoff.wait(attempt, options.signal),
    });
    return { features: plan.features, rows };
  }

  /** Items by key, `BatchGetItem` calls of 100 keys with `readConcurrency` in flight, projecting `attributes`. */
  private async fetch(view: OnlineView, pks: readonly string[], attributes: readonly string[], consistent: boolean, signal?: AbortSignal): Promise<Map<string, StoredItem>> {
    const names = Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a]));
    const projection = Object.keys(names).join(', ');
    const chunks: string[][] = [];
    for (let i = 0; i < pks.length; i += BATCH_GET_KEYS) chunks.push(pks.slice(i, i + BATCH_GET_KEYS));
    const found = new Map<string, StoredItem>();
    await forEachBounded(chunks, this.readConcurrency, async (chunk) => {
      for (const item of await this.getBatch(view, chunk, projection, names, consistent, signal)) found.set(item[ATTR.key]!.S!, item);
    });
    return found;
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
