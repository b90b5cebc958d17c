import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { formatMicros } from '@asof/core';
import { DataType, type Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { TRS_TABLES } from './arrow-schema.js';
import { generateTrs } from './generator.js';
import { formatCents } from './price-history.js';
import { stateAt } from './state-at.js';
import { writeTrsFiles } from './write-files.js';

const state = stateAt(generateTrs({ seed: 2, scale: 0.001 }), '2025-06-30T00:00:00Z');
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function written(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'trs-csv-'));
  dirs.push(dir);
  await writeTrsFiles(state, dir);
  return dir;
}

/** A strict RFC 4180 reader: records of fields; `null` for an empty unquoted field. */
function parseCsv(text: string): (string | null)[][] {
  const records: (string | null)[][] = [];
  let record: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let field: string | null;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close < 0) throw new Error('unterminated quote');
        value += text.slice(i, close);
        if (text[close + 1] === '"') {
          value += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      field = value;
    } else {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '\r') end++;
      if (/["\n]/.test(text.slice(i, end))) throw new Error(`bare quote or LF at ${i}`);
      field = end === i ? null : text.slice(i, end);
      i = end;
    }
    record.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else if (i < text.length) throw new Error(`expected , or CRLF at ${i}`);
  }
  if (record.length > 0) throw new Error('last record lacks CRLF');
  return records;
}

/** The fields each row should have, formatted straight from the Arrow values. */
function expectedRecords(table: Table): (string | null)[][] {
  const columns = table.schema.fields.map((field) => {
    const vector = table.getChild(field.name)!;
    const type = vector.type as DataType;
    const raw = vector.data[0]!.values as ArrayLike<number | bigint>;
    return (i: number): string | null => {
      if (!vector.isValid(i)) return null;
      if (DataType.isTimestamp(type)) return formatMicros(raw[i] as bigint);
      if (DataType.isDecimal(type)) return formatCents(raw[4 * i]!);
      if (DataType.isUtf8(type)) return vector.get(i) as string;
      return String(raw[i]);
    };
  });
  return Array.from({ length: table.numRows }, (_, i) => columns.map((column) => column(i)));
}

describe('writeTrsFiles', () => {
  it('writes RFC 4180 files that read back to the exact rows, text with commas, quotes and line breaks included', async () => {
    const dir = await written();
    for (const name of TRS_TABLES) {
      const records = parseCsv(await readFile(join(dir, `${name}.csv`), 'utf8'));
      const table = state.tables[name];
      expect(records.length).toBe(table.numRows + 1);
      expect(records[0]).toEqual(table.schema.fields.map((f) => f.name));
      expect(records.slice(1)).toEqual(expectedRecords(table));
    }
    const skus = parseCsv(await readFile(join(dir, 'skus.csv'), 'utf8')).slice(1);
    const descriptions = state.tables.skus.getChild('item_description')!.toArray() as (string | null)[];
    expect(skus.map((r) => r[2])).toEqual([...descriptions]);
    expect(descriptions.some((d) => d?.includes('\r\n'))).toBe(true);
    expect(descriptions).toContain(null);
    const invoices = parseCsv(await readFile(join(dir, 'invoices.csv'), 'utf8')).slice(1);
    expect(invoices.some((r) => r[3] === null && r[4] === 'open')).toBe(true);
    expect(invoices.every((r) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(r[2]!))).toBe(true);
  });

  it('is read exactly by DuckDB: decimals, NULLs, microseconds and multi-line text', async () => {
    const dir = await written();
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await instance.connect();
    try {
      const read = (name: string, columns: string) =>
        `read_csv('${join(dir, `${name}.csv`)}', header = true, columns = {${columns}})`;
      const skus = read(
        'skus',
        `'sku_id': 'BIGINT', 'item_name': 'VARCHAR', 'item_description': 'VARCHAR', 'category': 'VARCHAR', 'retail_price': 'DECIMAL(12,2)', 'updated_at': 'TIMESTAMPTZ'`,
      );
      const invoices = read(
        'invoices',
        `'invoice_id': 'BIGINT', 'account_id': 'BIGINT', 'issued_at': 'TIMESTAMPTZ', 'paid_at': 'TIMESTAMPTZ', 'status': 'VARCHAR', 'updated_at': 'TIMESTAMPTZ'`,
      );
      const skuRow = (
        await conn.runAndReadAll(
          `SELECT count(*)::VARCHAR, sum(retail_price)::VARCHAR, count(item_description)::VARCHAR, max(epoch_us(updated_at))::VARCHAR,
                  string_agg(item_description, '|' ORDER BY sku_id) FROM ${skus}`,
        )
      ).getRows()[0]!;
      const prices = state.tables.skus.getChild('retail_price')!.data[0]!.values as Uint32Array;
      const cents = Array.from({ length: state.tables.skus.numRows }, (_, i) => BigInt(prices[4 * i]!)).reduce((a, b) => a + b, 0n);
      const descriptions = (state.tables.skus.getChild('item_description')!.toArray() as (string | null)[]).filter((d) => d !== null);
      const skuUpdated = state.tables.skus.getChild('updated_at')!.toArray() as BigInt64Array;
      expect(skuRow).toEqual([
        String(state.tables.skus.numRows),
        formatCents(cents),
        String(descriptions.length),
        String([...skuUpdated].reduce((a, b) => (a > b ? a : b))),
        descriptions.join('|'),
      ]);
      const invoiceRow = (
        await conn.runAndReadAll(`SELECT count(*)::VARCHAR, count(paid_at)::VARCHAR, sum(epoch_us(issued_at))::VARCHAR FROM ${invoices}`)
      ).getRows()[0]!;
      const issued = state.tables.invoices.getChild('issued_at')!.toArray() as BigInt64Array;
      expect(invoiceRow).toEqual([
        String(state.tables.invoices.numRows),
        String(state.tables.invoices.numRows - state.tables.invoices.getChild('paid_at')!.nullCount),
        String(issued.reduce((a, b) => a + b, 0n)),
      ]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
