/**
 * Finance and BI read the offline store's Parquet with SQL engines (DESIGN
 * §1, §9): DuckDB must read our tuned files back value for value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Bool, Decimal, Dictionary, Field, Float64, Int32, Int64, List, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { decimal, Decimal as DecimalValue, microsVector, rowsToTable } from '@asof/core';
import { encodeParquet } from './parquet-codec.js';

const dir = mkdtempSync(path.join(tmpdir(), 'asof-duckdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Parquet written by asof, read by DuckDB', () => {
  it('reads every column type back exactly (timestamps to the µs, int64 extremes, decimals, lists, dictionaries, nulls)', async () => {
    const n = 3000;
    const ts = BigInt64Array.from({ length: n }, (_, i) => 1_709_251_200_000_000n + BigInt(i) * 1_234_567n + BigInt(i % 7));
    const ids = BigInt64Array.from({ length: n }, (_, i) => (i === 0 ? -(2n ** 63n) : i === 1 ? 2n ** 63n - 1n : BigInt(i * 7919)));
    const dec = new Uint32Array(n * 4);
    for (let i = 0; i < n; i++) dec[i * 4] = i * 101; // i * 1.01 at scale 2
    const table = new Table({
      id: makeVector(makeData({ type: new Int64(), length: n, data: ids, nullCount: 0 })),
      event_ts: microsVector(ts),
      amount: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 9 === 0 ? null : i / 8)), new Float64()),
      price: makeVector(makeData({ type: new Decimal(2, 18, 128), length: n, data: dec, nullCount: 0 })),
      name: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : `n${i % 50}`)), new Utf8()),
      sku: vectorFromArray(Array.from({ length: n }, (_, i) => `sku-${i % 4}`), new Dictionary(new Utf8(), new Int32())),
      tags: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : [`t${i % 3}`, i % 2 ? null : 'x'])), new List(new Field('item', new Utf8(), true))),
      paid: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 4 === 0 ? null : i % 2 === 0)), new Bool()),
    });
    const file = path.join(dir, 'all-types.parquet');
    writeFileSync(file, encodeParquet(table.schema, table.batches, { rowGroupRows: 1000 }));
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await db.connect();
    const reader = await conn.runAndReadAll(
      `SELECT id::VARCHAR AS id, epoch_us(event_ts)::VARCHAR AS us, typeof(event_ts) AS tt, amount, price::VARCHAR AS price, name, sku, tags, paid
       FROM read_parquet('${file}') ORDER BY epoch_us(event_ts)`,
    );
    const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
    expect(rows).toHaveLength(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      expect(r.us).toBe(String(ts[i]));
      expect(r.id).toBe(String(ids[i]));
      expect(r.amount).toBe(i % 9 === 0 ? null : i / 8);
      expect(r.price).toBe(((i * 101) / 100).toFixed(2));
      expect(r.name).toBe(i % 13 === 0 ? null : `n${i % 50}`);
      expect(r.sku).toBe(`sku-${i % 4}`);
      expect(r.tags).toEqual(i % 5 === 0 ? null : [`t${i % 3}`, i % 2 ? null : 'x']);
      expect(r.paid).toBe(i % 4 === 0 ? null : i % 2 === 0);
    }
    expect(rows[0]!.tt).toBe('TIMESTAMP WITH TIME ZONE');
    conn.closeSync();
  });

  it('reads decimal(38, s) sums back to the last digit, at ±(10^38 - 1) too', async () => {
    const texts = ['0.00', '-0.01', '12.30', '18565.58', '-99999999999999999999999999999999999.99', '99999999999999999999999999999999999.99', null];
    const table = rowsToTable(texts.map((t) => ({ spend: t === null ? null : DecimalValue.from(t) })), { spend: decimal(38, 2) });
    const file = path.join(dir, 'decimal-38.parquet');
    writeFileSync(file, encodeParquet(table.schema, table.batches));
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await db.connect();
    const reader = await conn.runAndReadAll(`SELECT typeof(spend) AS t, spend::VARCHAR AS v FROM read_parquet('${file}')`);
    const rows = reader.getRowObjectsJS() as { t: string; v: string | null }[];
    expect(rows.map((r) => r.v)).toEqual(texts);
    expect(rows[0]!.t).toBe('DECIMAL(38,2)');
    conn.closeSync();
  });
});
