/**
 * The store-independent half of every online store: rows to items (with the
 * ordering rule), requested keys to partition keys, and stored items to read
 * results (with the TTL rule of the offline join). No I/O.
 */
import {
  columnValues,
  FeatureNotFoundError,
  InvalidInputError,
  readMicrosVector,
  StoreReadError,
  TOMBSTONE_COLUMN,
  toEpochMicros,
  type OnlineFeatureStatus,
  type OnlineReadOptions,
  type OnlineKey,
  type OnlineRow,
  type OnlineView,
} from '@asof/core';
import type { RecordBatch, Table, Vector } from 'apache-arrow';
import { ATTR, decodeValue, encodeValue, entityKey, featureAttribute, NULL_CREATED_TS, type Item, type StoredValue } from './item-codec.js';

/** One row to write, encoded. */
export interface WriteRow {
  /** Position in the input. */
  readonly index: number;
  readonly pk: string;
  readonly eventTs: bigint;
  /** `null` when the row had none (orders lowest). */
  readonly createdTs: bigint | null;
  /** The whole item, `pk`, times and features included. */
  readonly item: Item;
}

/** A stored item as read back: attribute -> value. */
export type StoredItem = Readonly<Record<string, StoredValue>>;

/** Encodes the rows of a write; see `OnlineStore.write` for the columns. Throws `InvalidInputError`. */
export function encodeWriteRows(view: OnlineView, rows: Table | RecordBatch): WriteRow[] {
  const n = rows.numRows;
  const column = (name: string): Vector | null => rows.getChild(name) ?? null;
  const has = rows.schema.fields.map((f) => f.name).join(', ') || 'no columns';
  const need = (name: string, what: string): Vector => {
    const v = column(name);
    if (!v) throw new InvalidInputError(`rows written to online view '${view.name}' have no ${what} column '${name}'; they have ${has}`);
    return v;
  };
  const keyNames = Object.keys(view.keys);
  const keyValues = keyNames.map((k) => columnValues(need(k, 'join key'), k));
  const event = readMicrosVector(need('event_ts', 'event time'), 'event_ts');
  if (event.valid && event.valid.includes(0)) {
    throw new InvalidInputError(`row ${event.valid.indexOf(0)} written to online view '${view.name}' has a null event_ts`);
  }
  const createdColumn = column('created_ts');
  const created = createdColumn ? readMicrosVector(createdColumn, 'created_ts') : null;
  const tombstoneColumn = column(TOMBSTONE_COLUMN);
  const deleted = tombstoneColumn ? columnValues(tombstoneColumn, TOMBSTONE_COLUMN) : null;
  const live = deleted ? deleted.some((d) => d !== true) : n > 0;
  const features = Object.entries(view.features).map(([name, dtype]) => {
    const v = column(name);
    if (!v && live) need(name, 'feature');
    return { name, dtype, attribute: featureAttribute(name), where: `online view '${view.name}', feature '${name}'`, values: v ? columnValues(v, name) : null };
  });

  const out: WriteRow[] = new Array(n);
  const key: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < keyNames.length; k++) key[keyNames[k]!] = keyValues[k]![i];
    const { pk } = entityKey(view, key, i);
    const eventTs = event.micros[i]!;
    const createdTs = created && (!created.valid || created.valid[i]) ? created.micros[i]! : null;
    const item: Item = { [ATTR.key]: { S: pk }, [ATTR.eventTs]: { N: eventTs.toString() }, [ATTR.createdTs]: { N: (createdTs ?? NULL_CREATED_TS).toString() } };
    if (view.ttlMs !== null) item[ATTR.expiresAt] = { N: expiresAtSeconds(eventTs, view.ttlMs).toString() };
    if (deleted?.[i] === true) item[ATTR.deleted] = { BOOL: true };
    else {
      for (const f of features) {
        try {
          item[f.attribute] = encodeValue(f.values![i], f.dtype, f.where);
        } catch (error) {
          throw error instanceof InvalidInputError ? new InvalidInputError(error.message.replace(f.where, `${f.where}, row ${i}`)) : error;
        }
      }
    }
    out[i] = { index: i, pk, eventTs, createdTs, item };
  }
  return out;
}

/**
 * Epoch seconds for DynamoDB's TTL attribute: strictly after
 * `event_ts + ttl`, the last instant a read still returns the row, so the
 * service only ever deletes rows every read would call expired.
 */
export function expiresAtSeconds(eventTs: bigint, ttlMs: number): bigint {
  const last = eventTs + BigInt(ttlMs) * 1000n;
  return (last >= 0n ? last / 1_000_000n : -((-last + 999_999n) / 1_000_000n)) + 1n;
}

/** Whether `a` orders after `b`: greater event time, then greater created time (null lowest). */
export function isNewer(a: { eventTs: bigint; createdTs: bigint | null }, b: { eventTs: bigint; createdTs: bigint | null }): boolean {
  if (a.eventTs !== b.eventTs) return a.eventTs > b.eventTs;
  return (a.createdTs ?? NULL_CREATED_TS) > (b.createdTs ?? NULL_CREATED_TS);
}

/**
 * The row per key that a write can store: the newest, the first of equals
 * (as the store keeps the first of equal rows). `superseded` are the input
 * positions of the others, `stale` without a request.
 */
export function latestPerKey(rows: readonly WriteRow[]): { latest: WriteRow[]; superseded: number[] } {
  const best = new Map<string, WriteRow>();
  const superseded: number[] = [];
  for (const row of rows) {
    const held = best.get(row.pk);
    if (held === undefined) best.set(row.pk, row);
    else if (isNewer(row, held)) {
      superseded.push(held.index);
      best.set(row.pk, row);
    } else superseded.push(row.index);
  }
  return { latest: [...best.values()], superseded };
}

/** The times stored in an item. */
export function storedTimes(item: StoredItem): { eventTs: bigint; createdTs: bigint | null } {
  const cts = BigInt(item[ATTR.createdTs]?.N ?? NULL_CREATED_TS);
  return { eventTs: BigInt(item[ATTR.eventTs]!.N!), createdTs: cts === NULL_CREATED_TS ? null : cts };
}

/** The requested keys, in order, with their partition keys. */
export function requestKeys(view: OnlineView, keys: Table | readonly OnlineKey[]): { pk: string; key: Record<string, bigint | number | string> }[] {
  if (Array.isArray(keys)) return (keys as readonly OnlineKey[]).map((k, i) => entityKey(view, k, i));
  const table = keys as Table;
  const names = Object.keys(view.keys);
  const columns = names.map((k) => {
    const v = table.getChild(k);
    if (!v) throw new InvalidInputError(`keys read from online view '${view.name}' have no join key column '${k}'`);
    return columnValues(v, k);
  });
  return Array.from({ length: table.numRows }, (_, i) => entityKey(view, Object.fromEntries(names.map((k, c) => [k, columns[c]![i]])), i));
}

/** What a read returns and how it applies the TTL: the options checked, defaults applied. */
export function readPlan(view: OnlineView, options: OnlineReadOptions): { features: string[]; at: bigint; ttlMs: number | null } {
  const ttlMs = options.ttlMs === undefined ? view.ttlMs : options.ttlMs;
  if (ttlMs !== null && (!Number.isSafeInteger(ttlMs) || ttlMs < 0)) {
    throw new InvalidInputError(`ttlMs must be a whole number of milliseconds >= 0 or null, got ${ttlMs}`);
  }
  const at = options.at === undefined ? BigInt(Date.now()) * 1000n : toEpochMicros(options.at);
  return { features: resolveFeatures(view, options.features), at, ttlMs };
}

/** The first few keys of a list, for messages. */
export function sampleKeys(keys: readonly string[]): string {
  return keys.slice(0, 5).join(', ') + (keys.length > 5 ? ` and ${keys.length - 5} more` : '');
}

/** The features a read returns: the requested ones (checked, deduplicated) or all the view's. */
function resolveFeatures(view: OnlineView, features: readonly string[] | undefined): string[] {
  const known = Object.keys(view.features);
  if (features === undefined) return known;
  for (const f of features) {
    if (!Object.hasOwn(view.features, f)) throw new FeatureNotFoundError(`${view.name}:${f}`, known.map((k) => `${view.name}:${k}`));
  }
  return [...new Set(features)];
}

/** The attributes a read fetches: key, times, tombstone mark and the requested features. */
export function projectedAttributes(features: readonly string[]): string[] {
  return [ATTR.key, ATTR.eventTs, ATTR.createdTs, ATTR.deleted, ...features.map(featureAttribute)];
}

/**
 * Builds the read result rows: a stored row qualifies iff it is no
 * tombstone and `at - ttl <= event_ts <= at` (DESIGN §3, both inclusive).
 * Newer than `at` or deleted: `missing`; older than `at - ttl`: `expired`.
 */
export function readRows(
  view: OnlineView,
  features: readonly string[],
  requests: readonly { pk: string; key: Record<string, bigint | number | string> }[],
  found: ReadonlyMap<string, StoredItem>,
  at: bigint,
  ttlMs: number | null,
): OnlineRow[] {
  const lowest = ttlMs === null ? null : at - BigInt(ttlMs) * 1000n;
  const columns = features.map((name) => ({ name, attribute: featureAttribute(name), dtype: view.features[name]! }));
  const decoded = new Map<string, Omit<OnlineRow, 'key'>>();
  const decode = (pk: string): Omit<OnlineRow, 'key'> => {
    const item = found.get(pk);
    const values: Record<string, unknown> = {};
    const status: Record<string, OnlineFeatureStatus> = {};
    if (!item) {
      for (const f of features) [values[f], status[f]] = [null, 'missing'];
      return { values, status, eventTs: null, createdTs: null };
    }
    const { eventTs, createdTs } = storedTimes(item);
    const rowStatus: OnlineFeatureStatus | null =
      item[ATTR.deleted]?.BOOL === true || eventTs > at ? 'missing' : lowest !== null && eventTs < lowest ? 'expired' : null;
    for (const { name, attribute, dtype } of columns) {
      const stored = rowStatus === null ? item[attribute] : undefined;
      status[name] = rowStatus ?? (stored === undefined ? 'missing' : 'present');
      try {
        values[name] = stored === undefined ? null : decodeValue(stored, dtype, pk);
      } catch (error) {
        throw error instanceof StoreReadError ? new StoreReadError(error.message.replace(pk, `online view '${view.name}', key ${pk}, feature '${name}'`)) : error;
      }
    }
    return { values, status, eventTs, createdTs };
  };
  return requests.map(({ pk, key }) => {
    let row = decoded.get(pk);
    if (!row) decoded.set(pk, (row = decode(pk)));
    return { key, ...row };
  });
}
