import { resolve } from 'node:path';
import {
  AsofError,
  InvalidInputError,
  StoreWriteError,
  toOnlineView,
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
import { open, type RootDatabase } from 'lmdb';
import { makeDirsSync } from '../local-fs/make-dirs.js';
import { ATTR, type Item } from '../../online/item-codec.js';
import { encodeRows, readPlan, requestKeys, sampleKeys, type StoredItem } from '../../online/online-rows.js';
import { readTimelines } from '../../online/timeline-read.js';
import { MAX_PARTS, partKey, timelineItems, type TimelineItems } from '../../online/timeline-items.js';
import { compareOrder, planTimelines, storedOrder, type KeyTimeline } from '../../online/write-plan.js';
import { timelineResult } from '../../online/write-result.js';

/** Options of {@link LmdbOnlineStore}. */
export interface LmdbOnlineStoreOptions {
  /** The directory of the LMDB environment (created if missing), e.g. `<root>/online`. */
  readonly path: string;
  /**
   * Largest item written, in DynamoDB's size accounting (default 400 KB,
   * as DynamoDB: LMDB itself takes larger values, but a timeline is split
   * the same way on both stores).
   */
  readonly maxItemBytes?: number;
  /** Parts at most per timeline (default 64); past it the timeline is stored with a shorter horizon. */
  readonly maxParts?: number;
}

/** The default item limit, DynamoDB's. */
const DEFAULT_MAX_ITEM_BYTES = 400 * 1024;

/**
 * The embedded online store, the default: an LMDB environment in a local
 * directory (no server, no network; data survives restarts). Items are the
 * same as on DynamoDB (a head per `<view>#<entity key>`, parts for
 * timelines too large for one, the same value encoding). A write is one
 * LMDB write transaction that compares order keys and puts (and deletes
 * replaced parts) for every key, so the ordering rule holds atomically
 * against concurrent writers in this process and in other processes sharing
 * the directory (LMDB serialises write transactions with a lock). Reads see
 * the latest committed state, so `consistent` makes no difference here. The
 * TTL is applied on read; expired items stay on disk until overwritten.
 */
export class LmdbOnlineStore implements OnlineStore {
  readonly path: string;
  private readonly db: RootDatabase<Item, string>;
  private readonly maxItemBytes: number;
  private readonly maxParts: number;
  private closed = false;

  constructor(options: LmdbOnlineStoreOptions) {
    if (!options.path) throw new InvalidInputError('LmdbOnlineStore needs a path');
    this.path = resolve(options.path);
    this.maxItemBytes = options.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES;
    this.maxParts = Math.max(1, options.maxParts ?? MAX_PARTS);
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

  itemLimits(): OnlineItemLimits {
    return { maxItemBytes: this.maxItemBytes, maxItems: this.maxParts + 1, description: `the embedded store's ${this.maxItemBytes.toLocaleString('en-US')}-byte item limit (DynamoDB's, so timelines split alike)` };
  }

  async write(viewInput: OnlineViewInput, rows: Table | RecordBatch, options?: OnlineWriteOptions): Promise<OnlineWriteResult> {
    const view = toOnlineView(viewInput);
    const emptyKeys = options?.timeline?.emptyKeys ? requestKeys(view, options.timeline.emptyKeys).map((r) => r.pk) : [];
    const { keys, superseded } = planTimelines(view.name, encodeRows(view, rows), options?.timeline, emptyKeys);
    const statuses = new Array<OnlineWriteStatus>(rows.numRows);
    const keyStatus = new Map<KeyTimeline, OnlineWriteStatus>();
    for (const i of superseded) statuses[i] = 'stale';
    options?.signal?.throwIfAborted();
    const limits = { maxItemBytes: this.maxItemBytes, label: `the online store's item limit of ${this.maxItemBytes} bytes`, maxParts: this.maxParts, now: BigInt(Date.now()) * 1000n };
    const ready: { key: KeyTimeline; items: TimelineItems }[] = [];
    const failed: { key: KeyTimeline; error: unknown }[] = [];
    for (const key of keys) {
      try {
        ready.push({ key, items: timelineItems(view, key, limits) });
      } catch (error) {
        failed.push({ key, error });
      }
    }
    const stored: TimelineItems[] = [];
    try {
      await this.db.transaction(() => {
        for (const { key, items } of ready) {
          const held = this.db.get(key.pk) as StoredItem | undefined;
          if (held !== undefined && compareOrder(items.order, storedOrder(held)) <= 0) {
            keyStatus.set(key, 'stale');
            for (const i of key.rows) statuses[i] = 'stale';
            continue;
          }
          for (const part of items.parts) this.db.put((part[ATTR.key] as { S: string }).S, part);
          this.db.put(key.pk, items.head);
          for (const old of partsOf(key.pk, held)) if (!items.parts.some((p) => (p[ATTR.key] as { S: string }).S === old)) this.db.remove(old);
          keyStatus.set(key, 'written');
          for (const i of key.rows) statuses[i] = 'written';
          stored.push(items);
        }
      });
    } catch (error) {
      const pks = keys.map((k) => k.pk);
      throw new StoreWriteError(`writing ${pks.length} keys of online view '${view.name}' to ${this.path} failed, nothing of it was written: ${sampleKeys(pks)}`, [], {
        cause: error,
        notWritten: pks,
      });
    }
    if (failed.length > 0) throw this.writeError(view, keys, failed);
    const written = statuses.filter((s) => s === 'written').length;
    return { written, stale: statuses.length - written, statuses, ...(options?.timeline ? { timeline: timelineResult(keys, keys.map((k) => keyStatus.get(k)), stored) } : {}) };
  }

  private writeError(view: OnlineView, keys: readonly KeyTimeline[], failed: readonly { key: KeyTimeline; error: unknown }[]): StoreWriteError {
    const notWritten = failed.map((f) => f.key.pk).sort();
    const lost = new Set(notWritten);
    const first = failed[0]!.error as Error;
    return new StoreWriteError(
      `${notWritten.length} of ${keys.length} keys of online view '${view.name}' were not written to ${this.path}: ${sampleKeys(notWritten)}; ${first.message}`,
      keys.map((k) => k.pk).filter((pk) => !lost.has(pk)),
      { cause: first, notWritten },
    );
  }

  async read(viewInput: OnlineViewInput, keys: Table | readonly OnlineKey[], options: OnlineReadOptions = {}): Promise<OnlineReadResult> {
    const view = toOnlineView(viewInput);
    const plan = readPlan(view, options);
    const requests = requestKeys(view, keys);
    options.signal?.throwIfAborted();
    const rows = await readTimelines(view, plan, requests, async (pks) => {
      const found = new Map<string, StoredItem>();
      for (const pk of pks) {
        const item = this.db.get(pk) as StoredItem | undefined;
        if (item !== undefined) found.set(pk, item);
      }
      return found;
    });
    return { features: plan.features, rows };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }
}

/** The part keys a stored head names. */
function partsOf(pk: string, head: StoredItem | undefined): string[] {
  const count = Number(head?.[ATTR.parts]?.N ?? 0);
  const tag = head?.[ATTR.partsTag]?.S;
  return count > 0 && tag ? Array.from({ length: count }, (_, n) => partKey(pk, n + 1, tag)) : [];
}
