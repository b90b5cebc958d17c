import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { LeaseLostError, type IoOptions, type Lease, type LeaseStore } from '@asof/core';
import { assertLeaseName, assertTtl, isExpired } from '../../leases/lease-checks.js';

/** The table a {@link DynamoDbLeaseStore} writes to: a `DynamoDbCommitCoordinator` is one. */
export interface DynamoDbLeaseTable {
  readonly client: DynamoDBClient;
  /** Partition key `pk` (a string), like the commit coordinator's table. */
  readonly tableName: string;
  /** Creates the table if needed; called before the first request. */
  ensureTable(options?: IoOptions): Promise<void>;
  /** Sends one request, translating an unreachable endpoint into a clear error (the commit coordinator's); default: the client as is. */
  send?<T>(signal: AbortSignal | undefined, request: (signal: AbortSignal | undefined) => Promise<T>): Promise<T>;
}

/** Options of {@link DynamoDbLeaseStore}. */
export interface DynamoDbLeaseStoreOptions {
  /** Where leases live; pass the commit coordinator to share its table. */
  readonly table: DynamoDbLeaseTable;
  /** Separates the leases of different roots sharing one table, e.g. the root's location. */
  readonly scope: string;
  /** The clock in epoch ms (default `Date.now`); tests move it to expire leases. */
  readonly now?: () => number;
}

/**
 * A {@link LeaseStore} on DynamoDB, for object stores that do not enforce
 * put-if-absent. A lease is one item `pk = lease#<scope>#<name>`; taking it
 * is a `PutItem` conditioned on `attribute_not_exists(pk) OR expiresAtMs < :now`,
 * which DynamoDB evaluates atomically, so among racing takers exactly one
 * wins. Renewal and release are conditioned on the grant's random token, so
 * a holder that lost its lease cannot touch the next holder's.
 */
export class DynamoDbLeaseStore implements LeaseStore {
  private readonly table: DynamoDbLeaseTable;
  private readonly scope: string;
  private readonly now: () => number;

  constructor(options: DynamoDbLeaseStoreOptions) {
    this.table = options.table;
    this.scope = options.scope;
    this.now = options.now ?? Date.now;
  }

  describe(): string {
    return `dynamodb://${this.table.tableName} (leases of ${this.scope})`;
  }

  async acquire(name: string, holder: string, ttlMs: number, options?: IoOptions): Promise<Lease | null> {
    assertTtl(ttlMs);
    await this.table.ensureTable(options);
    const now = this.now();
    const lease: Lease = Object.freeze({
      name,
      holder,
      token: randomUUID(),
      acquiredAt: new Date(now).toISOString(),
      expiresAt: new Date(now + ttlMs).toISOString(),
    });
    const ok = await this.conditional(
      new PutItemCommand({
        TableName: this.table.tableName,
        Item: {
          pk: { S: this.pk(name) },
          holder: { S: holder },
          token: { S: lease.token },
          acquiredAt: { S: lease.acquiredAt },
          expiresAt: { S: lease.expiresAt },
          expiresAtMs: { N: String(now + ttlMs) },
        },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAtMs < :now',
        ExpressionAttributeValues: { ':now': { N: String(now) } },
      }),
      options,
    );
    return ok ? lease : null;
  }

  async renew(lease: Lease, ttlMs: number, options?: IoOptions): Promise<Lease> {
    assertTtl(ttlMs);
    await this.table.ensureTable(options);
    const expiresAtMs = this.now() + ttlMs;
    const renewed: Lease = Object.freeze({ ...lease, expiresAt: new Date(expiresAtMs).toISOString() });
    const ok = await this.conditional(
      new UpdateItemCommand({
        TableName: this.table.tableName,
        Key: { pk: { S: this.pk(lease.name) } },
        UpdateExpression: 'SET expiresAt = :iso, expiresAtMs = :ms',
        ConditionExpression: '#token = :token',
        ExpressionAttributeNames: { '#token': 'token' },
        ExpressionAttributeValues: { ':iso': { S: renewed.expiresAt }, ':ms': { N: String(expiresAtMs) }, ':token': { S: lease.token } },
      }),
      options,
    );
    if (!ok) throw new LeaseLostError(lease.name, 'it expired and another holder took it, or it was released');
    return renewed;
  }

  async release(lease: Lease, options?: IoOptions): Promise<void> {
    await this.table.ensureTable(options);
    // A failed condition means the lease is someone else's now: nothing to release.
    await this.conditional(
      new DeleteItemCommand({
        TableName: this.table.tableName,
        Key: { pk: { S: this.pk(lease.name) } },
        ConditionExpression: '#token = :token',
        ExpressionAttributeNames: { '#token': 'token' },
        ExpressionAttributeValues: { ':token': { S: lease.token } },
      }),
      options,
    );
  }

  async current(name: string, options?: IoOptions): Promise<Lease | null> {
    await this.table.ensureTable(options);
    const command = new GetItemCommand({ TableName: this.table.tableName, Key: { pk: { S: this.pk(name) } }, ConsistentRead: true });
    const out = await this.send(options?.signal, (abortSignal) => this.table.client.send(command, { abortSignal }));
    const item = out.Item;
    if (!item || isExpired(Number(item.expiresAtMs?.N), this.now())) return null;
    return Object.freeze({
      name,
      holder: item.holder?.S ?? '',
      token: item.token?.S ?? '',
      acquiredAt: item.acquiredAt?.S ?? '',
      expiresAt: item.expiresAt?.S ?? '',
    });
  }

  private send<T>(signal: AbortSignal | undefined, request: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    return this.table.send ? this.table.send(signal, request) : request(signal);
  }

  private pk(name: string): string {
    assertLeaseName(name);
    return `lease#${this.scope}#${name}`;
  }

  /** Sends a conditional write: `false` if its condition failed. */
  private async conditional(command: PutItemCommand | UpdateItemCommand | DeleteItemCommand, options?: IoOptions): Promise<boolean> {
    try {
      await this.send(options?.signal, (abortSignal) => this.table.client.send(command as PutItemCommand, { abortSignal }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
