import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  count,
  decimal,
  defineEntity,
  defineFeatureView,
  Decimal,
  int32,
  int64,
  mysqlTable,
  rowsToTable,
  string,
  sum,
  tableToRows,
  timestamp,
  toEpochMicros,
  where,
  type JsRow,
} from '@asof/core';
import { encodeParquet, openOfflineStore } from '@asof/stores';
import { Float64, Table, Timestamp, TimeUnit, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { materialize, readView } from '../engine/materialize.js';
import { mirrorName, readMirror } from '../engine/mirror/mirror-read.js';
import { TableSourceConnector } from '../adapters/memory/table-connector.js';
import { parseCsv } from './csv.js';
import { readSeedFile } from './read-seed-file.js';
import { SeedFileError } from './seed-file-error.js';
import { seedMirror } from './seed-mirror.js';

const us = (iso: string) => toEpochMicros(iso);
const skus = mysqlTable({
  name: 'skus',
  table: 'skus',
  primaryKey: ['sku_id'],
  timestampField: 'updated_at',
  updatedAtField: 'updated_at',
  columns: { sku_id: int64(), item_name: string(), retail_price: decimal(12, 2), updated_at: timestamp() },
});
const lines = mysqlTable({
  name: 'lines',
  table: 'lines',
  primaryKey: ['line_id'],
  timestampField: 'issued_at',
  updatedAtField: 'updated_at',
  columns: { line_id: int64(), account_id: int64(), sku_id: int64(), quantity: int32(), issued_at: timestamp(), updated_at: timestamp() },
});
const account = defineEntity({ name: 'account', joinKeys: { account_id: int64() } });
const spend = defineFeatureView({
  name: 'spend',
  entities: [account],
  source: lines,
  lookups: [{ source: skus, on: { sku_id: 'sku_id' }, at: 'issued_at', columns: { unit_price: 'retail_price' }, beforeHistory: 'earliestKnown', basisColumn: 'price_basis' }],
  features: {
    spend: sum('unit_price', { window: 'lifetime', type: decimal(38, 2) }),
    first_known: count({ window: 'lifetime', where: where('price_basis', '=', 'earliest_known') }),
  },
});

// The source shows only today's price: 12.00 since March. The real history: 10.00 from January, then 12.00.
const skuNow = (): JsRow[] => [{ sku_id: 1n, item_name: 'widget', retail_price: '12.00', updated_at: us('2024-03-01T00:00:00Z') }];
const lineRows: JsRow[] = [
  { line_id: 1n, account_id: 7n, sku_id: 1n, quantity: 2, issued_at: us('2024-02-01T00:00:00Z'), updated_at: us('2024-02-01T00:00:00Z') },
  { line_id: 2n, account_id: 7n, sku_id: 1n, quantity: 1, issued_at: us('2024-04-01T00:00:00Z'), updated_at: us('2024-04-01T00:00:00Z') },
];
const HISTORY_CSV = 'sku_id,item_name,retail_price,updated_at\r\n1,widget,10.00,2024-01-01T00:00:00Z\r\n1,widget,12.00,2024-03-01T00:00:00.000000Z\r\n';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'asof-seed-'));
  dirs.push(dir);
  return dir;
}
async function file(dir: string, name: string, content: string | Uint8Array): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, content);
  return p;
}
/** A store whose mirrors hold one full extract of today's source. */
async function extracted() {
  const dir = await tempDir();
  const store = openOfflineStore({ root: path.join(dir, 'store') });
  const connector = new TableSourceConnector({ skus: rowsToTable(skuNow(), skus.columns!), lines: rowsToTable(lineRows, lines.columns!) });
  const first = await materialize({ store, connector, views: [spend], mode: 'full' });
  return { dir, store, connector, first };
}
const mirrorVersion = async (store: ReturnType<typeof openOfflineStore>) => (await store.snapshot(mirrorName(skus))).version;
/** The feature rows of `spend` in order, money as text. */
const spendRows = async (store: ReturnType<typeof openOfflineStore>) =>
  tableToRows(await readView(store, spend))
    .filter((r) => !r._asof_deleted)
    .map((r) => [(r.event_ts as Date).toISOString(), String(r.spend), r.first_known]);

describe('parseCsv', () => {
  it('reads RFC 4180: quotes, doubled quotes, line breaks in fields, CRLF or LF, NULL vs the empty string', () => {
    const csv = parseCsv('\uFEFFa,b,c\r\n1,"x, ""y""",\n2,"",\r\n3,"two\nlines",z\n\n');
    expect(csv.header).toEqual(['a', 'b', 'c']);
    expect(csv.columns).toEqual([
      ['1', '2', '3'],
      ['x, "y"', '', 'two\nlines'],
      [null, null, 'z'],
    ]);
    expect(csv.lines).toEqual([2, 3, 4]);
  });

  it.each([
    ['a,b\n1\n', /1 fields where the header has 2/, 1, 2],
    ['a,b\n1,2\n3,"4\n', /never closed/, 2, 3],
    ['a,b\n1,x"y\n', /a quote inside an unquoted field/, 1, 2],
    ['a,b\n1,"x"y\n', /text after a closing quote/, 1, 2],
  ])('refuses %j with the row and line', (text, message, row, line) => {
    expect(() => parseCsv(text)).toThrow(message);
    try {
      parseCsv(text);
    } catch (error) {
      expect(error).toMatchObject({ row, line });
    }
  });
});

describe('readSeedFile', () => {
  it('types every declared column exactly, in declared order, from CSV and from Parquet', async () => {
    const dir = await tempDir();
    const csv = await readSeedFile(await file(dir, 'a.csv', 'updated_at,retail_price,item_name,sku_id\n2024-01-01T02:00:00+02:00,10.5,"",1\n2024-01-02T00:00:00Z,7,,2\n'), skus);
    expect(csv.schema.fields.map((f) => f.name)).toEqual(['sku_id', 'item_name', 'retail_price', 'updated_at']);
    expect(tableToRows(csv).map((r) => [r.sku_id, r.item_name, String(r.retail_price), (r.updated_at as Date).toISOString()])).toEqual([
      [1n, '', '10.50', '2024-01-01T00:00:00.000000Z'],
      [2n, null, '7.00', '2024-01-02T00:00:00.000000Z'],
    ]);
    const table = rowsToTable([{ sku_id: 1n, item_name: 'w', retail_price: Decimal.from('10.5'), updated_at: us('2024-01-01T00:00:00Z') }], skus.columns!);
    const parquet = await readSeedFile(await file(dir, 'a.parquet', encodeParquet(table.schema, table.batches)), skus);
    expect(tableToRows(parquet).map((r) => String(r.retail_price))).toEqual(['10.50']);
  });

  const header = 'sku_id,item_name,retail_price,updated_at\n';
  it.each<[string, string, RegExp, { row?: number | null; column?: string | null }]>([
    ['a missing column', 'sku_id,item_name,updated_at\n1,a,2024-01-01T00:00:00Z\n', /column 'retail_price': is missing/, { row: null, column: 'retail_price' }],
    ['an undeclared column', `${header.trim()},colour\n1,a,1.00,2024-01-01T00:00:00Z,red\n`, /column 'colour': is not a declared column of source 'skus'/, { column: 'colour' }],
    ['a column twice', 'sku_id,sku_id,item_name,retail_price,updated_at\n', /column 'sku_id': appears twice/, { column: 'sku_id' }],
    ['a decimal with more digits than its scale', `${header}1,a,1.00,2024-01-01T00:00:00Z\n2,b,1.005,2024-01-01T00:00:00Z\n`, /row 2, column 'retail_price': "1.005" is not a decimal\(12,2\): it has more than 2 digits after the point/, { row: 2, column: 'retail_price' }],
    ['a decimal beyond its precision', `${header}1,a,12345678901.00,2024-01-01T00:00:00Z\n`, /row 1, column 'retail_price': .* more than 12 digits/, { row: 1, column: 'retail_price' }],
    ['a float written for a decimal', `${header}1,a,1e-3,2024-01-01T00:00:00Z\n`, /row 1, column 'retail_price'/, { row: 1, column: 'retail_price' }],
    ['text for a decimal', `${header}1,a,ten,2024-01-01T00:00:00Z\n`, /"ten" is not a decimal\(12,2\)/, { row: 1, column: 'retail_price' }],
    ['a timestamp without an offset', `${header}1,a,1.00,2024-01-01T00:00:00\n`, /row 1, column 'updated_at': .*no UTC offset/, { row: 1, column: 'updated_at' }],
    ['a date for a timestamp', `${header}1,a,1.00,2024-01-01\n`, /a date alone has no time and no offset/, { row: 1, column: 'updated_at' }],
    ['an int64 out of range', `${header}9223372036854775808,a,1.00,2024-01-01T00:00:00Z\n`, /row 1, column 'sku_id': 9223372036854775808 is not an int64|"9223372036854775808" is not an int64/, { row: 1, column: 'sku_id' }],
    ['a fraction for an integer', `${header}1.5,a,1.00,2024-01-01T00:00:00Z\n`, /"1.5" is not an int64/, { row: 1, column: 'sku_id' }],
    ['a ragged row', `${header}1,a,1.00\n`, /row 1: 3 fields where the header has 4 \(line 2\)/, { row: 1 }],
    ['no rows', header, /holds no rows/, { row: null }],
  ])('refuses %s, naming the file, row and column', async (_, text, message, where) => {
    const dir = await tempDir();
    const p = await file(dir, 'bad.csv', text);
    const error = await readSeedFile(p, skus).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeedFileError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(`seed file ${p}`);
    expect((error as Error).message).toMatch(/nothing was written$/);
    expect(error).toMatchObject({ file: p, ...where });
  });

  it('refuses Parquet columns that are not exact: a float for a decimal, a timestamp without a time zone; and unknown formats', async () => {
    const dir = await tempDir();
    const floats = new Table({
      sku_id: rowsToTable([{ x: 1n }], { x: int64() }).getChild('x')!,
      item_name: vectorFromArray(['a']),
      retail_price: vectorFromArray([10.5], new Float64()),
      updated_at: rowsToTable([{ x: us('2024-01-01T00:00:00Z') }], { x: timestamp() }).getChild('x')!,
    });
    const p = await file(dir, 'f.parquet', encodeParquet(floats.schema, floats.batches));
    await expect(readSeedFile(p, skus)).rejects.toThrow(/column 'retail_price': is Float64 in the file but decimal\(12,2\) in the source/);
    const naive = new Table({
      sku_id: floats.getChild('sku_id')!,
      item_name: floats.getChild('item_name')!,
      retail_price: rowsToTable([{ x: '10.50' }], { x: decimal(12, 2) }).getChild('x')!,
      updated_at: vectorFromArray([new Date(0)], new Timestamp(TimeUnit.MICROSECOND)),
    });
    const q = await file(dir, 'n.parquet', encodeParquet(naive.schema, naive.batches));
    await expect(readSeedFile(q, skus)).rejects.toThrow(/column 'updated_at'.*without a time zone/);
    await expect(readSeedFile(await file(dir, 'x.json', '{}'), skus)).rejects.toThrow(/is neither \.csv nor \.parquet/);
    await expect(readSeedFile(path.join(dir, 'missing.csv'), skus)).rejects.toThrow(/cannot be read/);
    await expect(readSeedFile(await file(dir, 'junk.parquet', 'not parquet'), skus)).rejects.toThrow(/is not a readable Parquet file/);
  });
});

describe('seedMirror', () => {
  it('appends history as one commit, skips versions already mirrored, and the next run prices at issue', async () => {
    const { dir, store, connector, first } = await extracted();
    expect(first.views[0]!.lookups).toEqual([{ index: 0, source: 'skus', policy: 'earliestKnown', matched: 1, earliestKnown: 1, beforeHistory: 0, noVersion: 0 }]);
    // Before the seed: the February line is older than every known price, so it takes the earliest known one (12.00).
    expect(await spendRows(store)).toEqual([
      ['2024-02-01T00:00:00.000000Z', '12.00', 1n],
      ['2024-04-01T00:00:00.000000Z', '24.00', 1n],
    ]);
    const before = await mirrorVersion(store);
    const p = await file(dir, 'history.csv', HISTORY_CSV);
    const result = await seedMirror(store, skus, await readSeedFile(p, skus), { file: p });
    expect(result).toMatchObject({ source: 'skus', rows: 2, added: 1, alreadyMirrored: 1 });
    expect(result.commit!.version).toBe(before + 1);
    const mirrored = tableToRows((await readMirror(store, skus))!).map((r) => [String(r.retail_price), (r.updated_at as Date).toISOString(), (r.event_ts as Date).toISOString()]);
    expect(mirrored.sort()).toEqual([
      ['10.00', '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z'],
      ['12.00', '2024-03-01T00:00:00.000000Z', '2024-03-01T00:00:00.000000Z'],
    ]);
    // The source did not change and the knowledge time did not move, yet the view is recomputed from the seeded mirror.
    const next = await materialize({ store, connector, views: [spend], mode: 'incremental' });
    expect(next.sources.map((s) => s.versionsAdded)).toEqual([0, 0]);
    expect(next.views[0]).toMatchObject({ status: 'committed', lookups: [{ matched: 2, earliestKnown: 0 }] });
    // Diff-append: the recomputed values are new rows at the same change points; the latest per point wins.
    const latest = new Map((await spendRows(store)).map((r) => [r[0], r] as const));
    expect([...latest.values()]).toEqual([
      ['2024-02-01T00:00:00.000000Z', '10.00', 0n],
      ['2024-04-01T00:00:00.000000Z', '22.00', 0n],
    ]);
    // Seeding the same file again adds nothing, and a run after it changes nothing.
    expect(await seedMirror(store, skus, await readSeedFile(p, skus), { file: p })).toMatchObject({ added: 0, alreadyMirrored: 2, commit: null });
    expect((await materialize({ store, connector, views: [spend], mode: 'incremental' })).views[0]!.status).toBe('unchanged');
  });

  it.each<[string, string, RegExp, { row?: number | null; column?: string | null }]>([
    ['a version the mirror has with other values', 'sku_id,item_name,retail_price,updated_at\n1,widget,10.00,2024-01-01T00:00:00Z\n1,widget,11.00,2024-03-01T00:00:00Z\n', /row 2, column 'retail_price': the mirror already has this version of 'skus' \(sku_id 1 at 2024-03-01T00:00:00.000000Z\) with retail_price 12.00, the file says 11.00/, { row: 2, column: 'retail_price' }],
    ['a version newer than the source has shown', 'sku_id,item_name,retail_price,updated_at\n1,widget,10.00,2024-05-01T00:00:00Z\n', /row 1, column 'updated_at': 2024-05-01T00:00:00.000000Z is after the newest version asof has seen of 'skus' \(2024-03-01T00:00:00.000000Z\)/, { row: 1, column: 'updated_at' }],
    ['one version twice', 'sku_id,item_name,retail_price,updated_at\n1,widget,10.00,2024-01-01T00:00:00Z\n1,widget,10.00,2024-01-01T00:00:00Z\n', /row 2: repeats the version of row 1/, { row: 2 }],
    ['a null primary key', 'sku_id,item_name,retail_price,updated_at\n,widget,10.00,2024-01-01T00:00:00Z\n', /row 1, column 'sku_id': is empty; every version needs its primary key/, { row: 1, column: 'sku_id' }],
    ['a null version time', 'sku_id,item_name,retail_price,updated_at\n1,widget,10.00,\n', /row 1, column 'updated_at': is empty; every version needs its version time/, { row: 1, column: 'updated_at' }],
  ])('refuses %s and writes nothing', async (_, text, message, where) => {
    const { dir, store } = await extracted();
    const before = await store.snapshot(mirrorName(skus));
    const p = await file(dir, 'bad.csv', text);
    const error = await readSeedFile(p, skus).then((rows) => seedMirror(store, skus, rows, { file: p })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SeedFileError);
    expect((error as Error).message).toMatch(message);
    expect(error).toMatchObject({ file: p, ...where });
    const after = await store.snapshot(mirrorName(skus));
    expect(after.version).toBe(before.version);
    expect(after.files).toEqual(before.files);
  });

  it('seeds a mirror that has no extract yet; the first run then prices at issue', async () => {
    const dir = await tempDir();
    const store = openOfflineStore({ root: path.join(dir, 'store') });
    const p = await file(dir, 'history.csv', HISTORY_CSV);
    expect(await seedMirror(store, skus, await readSeedFile(p, skus), { file: p })).toMatchObject({ added: 2, alreadyMirrored: 0 });
    const connector = new TableSourceConnector({ skus: rowsToTable(skuNow(), skus.columns!), lines: rowsToTable(lineRows, lines.columns!) });
    const run = await materialize({ store, connector, views: [spend], mode: 'full' });
    expect(run.sources.find((s) => s.source === 'skus')!.versionsAdded).toBe(0); // today's version was seeded already
    expect(run.views[0]!.lookups[0]).toMatchObject({ matched: 2, earliestKnown: 0 });
    expect(await spendRows(store)).toEqual([
      ['2024-02-01T00:00:00.000000Z', '10.00', 0n],
      ['2024-04-01T00:00:00.000000Z', '22.00', 0n],
    ]);
  });
});
