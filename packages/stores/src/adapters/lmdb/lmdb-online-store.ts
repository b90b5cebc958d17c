import { resolve } from 'node:path';
import {
  AsofError,
  InvalidInputError,
  StoreWriteError,
  toOnlineView,
  type IoOptions,
  type OnlineKey,
  type OnlineReadOptions,
  type OnlineReadResult,
  type OnlineStore,
  type OnlineViewInput,
  type OnlineWriteResult,
  type OnlineWriteStatus,
} from '@asof/core';
import type { RecordBatch, Table } from 'apache-arrow';
import { open, type RootDatabase } from 'lmdb';
import { makeDirsSync } from '../local-fs/make-dirs.js';
import type { Item } from '../../online/item-codec.js';
import { encodeWriteRows, isNewer, latestPerKey, readPlan, readRows, requestKeys, sampleKeys, storedTimes, type StoredItem } from '../../online/online-rows.js';

/** Options of {@link LmdbOnlineStore}. */
export interface LmdbOnlineStoreOptions {
  /** The directory of the LMDB environment (created if missing), e.g. `<root>/online`. */
  readonly path: string;
}

/**
 * The embedded online store, the default: an LMDB environment in a local
 * directory (no server, no network; data survives restarts). Items are the
 * same as on DynamoDB (one per `<view>#<entity key>`, the same value
 * encoding). A write is one LMDB write transaction that compares and puts
 * every row, so the ordering rule holds atomically against concurrent
 * writers in this process and in other processes sharing the directory
 * (LMDB serialises write transactions with a lock). Reads see the latest
 * committed state, so `consistent` makes no difference here. The TTL is
 * applied on read; expired items stay on disk until overwritten.
 */
export class LmdbOnlineStore implements OnlineStore {
  readonly path: string;
  private readonly db: RootDatabase<Item, string>;
  private closed = false;

  constructor(options: LmdbOnlineStoreOptions) {
    if (!options.path) throw new InvalidInputError('LmdbOnlineStore needs a path');
    this.path = resolve(options.path);
    try {
      // Not mkdir({ recursive }): under /proc or /sys it never returns.
      makeDirsSync(this.path);
      this.db = open<Item, string>({ path: this.path });
    } catch (error) {
      throw new AsofError(
        'CONFIG',
        `cannot open the LMDB online store at ${this.path}: ${(error as Error).message}; choose a writable directory (--online lmdb:<dir>, or a writable --root)`,
        { cause: error },
      );
    }
  }

  describe(): string {
    return this.path;
  }

  async write(viewInput: OnlineViewInput, rows: Table | RecordBatch, options?: IoOptions): Promise<OnlineWriteResult> {
    const view = toOnlineView(viewInput);
    const encoded = encodeWriteRows(view, rows);
    const { latest, superseded } = latestPerKey(encoded);
    const statuses = new Array<OnlineWriteStatus>(encoded.length);
    for (const i of superseded) statuses[i] = 'stale';
    options?.signal?.throwIfAborted();
    try {
      await this.db.transaction(() => {
        for (const row of latest) {
          const stored = this.db.get(row.pk) as StoredItem | undefined;
          if (stored === undefined || isNewer(row, storedTimes(stored))) {
            this.db.put(row.pk, row.item);
            statuses[row.index] = 'written';
          } else statuses[row.index] = 'stale';
        }
      });
    } catch (error) {
      const keys = latest.map((r) => r.pk);
      throw new StoreWriteError(`writing ${keys.length} keys of online view '${view.name}' to ${this.path} failed, nothing of it was written: ${sampleKeys(keys)}`, [], {
        cause: error,
        notWritten: keys,
      });
    }
    const written = statuses.filter((s) => s === 'written').length;
    return { written, stale: statuses.length - written, statuses };
  }

  async read(viewInput: OnlineViewInput, keys: Table | readonly OnlineKey[], options: OnlineReadOptions = {}): Promise<OnlineReadResult> {
    const view = toOnlineView(viewInput);
    const { features, at, ttlMs } = readPlan(view, options);
    const requests = requestKeys(view, keys);
    options.signal?.throwIfAborted();
    const found = new Map<string, StoredItem>();
    for (const { pk } of requests) {
      if (found.has(pk)) continue;
      const item = this.db.get(pk) as StoredItem | undefined;
      if (item !== undefined) found.set(pk, item);
    }
    return { features, rows: readRows(view, features, requests, found, at, ttlMs) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }
}
