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
 * Each key holds a timeline: the row a point-in-time lookup chooses at the
 * publish instant, then the key's precomputed change points up to a horizon
 * (window expiries, due dates), so a read at any instant up to the horizon
 * is exactly the offline answer, and a later read says `stale`. Rows
 * written without a timeline hold until replaced.
 *
 * Ordering rule, enforced atomically by the store itself so that it holds
 * with any number of concurrent writers: a write replaces the stored item
 * of its key only if its order key is greater: the `(event_ts, created_ts)`
 * of its current row (event time first, then created time; a null created
 * time is the lowest; a timeline without a current row is lowest), then the
 * offline snapshot version it was built from, then its publish instant,
 * then its horizon end. A write never replaces a newer `event_ts`, an older
 * publish never replaces a newer one, and when everything is equal the
 * stored item is kept.
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
   * Writes feature rows: the view's join keys, `event_ts`, `created_ts`
   * (Timestamp µs UTC; `created_ts` may be null or absent: lowest), one
   * column per feature of the view, and optionally the boolean
   * `_asof_deleted` (a true value writes a tombstone, which reads as
   * missing and, like any row, is replaced only by a newer one). Extra
   * columns are ignored. Several rows of one key in a call are allowed: the
   * greatest wins, the others are `stale`.
   *
   * With `options.timeline`, the rows of a key are instead its timeline
   * (see {@link OnlineTimelineOptions}), stored together as one unit that
   * the ordering rule compares as a whole; a timeline too large for one
   * item is split over several (read back as one), and past a bound served
   * with a shorter horizon (reported in `timeline.shortened`), never a
   * failed write.
   *
   * Resolves once every row is settled; if a row could not be stored (after
   * retrying throttling), rejects with a `StoreWriteError` whose `written`
   * and `notWritten` name the entity keys. Nothing is dropped silently.
   */
  write(view: OnlineViewInput, rows: Table | RecordBatch, options?: OnlineWriteOptions): Promise<OnlineWriteResult>;

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

  /** The item limits it splits timelines by, so `asof apply` can check the definitions against them. */
  itemLimits?(): OnlineItemLimits;
}

/** What {@link OnlineStore.itemLimits} returns. */
export interface OnlineItemLimits {
  /** The largest item, in DynamoDB's size accounting (attribute names plus values). */
  readonly maxItemBytes: number;
  /** Items at most per key (a head and its parts); past it a timeline's horizon is shortened. */
  readonly maxItems: number;
  /** How the limit is named for people, e.g. `DynamoDB's 400 KB item limit`. */
  readonly description: string;
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

/** What became of one written row. `stale`: an item with an equal-or-greater order key was already stored (not an error). */
export type OnlineWriteStatus = 'written' | 'stale';

/** Options of {@link OnlineStore.write}. */
export interface OnlineWriteOptions extends IoOptions {
  /** Write each key's rows as its timeline published at `publishedAt`, answering up to `horizonEnd`. */
  readonly timeline?: OnlineTimelineOptions;
}

/**
 * A timeline write: per key, at most one row with `event_ts <= publishedAt`
 * (the row a point-in-time lookup chooses then, tombstones included; none
 * if the key had no row yet), then one row per later change point with
 * `publishedAt < event_ts <= horizonEnd`, at distinct event times (the row
 * the lookup chooses at that instant). Reads at any `t <= horizonEnd`
 * pick the latest row at or before `t` and apply the TTL and tombstones
 * exactly as the offline join; reads after `horizonEnd` are `stale`. Rows
 * breaking these rules are refused (`InvalidInputError`), nothing written.
 */
export interface OnlineTimelineOptions {
  /** The publish instant P. */
  readonly publishedAt: TimeInput;
  /** The last instant the timeline answers for, `>= publishedAt`. */
  readonly horizonEnd: TimeInput;
  /** The offline snapshot version the rows were read from (orders publishes of equal current rows; default 0). */
  readonly version?: number;
  /**
   * Keys whose timeline is empty: no row at or before `horizonEnd` (their
   * first row is later). Stored so reads until `horizonEnd` say `missing`
   * and later ones `stale`, as for any other key; they must have no rows
   * in the write.
   */
  readonly emptyKeys?: Table | readonly OnlineKey[];
}

/** The outcome of {@link OnlineStore.write}. */
export interface OnlineWriteResult {
  readonly written: number;
  readonly stale: number;
  /** One per input row, in input order (a timeline's rows share their key's status). */
  readonly statuses: readonly OnlineWriteStatus[];
  /** Only for timeline writes: what became of each key's timeline. */
  readonly timeline?: OnlineTimelineWriteResult;
}

/** Per key, what a timeline write did. */
export interface OnlineTimelineWriteResult {
  /** Keys whose timeline was stored. */
  readonly written: number;
  /** Keys whose stored item was as new or newer (kept). */
  readonly stale: number;
  /** Written keys whose timeline needed several items. */
  readonly split: number;
  /** Written keys whose timeline did not fit even split, stored up to an earlier horizon end (µs), which reads past it see as `stale`. */
  readonly shortened: readonly { readonly key: string; readonly horizonEnd: bigint }[];
}

/** Options of {@link OnlineStore.read}. */
export interface OnlineReadOptions extends IoOptions {
  /** Features to return, in this order (default: all of the view's). Only these are fetched. */
  readonly features?: readonly string[];
  /**
   * The instant read (default: now). The stored timeline's latest row at or
   * before `at` is chosen, and it qualifies iff `at - ttl <= event_ts`
   * (both ends inclusive), exactly as in the offline point-in-time join.
   * After the timeline's horizon end the read is `stale`; before its first
   * row there is nothing to return (`missing`: the store keeps no older rows).
   */
  readonly at?: TimeInput;
  /** Overrides the view's TTL for this read (ms); `null`: unbounded. */
  readonly ttlMs?: number | null;
  /** Strongly consistent reads (default false: eventually consistent, half the cost on DynamoDB). */
  readonly consistent?: boolean;
}

/**
 * Per feature: `present` (the value is the stored one, possibly null),
 * `missing` (nothing stored for the key, a tombstone, only rows newer than
 * `at`, or a row written before the feature existed), `expired` (the row is
 * older than `at - ttl`), `stale` (`at` is after the stored timeline's
 * horizon: the value then is not known online; publish again, or read the
 * offline store). The value is null unless `present`.
 */
export type OnlineFeatureStatus = 'present' | 'missing' | 'expired' | 'stale';

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
  /**
   * `event_ts` (µs) of the stored row the read chose (the latest at or
   * before `at`, tombstones and expired rows included); of the timeline's
   * current row when none is at or before `at` or the read is `stale`;
   * `null` if nothing is stored (or the timeline has no current row).
   */
  readonly eventTs: bigint | null;
  /** `created_ts` (µs) of that row; `null` as for `eventTs` or when it had none. */
  readonly createdTs: bigint | null;
  /** What the stored item says of its timeline; absent when nothing is stored. */
  readonly timeline?: OnlineStoredTimeline;
}

/** The stored timeline of a key, as a read sees it (for publishers and consistency checks). */
export interface OnlineStoredTimeline {
  /** The publish instant (µs); `null` for rows written without a timeline or items from before timelines. */
  readonly publishedAt: bigint | null;
  /** The last instant it answers for (µs); `null`: until replaced (rows written without a timeline). */
  readonly horizonEnd: bigint | null;
  /** A digest of its rows and values (not of the publish instant or horizon), to skip republishing unchanged ones; `null` for items from before timelines. */
  readonly digest: string | null;
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
