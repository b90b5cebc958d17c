import type { RecordBatch, Table } from 'apache-arrow';
import { JOIN_KEY_KINDS, type KeyDType } from '../definitions/entity.js';
import { specDType } from '../definitions/feature-spec.js';
import type { AnyFeatureView } from '../definitions/feature-view.js';
import { assertName } from '../definitions/names.js';
import { isDType, type DType } from '../dtypes.js';
import { DefinitionError } from '../errors.js';
import type { TimeInput } from '../time/timestamp.js';
import type { IoOptions } from './object-store.js';

/**
 * The online store (DESIGN §6): the latest row per (feature view, entity),
 * read by key in milliseconds. DynamoDB in production, an embedded store by
 * default; every implementation passes one contract suite.
 *
 * Ordering rule, enforced atomically by the store itself so that it holds
 * with any number of concurrent writers: a row replaces the stored row of
 * its key only if its `(event_ts, created_ts)` is greater (event time first,
 * then created time; a null created time is the lowest). A write never
 * replaces a newer `event_ts`; when both times are equal the stored row is
 * kept.
 */
export interface OnlineStore {
  /** Where the store lives, e.g. `dynamodb://asof-online` or `/data/asof/online`. */
  describe(): string;

  /**
   * Capability of stores backed by a resource that may not exist yet (a
   * DynamoDB table): creates it if missing. Idempotent; `asof apply` and
   * the demo call it. Stores that need nothing created omit it.
   */
  provision?(options?: IoOptions): Promise<void>;

  /**
   * Capability of stores with a limit on one entity's row (DynamoDB's
   * 400 KB item): checks, from the definition alone, that every row of
   * `view` fits. `null` if it does, else why not (the largest features),
   * so `asof apply` refuses the view before any write. Stores without a
   * limit omit it.
   */
  checkView?(view: OnlineViewInput): string | null;

  /**
   * Writes feature rows: the view's join keys, `event_ts`, `created_ts`
   * (Timestamp µs UTC; `created_ts` may be null or absent: lowest), one
   * column per feature of the view, and optionally the boolean
   * `_asof_deleted` (a true value writes a tombstone, which reads as
   * missing and, like any row, is replaced only by a newer one). Extra
   * columns are ignored. Several rows of one key in a call are allowed: the
   * greatest wins, the others are `stale`.
   *
   * Resolves once every row is settled; if a row could not be stored (after
   * retrying throttling), rejects with a `StoreWriteError` whose `written`
   * and `notWritten` name the entity keys. Nothing is dropped silently.
   */
  write(view: OnlineViewInput, rows: Table | RecordBatch, options?: IoOptions): Promise<OnlineWriteResult>;

  /**
   * The stored features of each key, one result row per requested key in
   * request order (duplicates kept), with a status per feature. `keys` is a
   * table or plain rows holding the view's join key columns (int64 keys as
   * `bigint`, safe-integer `number` or decimal string). A key outside its
   * type (an int64 past 2^63, a fraction, a null) throws `InvalidKeyError`
   * naming the row; it is never wrapped onto another key. Throws
   * `FeatureNotFoundError` for a feature the view does not have.
   */
  read(view: OnlineViewInput, keys: Table | readonly OnlineKey[], options?: OnlineReadOptions): Promise<OnlineReadResult>;

  /** Releases connections and files; the store is unusable afterwards. Idempotent. */
  close(): Promise<void>;
}

/** What the online store needs to know of a feature view: names, dtypes and TTL. */
export interface OnlineView {
  /** The view name (a lowercase identifier: it is part of every stored key). */
  readonly name: string;
  /** Join key name -> dtype, in key order. */
  readonly keys: Readonly<Record<string, KeyDType>>;
  /** Feature name -> dtype. */
  readonly features: Readonly<Record<string, DType>>;
  /** Rows older than this at read time are `expired`; `null`: never. */
  readonly ttlMs: number | null;
}

/** A feature view definition or its {@link OnlineView}. */
export type OnlineViewInput = OnlineView | AnyFeatureView;

/** One entity key to read: join key name -> value. */
export type OnlineKey = Readonly<Record<string, unknown>>;

/** What became of one written row. `stale`: an equal-or-newer `(event_ts, created_ts)` was already stored (not an error). */
export type OnlineWriteStatus = 'written' | 'stale';

/** The outcome of {@link OnlineStore.write}. */
export interface OnlineWriteResult {
  readonly written: number;
  readonly stale: number;
  /** One per input row, in input order. */
  readonly statuses: readonly OnlineWriteStatus[];
}

/** Options of {@link OnlineStore.read}. */
export interface OnlineReadOptions extends IoOptions {
  /** Features to return, in this order (default: all of the view's). Only these are fetched. */
  readonly features?: readonly string[];
  /**
   * The instant the TTL is evaluated at (default: now). A stored row
   * qualifies iff `at - ttl <= event_ts <= at`, both inclusive, exactly as
   * in the offline point-in-time join. The store keeps only the latest row,
   * so for a row newer than `at` there is nothing to return (`missing`).
   */
  readonly at?: TimeInput;
  /** Overrides the view's TTL for this read (ms); `null`: unbounded. */
  readonly ttlMs?: number | null;
  /** Strongly consistent reads (default false: eventually consistent, half the cost on DynamoDB). */
  readonly consistent?: boolean;
}

/**
 * Per feature: `present` (the value is the stored one, possibly null),
 * `missing` (nothing stored for the key, a tombstone, a row newer than
 * `at`, or a row written before the feature existed), `expired` (the row is
 * older than `at - ttl`).
 */
export type OnlineFeatureStatus = 'present' | 'missing' | 'expired';

/** The outcome of {@link OnlineStore.read}. */
export interface OnlineReadResult {
  /** The features of every row, in order. */
  readonly features: readonly string[];
  /** One per requested key, in request order. */
  readonly rows: readonly OnlineRow[];
}

/**
 * One key's features. Values are exact JS values (as `tableToRows` gives):
 * int64 `bigint`, timestamps `Instant` (µs kept), decimals exact `Decimal`s,
 * dates `'YYYY-MM-DD'`, lists arrays, binary `Uint8Array`; `null` unless
 * the status is `present`.
 */
export interface OnlineRow {
  /** The key as requested, normalised to its dtype (int64 as `bigint`). */
  readonly key: Readonly<Record<string, bigint | number | string>>;
  readonly values: Readonly<Record<string, unknown>>;
  readonly status: Readonly<Record<string, OnlineFeatureStatus>>;
  /** `event_ts` (µs) of the stored row, tombstones and expired rows included; `null` if nothing is stored. */
  readonly eventTs: bigint | null;
  /** `created_ts` (µs) of the stored row; `null` if nothing is stored or it had none. */
  readonly createdTs: bigint | null;
}

const resolved = new WeakMap<object, OnlineView>();

/**
 * The {@link OnlineView} of a feature view (its features' output dtypes),
 * or a hand-built one checked: names are identifiers, keys are int32, int64
 * or string. Throws `DefinitionError`.
 */
export function toOnlineView(input: OnlineViewInput): OnlineView {
  const cached = resolved.get(input);
  if (cached) return cached;
  const view = isFeatureViewLike(input)
    ? {
        name: input.name,
        keys: input.joinKeys,
        features: Object.fromEntries(input.featureNames.map((f) => [f, specDType(input.features[f]!)])),
        ttlMs: input.ttlMs,
      }
    : input;
  assertName(view.name, 'online view name');
  const what = `online view '${view.name}'`;
  if (typeof view.keys !== 'object' || view.keys === null || Object.keys(view.keys).length === 0) {
    throw new DefinitionError(`${what} needs keys, e.g. { account_id: int64() }`);
  }
  for (const [key, dtype] of Object.entries(view.keys)) {
    assertName(key, `${what}: key`);
    if (!isDType(dtype) || !JOIN_KEY_KINDS.includes(dtype.kind)) throw new DefinitionError(`${what}: key '${key}' must be int32(), int64() or string()`);
  }
  for (const [feature, dtype] of Object.entries(view.features ?? {})) {
    assertName(feature, `${what}: feature`);
    if (!isDType(dtype)) throw new DefinitionError(`${what}: feature '${feature}' must be a dtype`);
  }
  if (view.ttlMs !== null && (!Number.isSafeInteger(view.ttlMs) || view.ttlMs < 0)) {
    throw new DefinitionError(`${what}: ttlMs must be a whole number of milliseconds >= 0 or null`);
  }
  const frozen: OnlineView = Object.freeze({
    name: view.name,
    keys: Object.freeze({ ...view.keys }),
    features: Object.freeze({ ...(view.features ?? {}) }),
    ttlMs: view.ttlMs ?? null,
  });
  resolved.set(input, frozen);
  return frozen;
}

function isFeatureViewLike(input: OnlineViewInput): input is AnyFeatureView {
  return (input as AnyFeatureView).kind === 'feature_view';
}
