/**
 * The store-independent half of every online store, input side: written
 * rows to encoded rows, requested keys to partition keys, read options
 * checked. No I/O.
 */
import {
  columnValues,
  FeatureNotFoundError,
  InvalidInputError,
  readMicrosVector,
  TOMBSTONE_COLUMN,
  toEpochMicros,
  type OnlineReadOptions,
  type OnlineKey,
  type OnlineView,
} from '@asof/core';
import type { RecordBatch, Table, Vector } from 'apache-arrow';
import { encodeValue, entityKey, NULL_CREATED_TS, type AttrValue, type StoredValue } from './item-codec.js';

/** One written row, encoded. */
export interface EncodedRow {
  /** Position in the input. */
  readonly index: number;
  readonly pk: string;
  readonly eventTs: bigint;
  /** `null` when the row had none (orders lowest). */
  readonly createdTs: bigint | null;
  readonly tombstone: boolean;
  /** One value per feature of the view, in feature order; all `NULL` on a tombstone. */
  readonly values: readonly AttrValue[];
}

/** A stored item as read back: attribute -> value. */
export type StoredItem = Readonly<Record<string, StoredValue>>;

const NULL_VALUE: AttrValue = Object.freeze({ NULL: true as const });

/** Encodes the rows of a write; see `OnlineStore.write` for the columns. Throws `InvalidInputError`. */
export function encodeRows(view: OnlineView, rows: Table | RecordBatch): EncodedRow[] {
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
    return { dtype, where: `online view '${view.name}', feature '${name}'`, values: v ? columnValues(v, name) : null };
  });
  const tombstoneValues = features.map(() => NULL_VALUE);

  const out: EncodedRow[] = new Array(n);
  const key: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < keyNames.length; k++) key[keyNames[k]!] = keyValues[k]![i];
    const { pk } = entityKey(view, key, i);
    const createdTs = created && (!created.valid || created.valid[i]) ? created.micros[i]! : null;
    const tombstone = deleted?.[i] === true;
    let values: readonly AttrValue[] = tombstoneValues;
    if (!tombstone) {
      values = features.map((f) => {
        try {
          return encodeValue(f.values![i], f.dtype, f.where);
        } catch (error) {
          throw error instanceof InvalidInputError ? new InvalidInputError(error.message.replace(f.where, `${f.where}, row ${i}`)) : error;
        }
      });
    }
    out[i] = { index: i, pk, eventTs: event.micros[i]!, createdTs, tombstone, values };
  }
  return out;
}

/**
 * Epoch seconds for DynamoDB's TTL attribute: strictly after `last`, the
 * last instant (µs) a read may still need the item, so the service only
 * ever deletes items no read can use.
 */
export function expiresAtSeconds(eventTs: bigint, ttlMs: number): bigint {
  return secondsAfter(eventTs + BigInt(ttlMs) * 1000n);
}

/** The first whole epoch second strictly after the instant `micros`. */
export function secondsAfter(micros: bigint): bigint {
  return (micros >= 0n ? micros / 1_000_000n : -((-micros + 999_999n) / 1_000_000n)) + 1n;
}

/** Whether `a` orders after `b`: greater event time, then greater created time (null lowest). */
export function isNewer(a: { eventTs: bigint; createdTs: bigint | null }, b: { eventTs: bigint; createdTs: bigint | null }): boolean {
  if (a.eventTs !== b.eventTs) return a.eventTs > b.eventTs;
  return (a.createdTs ?? NULL_CREATED_TS) > (b.createdTs ?? NULL_CREATED_TS);
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
export interface ReadPlan {
  readonly features: string[];
  /** µs. */
  readonly at: bigint;
  readonly ttlMs: number | null;
}

/** The {@link ReadPlan} of a read's options. */
export function readPlan(view: OnlineView, options: OnlineReadOptions): ReadPlan {
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
