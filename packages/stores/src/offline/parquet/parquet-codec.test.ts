import {
  Bool,
  Decimal,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  makeData,
  makeVector,
  RecordBatch,
  Table,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decimal, Decimal as DecimalValue, microsVector, rowsToTable, tableToRows, TIMESTAMP_US_UTC } from '@asof/core';
import { decodeParquet, encodeParquet, parquetLayout } from './parquet-codec.js';

async function roundTrip(columns: Record<string, Vector>, rowGroupRows?: number): Promise<{ table: Table; batches: RecordBatch[] }> {
  const input = new Table(columns);
  const bytes = encodeParquet(input.schema, input.batches, { rowGroupRows });
  const batches: RecordBatch[] = [];
  for await (const b of decodeParquet(bytes)) batches.push(b);
  return { table: new Table(batches), batches };
}

function values(v: Vector | null): unknown[] {
  return Array.from({ length: v!.length }, (_, i) => {
    const x = v!.get(i) as unknown;
    return x !== null && typeof x === 'object' && Symbol.iterator in (x as object) ? [...(x as Iterable<unknown>)] : x;
  });
}

describe('Parquet codec (parquet-wasm)', () => {
  it('round-trips Timestamp(µs, UTC) exactly, at the int64 extremes and with nulls', async () => {
    const micros = BigInt64Array.from([0n, -1n, 1n, 1_700_000_000_123_457n, 9_007_199_254_740_993n, -(2n ** 62n), 2n ** 62n + 1n]);
    const valid = Uint8Array.from([1, 1, 1, 1, 1, 1, 0]);
    const { table } = await roundTrip({ t: microsVector(micros, valid) });
    const t = table.getChild('t')!;
    expect(String(t.type)).toBe(String(TIMESTAMP_US_UTC));
    const raw = t.data[0]!.values as BigInt64Array;
    expect(Array.from(raw.subarray(0, 6))).toEqual(Array.from(micros.subarray(0, 6)));
    expect(t.get(6)).toBeNull();
  });

  it('round-trips Int64 at ±2^63 with nulls', async () => {
    const data = makeData({ type: new Int64(), length: 4, data: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 0n, 5n]), nullBitmap: Uint8Array.from([0b0111]), nullCount: 1 });
    const { table } = await roundTrip({ i: makeVector(data) });
    expect(values(table.getChild('i'))).toEqual([-(2n ** 63n), 2n ** 63n - 1n, 0n, null]);
  });

  it('round-trips Utf8 (empty, non-ASCII, null)', async () => {
    const { table } = await roundTrip({ s: vectorFromArray(['a', '', 'é€😀', null], new Utf8()) });
    expect(values(table.getChild('s'))).toEqual(['a', '', 'é€😀', null]);
  });

  it('round-trips Dictionary<Int32, Utf8>, also across batches with different dictionaries', async () => {
    const type = () => new Dictionary(new Utf8(), new Int32());
    const b1 = new Table({ d: vectorFromArray(['x', 'y', null], type()) }).batches[0]!;
    const b2 = new Table({ d: vectorFromArray(['z', 'x'], type()) }).batches[0]!;
    const schema = b1.schema;
    const b2c = new RecordBatch(schema, makeData({ type: b1.data.type, length: 2, nullCount: 0, children: [b2.data.children[0]!.clone(schema.fields[0]!.type)] }));
    const bytes = encodeParquet(schema, [b1, b2c]);
    const out: RecordBatch[] = [];
    for await (const b of decodeParquet(bytes)) out.push(b);
    const d = new Table(out).getChild('d')!;
    expect(String(d.type)).toContain('Dictionary');
    expect(values(d)).toEqual(['x', 'y', null, 'z', 'x']);
  });

  it('round-trips List<Utf8> with null lists, empty lists and null elements', async () => {
    const rows = [['a', null], null, [], ['b', 'c']];
    const { table } = await roundTrip({ l: vectorFromArray(rows, new List(new Field('item', new Utf8(), true))) });
    expect(values(table.getChild('l'))).toEqual(rows);
  });

  it('round-trips Decimal128(18, 2) including negatives and null', async () => {
    // 123.45, -1 (two's complement), 2^32 + 1 units, null
    const words = new Uint32Array([12345, 0, 0, 0, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 1, 1, 0, 0, 0, 0, 0, 0]);
    const data = makeData({ type: new Decimal(2, 18, 128), length: 4, data: words, nullBitmap: Uint8Array.from([0b0111]), nullCount: 1 });
    const { table } = await roundTrip({ m: makeVector(data) });
    const m = table.getChild('m')!;
    expect(String(m.type)).toBe(String(data.type));
    expect(Array.from((m.data[0]!.values as Uint32Array).subarray(0, 12))).toEqual(Array.from(words.subarray(0, 12)));
    expect(m.get(3)).toBeNull();
  });

  it('round-trips any decimal(38, s) exactly, as the Decimals JS reads and writes (property)', async () => {
    const limit = 10n ** 38n - 1n;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 12 }), fc.array(fc.option(fc.bigInt({ min: -limit, max: limit }), { freq: 8 }), { minLength: 1, maxLength: 40 }), async (scale, units) => {
        const values = units.map((u) => (u === null ? null : new DecimalValue(u, scale)));
        const input = rowsToTable(values.map((amount) => ({ amount })), { amount: decimal(38, scale) });
        const { table } = await roundTrip({ amount: input.getChild('amount')! });
        expect(String(table.getChild('amount')!.type)).toBe(String(input.getChild('amount')!.type));
        const back = tableToRows(table).map((r) => (r.amount === null ? null : [(r.amount as DecimalValue).unscaled, (r.amount as DecimalValue).scale]));
        expect(back).toEqual(values.map((v) => (v === null ? null : [v.unscaled, scale])));
      }),
      { numRuns: 60 },
    );
  });

  it('round-trips Bool and Float64 (NaN, ±Infinity, -0) with nulls', async () => {
    const { table } = await roundTrip({
      b: vectorFromArray([true, false, null, true], new Bool()),
      f: vectorFromArray([Number.NaN, Infinity, -Infinity, null], new Float64()),
    });
    expect(values(table.getChild('b'))).toEqual([true, false, null, true]);
    const f = values(table.getChild('f'));
    expect(Number.isNaN(f[0])).toBe(true);
    expect(f.slice(1)).toEqual([Infinity, -Infinity, null]);
  });

  it('reads one row group per batch, with the rows of that group', async () => {
    const n = 10_000;
    const ids = vectorFromArray(BigInt64Array.from({ length: n }, (_, i) => BigInt(i)));
    const input = new Table({ id: ids });
    const bytes = encodeParquet(input.schema, input.batches, { rowGroupRows: 4096 });
    expect((await parquetLayout(bytes)).rowGroupRows).toEqual([4096, 4096, 1808]);
    const sizes: number[] = [];
    let next = 0n;
    for await (const b of decodeParquet(bytes, { columns: ['id'] })) {
      sizes.push(b.numRows);
      for (const v of b.getChild('id')!.data[0]!.values as BigInt64Array) expect(v).toBe(next++);
    }
    expect(sizes).toEqual([4096, 4096, 1808]);
  });

  it('projects columns, including a list column', async () => {
    const input = new Table({
      a: vectorFromArray([1, 2], new Float64()),
      l: vectorFromArray([['x'], null], new List(new Field('item', new Utf8(), true))),
      s: vectorFromArray(['p', 'q'], new Utf8()),
    });
    const bytes = encodeParquet(input.schema, input.batches);
    const out: RecordBatch[] = [];
    for await (const b of decodeParquet(bytes, { columns: ['l', 's'] })) out.push(b);
    expect(out[0]!.schema.fields.map((f) => f.name)).toEqual(['l', 's']);
    expect(values(out[0]!.getChild('l'))).toEqual([['x'], null]);
  });
});
