/**
 * Test fixtures for store suites (not part of the build): feature rows with
 * exact µs timestamps, readers that turn scans into comparable strings, and
 * an object-store wrapper that forces two writers into the same race.
 */
import { Dictionary, Float64, Int32, Int64, makeData, makeVector, Table, Utf8, vectorFromArray, type RecordBatch } from 'apache-arrow';
import { microsVector, readMicrosVector, type Commit, type IoOptions, type ObjectInfo, type ObjectStore, type OfflineStore, type ScanOptions } from '@asof/core';

export const DAY_US = 86_400_000_000n;
export const HOUR_MS = 3_600_000;

/** A fresh, empty store root; every `open` is an independent handle (as another process would have) on that root. */
export interface OfflineStoreHarness {
  open(options?: { wrap?: (objects: ObjectStore) => ObjectStore }): Promise<OfflineStore>;
  /** The raw object store under the root (to look at files). */
  readonly objects: ObjectStore;
}

/** Writes `rows` and commits them as an append. */
export async function append(store: OfflineStore, view: string, rows: readonly Row[], watermark: unknown = null): Promise<Commit> {
  const w = store.beginWrite(view);
  await w.writeBatch(batchOf(rows));
  return w.commit({ operation: 'append', watermark, definitionHash: 'h1' });
}

/** Data files among deleted keys (vacuum also removes staged commit documents of coordinated stores). */
export function dataFiles(keys: readonly string[]): string[] {
  return keys.filter((k) => k.endsWith('.parquet'));
}

/** Rows grouped by UTC day of event time, each group in order: the order a store promises (write order within a partition). */
export function byDay(rows: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[String(BigInt(r.split('|')[1]!) / DAY_US)] ??= []).push(r);
  return out;
}
/** 2024-03-01T00:00:00Z in µs. */
export const T0 = 1_709_251_200_000_000n;

/** One feature row: `amount` may be null. */
export interface Row {
  readonly id: bigint;
  readonly event: bigint;
  readonly created: bigint | null;
  readonly amount: number | null;
  readonly sku: string;
}

/** Rows as one batch: account_id Int64, event_ts, created_ts, amount Float64, sku Dictionary<Int32, Utf8>. */
export function batchOf(rows: readonly Row[]): RecordBatch {
  const n = rows.length;
  const created = BigInt64Array.from(rows, (r) => r.created ?? 0n);
  const createdValid = Uint8Array.from(rows, (r) => (r.created === null ? 0 : 1));
  return new Table({
    account_id: makeVector(makeData({ type: new Int64(), length: n, data: BigInt64Array.from(rows, (r) => r.id), nullCount: 0 })),
    event_ts: microsVector(BigInt64Array.from(rows, (r) => r.event)),
    created_ts: microsVector(created, createdValid.includes(0) ? createdValid : null),
    amount: vectorFromArray(rows.map((r) => r.amount), new Float64()),
    sku: vectorFromArray(rows.map((r) => r.sku), new Dictionary(new Utf8(), new Int32())),
  }).batches[0]!;
}

/** `count` rows spread over `days` days from `start`, deterministic in `seed`. */
export function makeRows(count: number, options: { start?: bigint; days?: number; seed?: number; ids?: number; created?: bigint } = {}): Row[] {
  const start = options.start ?? T0;
  const days = options.days ?? 3;
  let s = options.seed ?? 1;
  const rand = () => ((s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  return Array.from({ length: count }, (_, i) => ({
    id: BigInt(1 + (i % (options.ids ?? 7))),
    event: start + BigInt(Math.floor(rand() * days * 86_400)) * 1_000_000n + BigInt(i % 1000),
    created: options.created ?? start + BigInt(days) * DAY_US + BigInt(i),
    amount: i % 11 === 0 ? null : Math.round(rand() * 100_000) / 100,
    sku: `sku-${i % 5}`,
  }));
}

/** A row as a comparable string. */
export function rowKey(r: Row): string {
  return `${r.id}|${r.event}|${r.created ?? 'null'}|${r.amount ?? 'null'}|${r.sku}`;
}

/** Rows of batches as strings, in order. */
export function rowsOf(batches: readonly RecordBatch[]): string[] {
  const out: string[] = [];
  for (const b of batches) {
    const ev = readMicrosVector(b.getChild('event_ts')!, 'event_ts').micros;
    const cr = readMicrosVector(b.getChild('created_ts')!, 'created_ts');
    const id = b.getChild('account_id')!;
    const amount = b.getChild('amount')!;
    const sku = b.getChild('sku')!;
    for (let i = 0; i < b.numRows; i++) {
      out.push(`${id.get(i)}|${ev[i]}|${cr.valid && !cr.valid[i] ? 'null' : cr.micros[i]}|${amount.get(i) ?? 'null'}|${sku.get(i)}`);
    }
  }
  return out;
}

/** Every batch of a scan. */
export async function collect(store: OfflineStore, view: string, options?: ScanOptions): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of store.scan(view, options)) out.push(b);
  return out;
}

/** The scan's rows as sorted strings (a multiset). */
export async function visible(store: OfflineStore, view: string, options?: ScanOptions): Promise<string[]> {
  return rowsOf(await collect(store, view, options)).sort();
}

/** Sorted strings of rows. */
export function sorted(rows: readonly Row[]): string[] {
  return rows.map(rowKey).sort();
}

/**
 * Holds the first listing of a commit log by each of `parties` writers until
 * all have listed, so they all plan against the same version and then race
 * for the next one.
 */
export class LogListingBarrier {
  private arrived = 0;
  private release!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  constructor(private readonly parties: number) {}

  wrap(inner: ObjectStore): ObjectStore {
    const barrier = this;
    return new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop !== 'list') return Reflect.get(target, prop, receiver) as unknown;
        return async function* list(prefix: string, options?: IoOptions): AsyncIterable<ObjectInfo> {
          if (/\/_log\/$/.test(prefix) && barrier.arrived < barrier.parties) {
            if (++barrier.arrived === barrier.parties) barrier.release();
            await barrier.gate;
          }
          yield* target.list(prefix, options);
        };
      },
    });
  }
}

/**
 * Lets the first log-entry write succeed on the server but report a failure
 * to the writer (a connection reset after the request went through).
 */
export function failFirstLogWriteAfterWriting(inner: ObjectStore): ObjectStore {
  let failed = false;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== 'putIfAbsent') return Reflect.get(target, prop, receiver) as unknown;
      return async (key: string, bytes: Uint8Array, options?: IoOptions): Promise<boolean> => {
        const created = await target.putIfAbsent(key, bytes, options);
        if (!failed && /\/_log\/\d{20}\.json$/.test(key)) {
          failed = true;
          throw new Error('socket hang up (after the server stored the object)');
        }
        return created;
      };
    },
  });
}

/**
 * Runs `hook` (another writer's whole commit, say) just before the first
 * write into `view`'s commit log through this object store, then lets the
 * write go on: the writer has planned, and loses the race to whatever the
 * hook committed. Works with put-if-absent and with coordinated commits
 * (whose staged document is written first).
 */
export function beforeFirstLogWrite(inner: ObjectStore, view: string, hook: () => Promise<unknown>): ObjectStore {
  let pending: Promise<unknown> | null = null;
  const prefix = `views/${view}/_log/`;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== 'put' && prop !== 'putIfAbsent') return Reflect.get(target, prop, receiver) as unknown;
      return async (key: string, bytes: Uint8Array, options?: IoOptions): Promise<unknown> => {
        if (key.startsWith(prefix)) await (pending ??= hook());
        return prop === 'put' ? target.put(key, bytes, options) : target.putIfAbsent(key, bytes, options);
      };
    },
  });
}
