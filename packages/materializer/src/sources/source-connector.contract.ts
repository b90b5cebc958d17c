/**
 * The contract every source connector passes (core's `SourceConnector`),
 * run against each one with real parts: `describeSourceConnector('mysql',
 * factory)` against MariaDB, and the in-memory source. What the engine
 * relies on: full extracts in bounded batches of exact dtypes, one
 * consistent snapshot across tables, incremental reads by watermark with
 * the overlap and `until`, schema drift refused before any row, abort,
 * a stable identity without secrets, and a snapshot time to date the
 * deletes a full read implies.
 */
import {
  decimal,
  Instant,
  int32,
  int64,
  isDecimal,
  SchemaMismatchError,
  string,
  tableToRows,
  timestamp,
  toArrowType,
  typeKey,
  type DType,
  type JsRow,
  type Relation,
  type SourceConnector,
  type SourceSession,
} from '@asof/core';
import { Table, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';

/** A table to create in a fresh source: its columns (in order), primary key and rows (timestamps as epoch µs bigints, decimals as text). */
export interface SourceTableSpec {
  readonly columns: Readonly<Record<string, DType>>;
  readonly primaryKey: readonly string[];
  readonly rows: readonly JsRow[];
}

/** A fresh source holding some tables, and what the contract does to it from outside. */
export interface SourceHarness {
  /** A new connector on the source (each call: another connection to the same source). */
  connect(): SourceConnector;
  /** Another writer inserts rows (committed at once). */
  insert(table: string, rows: readonly JsRow[]): Promise<void>;
  /** Another writer deletes the rows with these primary keys. */
  remove(table: string, keys: readonly JsRow[]): Promise<void>;
  /** Drops a column (schema drift). */
  dropColumn(table: string, column: string): Promise<void>;
  /** The source's clock now (epoch µs): what its snapshot times are read from. */
  now(): Promise<bigint>;
  /** Strings an identity must never contain (passwords). */
  readonly secrets: readonly string[];
  /** Closes every connector it made and removes the source. */
  close(): Promise<void>;
}

/** Makes a {@link SourceHarness} holding `tables`. */
export type SourceHarnessFactory = (tables: Readonly<Record<string, SourceTableSpec>>) => Promise<SourceHarness>;

const US = 1_000_000n;
/** 2024-05-01T00:00:00Z in µs. */
const T0 = 1_714_521_600_000_000n;

const invoiceColumns = { invoice_id: int64(), account_id: int64(), amount: decimal(12, 2), status: string(), updated_at: timestamp() };
const invoiceRows = (n: number, from = 1): JsRow[] =>
  Array.from({ length: n }, (_, i) => ({
    invoice_id: BigInt(from + i),
    account_id: BigInt(1 + ((from + i) % 4)),
    amount: `${from + i}.${String((from + i) % 100).padStart(2, '0')}`,
    status: (from + i) % 3 === 0 ? 'paid' : 'open',
    updated_at: T0 + BigInt(from + i) * US,
  }));
const accountColumns = { account_id: int64(), name: string(), seats: int32() };
const accountRows: JsRow[] = [1, 2, 3, 4].map((i) => ({ account_id: BigInt(i), name: `acct ${i}`, seats: i * 10 }));

/** Rows as comparable plain values (timestamps as µs, decimals as text), sorted by `key`. */
function plain(batches: readonly RecordBatch[], key: string): Record<string, unknown>[] {
  if (batches.length === 0) return [];
  const rows = tableToRows(new Table(batches as RecordBatch[])).map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Instant ? v.micros : isDecimal(v) ? v.toString() : v])),
  );
  return rows.sort((a, b) => (BigInt(a[key] as bigint) < BigInt(b[key] as bigint) ? -1 : 1));
}

async function collect(batches: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

const invoices: Relation = { table: 'invoices' };
const accounts: Relation = { table: 'accounts' };

/** Registers the source connector contract for one connector. */
export function describeSourceConnector(name: string, factory: SourceHarnessFactory): void {
  describe(`source connector contract: ${name}`, () => {
    const fresh = async (n = 25) => factory({ invoices: { columns: invoiceColumns, primaryKey: ['invoice_id'], rows: invoiceRows(n) }, accounts: { columns: accountColumns, primaryKey: ['account_id'], rows: accountRows } });
    const within = async <T>(h: SourceHarness, fn: (s: SourceSession) => Promise<T>): Promise<T> => h.connect().snapshot(fn);

    it('extracts every row in batches of batchSize (an empty table: none), each column of its declared dtype, exact', async () => {
      const h = await fresh();
      try {
        const batches = await within(h, (s) => collect(s.extract(invoices, { batchSize: 10, expectedColumns: invoiceColumns })));
        expect(batches.map((b) => b.numRows)).toEqual([10, 10, 5]);
        for (const [column, dtype] of Object.entries(invoiceColumns)) expect(typeKey(batches[0]!.schema.fields.find((f) => f.name === column)!.type), column).toBe(typeKey(toArrowType(dtype)));
        expect(plain(batches, 'invoice_id')).toEqual(invoiceRows(25));
        const projected = await within(h, (s) => collect(s.extract(invoices, { columns: ['updated_at', 'invoice_id'] })));
        expect(projected[0]!.schema.fields.map((f) => f.name)).toEqual(['updated_at', 'invoice_id']);
        await h.remove('invoices', invoiceRows(25).map((r) => ({ invoice_id: r.invoice_id })));
        expect(await within(h, (s) => collect(s.extract(invoices)))).toEqual([]);
      } finally {
        await h.close();
      }
    });

    it('reads every table of one snapshot as of the instant it began: later inserts and deletes by another writer are not seen, in any table', async () => {
      const h = await fresh(6);
      try {
        const seen = await within(h, async (s) => {
          const before = plain(await collect(s.extract(invoices)), 'invoice_id');
          await h.insert('invoices', invoiceRows(2, 100));
          await h.insert('accounts', [{ account_id: 9n, name: 'late', seats: 1 }]);
          await h.remove('invoices', [{ invoice_id: 1n }]);
          return { before, accounts: plain(await collect(s.extract(accounts)), 'account_id'), after: plain(await collect(s.extract(invoices)), 'invoice_id') };
        });
        expect(seen.after).toEqual(seen.before);
        expect(seen.accounts.map((r) => r.account_id)).toEqual([1n, 2n, 3n, 4n]);
        const later = await within(h, async (s) => ({ invoices: plain(await collect(s.extract(invoices)), 'invoice_id'), accounts: plain(await collect(s.extract(accounts)), 'account_id') }));
        expect(later.invoices.map((r) => r.invoice_id)).toEqual([2n, 3n, 4n, 5n, 6n, 100n, 101n]);
        expect(later.accounts.map((r) => r.account_id)).toEqual([1n, 2n, 3n, 4n, 9n]);
      } finally {
        await h.close();
      }
    });

    it('reads the rows whose watermark lies in (since - overlap, until], ordered by it, never a NULL watermark', async () => {
      const h = await factory({
        changes: {
          columns: { id: int64(), updated_at: timestamp() },
          primaryKey: ['id'],
          rows: [
            { id: 1n, updated_at: T0 - 1n },
            { id: 2n, updated_at: T0 },
            { id: 3n, updated_at: T0 + 1n },
            { id: 5n, updated_at: T0 + 700_000n },
            { id: 4n, updated_at: T0 + 500_000n },
            { id: 6n, updated_at: null },
          ],
        },
      });
      try {
        const changed = (since: bigint, more: { until?: bigint; overlapMs?: number } = {}) =>
          within(h, async (s) => {
            const rows = tableToRowsOf(await collect(s.extractChanges({ table: 'changes' }, { watermarkColumn: 'updated_at', since, ...more, batchSize: 2 })));
            return rows.map((r) => r.id);
          });
        expect(await changed(T0)).toEqual([3n, 4n, 5n]);
        expect(await changed(T0, { until: T0 + 500_000n })).toEqual([3n, 4n]);
        expect(await changed(T0 + 1n, { overlapMs: 0.001 })).toEqual([3n, 4n, 5n]); // 1 µs of overlap re-reads the row at `since`
        expect(await changed(T0, { overlapMs: 1 })).toEqual([1n, 2n, 3n, 4n, 5n]);
        expect(await changed(T0 + 700_000n)).toEqual([]);
      } finally {
        await h.close();
      }
    });

    it('refuses schema drift before reading a row: a declared column dropped or of another dtype is a SchemaMismatchError naming it; added columns are fine', async () => {
      const h = await fresh(3);
      try {
        let rows = 0;
        const read = (expectedColumns: Readonly<Record<string, DType>>) =>
          within(h, async (s) => {
            for await (const b of s.extract(invoices, { expectedColumns })) rows += b.numRows;
          });
        await read({ invoice_id: int64(), amount: decimal(12, 2) }); // a subset: the others are columns the source has besides
        expect(rows).toBe(3);
        rows = 0;
        await expect(read({ ...invoiceColumns, amount: decimal(12, 3) })).rejects.toThrow(SchemaMismatchError);
        await expect(read({ ...invoiceColumns, account_id: int32() })).rejects.toThrow(/account_id/);
        await h.dropColumn('invoices', 'status');
        const dropped = await read(invoiceColumns).catch((e: unknown) => e);
        expect(dropped).toBeInstanceOf(SchemaMismatchError);
        expect((dropped as Error).message).toMatch(/'status'.*no longer exists/);
        await expect(within(h, (s) => collect(s.extractChanges(invoices, { watermarkColumn: 'updated_at', since: T0, expectedColumns: invoiceColumns })))).rejects.toThrow(SchemaMismatchError);
        expect(rows).toBe(0);
      } finally {
        await h.close();
      }
    });

    it('stops an extract when its signal aborts, rejecting with the reason, and the snapshot goes on serving reads', async () => {
      const h = await fresh(40);
      try {
        const outcome = await within(h, async (s) => {
          const controller = new AbortController();
          const reason = new Error('stop here');
          let got = 0;
          const error = await (async () => {
            for await (const b of s.extract(invoices, { batchSize: 5, signal: controller.signal })) {
              got += b.numRows;
              controller.abort(reason);
            }
          })().catch((e: unknown) => e);
          const after = plain(await collect(s.extract(accounts)), 'account_id').length;
          return { error, reason, got, after };
        });
        expect(outcome.error).toBe(outcome.reason);
        expect(outcome.got).toBeLessThan(40);
        expect(outcome.after).toBe(4);
      } finally {
        await h.close();
      }
    });

    it('gives one identity for the source from every connector, stamps each table named (null for one that does not exist), and holds no secret', async () => {
      const h = await fresh(1);
      try {
        const relations: Relation[] = [invoices, accounts, { table: 'nope' }];
        const a = await h.connect().identity({ relations });
        const b = await h.connect().identity({ relations });
        expect(b).toEqual(a);
        expect(a.kind).not.toBe('');
        const stamps = Object.entries(a.tables);
        expect(stamps.map(([k]) => k.split('.').at(-1)).sort()).toEqual(['accounts', 'invoices', 'nope']);
        for (const [table, stamp] of stamps) expect(stamp === null, table).toBe(table.endsWith('.nope'));
        const text = JSON.stringify(a);
        for (const secret of h.secrets) expect(text).not.toContain(secret);
      } finally {
        await h.close();
      }
    });

    it('reports a snapshot time: an instant on its clock at which the snapshot shows the source, the same for every call in it', async () => {
      const h = await fresh(3);
      try {
        await h.remove('invoices', [{ invoice_id: 2n }]);
        const before = await h.now();
        const connector = h.connect();
        const seen = await connector.snapshot(async (s) => {
          if (!s.snapshotTime) return null;
          const at = await s.snapshotTime();
          await h.insert('invoices', invoiceRows(1, 50));
          const ids = plain(await collect(s.extract(invoices)), 'invoice_id').map((r) => r.invoice_id);
          return { at, again: await s.snapshotTime(), ids };
        });
        const after = await h.now();
        expect(seen, 'the engine needs a snapshot time to infer deletes from full extracts').not.toBeNull();
        expect(seen!.at).not.toBeNull();
        expect(seen!.again).toBe(seen!.at);
        expect(before <= seen!.at! && seen!.at! <= after).toBe(true);
        // What it vouches for: at that instant row 2 was gone and row 50 not yet there.
        expect(seen!.ids).toEqual([1n, 3n]);
      } finally {
        await h.close();
      }
    });
  });
}

function tableToRowsOf(batches: readonly RecordBatch[]): JsRow[] {
  return batches.length === 0 ? [] : tableToRows(new Table(batches as RecordBatch[]));
}
