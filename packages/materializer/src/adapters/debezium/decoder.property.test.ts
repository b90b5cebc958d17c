/**
 * Property: random rows of the TRS tables (and of a table with every
 * other column type) encoded as Debezium and the JSON converter write
 * them (the test encoder, built from the documentation, independently of
 * the decoder), with and without schemas, in every decimal mode and
 * time precision mode, decode to exactly the original values; deletes get
 * the later of the source clock and the deleted version's time; the same
 * messages read from a message file decode to the same changes; and the
 * Arrow batch of the changes holds the same values.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal, TOMBSTONE_COLUMN, type Source } from '@asof/core';
import { exactRows } from '../mysql/testing/exact-values.js';
import {
  MemoryDeadLetterSink,
  createDebeziumDecoder,
  readDebeziumFile,
  rowVersionBatch,
  writeDebeziumFile,
  type DebeziumDecoderOptions,
  type DecodedChange,
  type EpochUnit,
  type RowChange,
} from './index.js';
import { encodeEvent, encodeKey, javaFloat, topicOf, type EncodeSettings, type MysqlType, type Row, type TableSpec } from './testing/debezium-encoder.js';
import { TRS_TABLES, WIDE_TABLE, accounts, invoices, lineItems, skus, wide } from './testing/trs-tables.js';

const TABLES: readonly [TableSpec, Source][] = [
  [TRS_TABLES.accounts, accounts],
  [TRS_TABLES.skus, skus],
  [TRS_TABLES.invoices, invoices],
  [TRS_TABLES.invoice_line_items, lineItems],
  [WIDE_TABLE, wide],
];
const SOURCES = TABLES.map(([, s]) => s);
const DAY_US = 86_400_000_000n;
const DATETIME_MIN = -30_610_224_000_000_000n; // 1000-01-01
const DATETIME_MAX = 253_402_300_799_999_999n; // 9999-12-31 23:59:59.999999
const TIMESTAMP_MIN = 1_000_000n; // 1970-01-01 00:00:01
const TIMESTAMP_MAX = 2_147_483_647_999_999n; // 2038-01-19 03:14:07.999999

const settingsArb: fc.Arbitrary<EncodeSettings> = fc.record({
  prefix: fc.constant('trs'),
  schemas: fc.boolean(),
  decimals: fc.constantFrom('base64' as const, 'numeric' as const, 'string' as const, 'double' as const),
  time: fc.constantFrom('adaptive_time_microseconds' as const, 'connect' as const, 'isostring' as const, 'microseconds' as const, 'nanoseconds' as const),
});

/** Whether a DATETIME column travels in milliseconds under these settings (so only ms values survive it). */
const inMillis = (type: MysqlType, s: EncodeSettings) => type.kind === 'datetime' && (s.time === 'connect' || (s.time === 'adaptive_time_microseconds' && type.fsp <= 3));

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('\t', '\n', '\r', '"', '\\', '\u0000', '\u2028', 'é', '😀', 'a', ' '), maxLength: 8 }),
);

function valueArb(type: MysqlType, s: EncodeSettings): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'bigint':
      return fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);
    case 'int':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'tinyint1':
      return fc.boolean();
    case 'varchar':
      return text;
    case 'enum':
      return fc.constantFrom(...type.allowed);
    case 'decimal': {
      const limit = 10n ** BigInt(type.precision) - 1n;
      // A double holds 15 significant digits: in the double mode, wider columns get values of at most 15 of them.
      const unscaled =
        s.decimals === 'double' && type.precision > 15
          ? fc.tuple(fc.bigInt(-(10n ** 15n - 1n), 10n ** 15n - 1n), fc.integer({ min: 0, max: type.precision - 15 })).map(([m, k]) => m * 10n ** BigInt(k))
          : fc.bigInt(-limit, limit);
      return unscaled.map((u) => new Decimal(u, type.scale));
    }
    case 'datetime':
      return fc.bigInt(DATETIME_MIN, DATETIME_MAX).map((us) => (inMillis(type, s) ? us - (((us % 1000n) + 1000n) % 1000n) : us));
    case 'timestamp':
      return fc.bigInt(TIMESTAMP_MIN, TIMESTAMP_MAX);
    case 'date':
      return fc.integer({ min: Number(DATETIME_MIN / DAY_US), max: Number(DATETIME_MAX / DAY_US) });
    case 'double':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'float':
      return fc.float({ noNaN: true, noDefaultInfinity: true });
    case 'blob':
      return fc.uint8Array({ maxLength: 12 });
  }
}

function rowArb(spec: TableSpec, s: EncodeSettings): fc.Arbitrary<Row> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const c of spec.columns) record[c.name] = c.optional ? fc.option(valueArb(c.type, s), { nil: null }) : valueArb(c.type, s);
  return fc.record(record);
}

interface Case {
  readonly spec: TableSpec;
  readonly source: Source;
  readonly op: 'c' | 'r' | 'u' | 'd';
  readonly row: Row;
  readonly tsUs: bigint;
}

function casesArb(s: EncodeSettings): fc.Arbitrary<Case[]> {
  const one = fc.integer({ min: 0, max: TABLES.length - 1 }).chain((t) => {
    const [spec, source] = TABLES[t]!;
    const versionOk = (row: Row) => (row.updated_at as bigint) >= DATETIME_MIN + 1000n; // an update needs room for an earlier before image
    return fc.record({
      spec: fc.constant(spec),
      source: fc.constant(source),
      op: fc.constantFrom('c' as const, 'r' as const, 'u' as const, 'd' as const),
      row: rowArb(spec, s).filter(versionOk),
      tsUs: fc.bigInt(0n, TIMESTAMP_MAX),
    });
  });
  return fc.array(one, { minLength: 1, maxLength: 8 });
}

/** The decoder configuration matching the connector settings. */
function decoderFor(s: EncodeSettings) {
  const units: Record<string, Record<string, EpochUnit>> = {};
  for (const [spec, source] of TABLES) {
    for (const c of spec.columns) {
      if (c.type.kind === 'datetime' && source.columns![c.name]) (units[source.name] ??= {})[c.name] = inMillis(c.type, s) ? 'ms' : 'us';
    }
  }
  const options: DebeziumDecoderOptions = {
    sources: SOURCES,
    topicPrefix: s.prefix,
    decimalHandlingMode: s.decimals === 'string' ? 'string' : s.decimals === 'double' ? 'double' : 'precise',
    decimalFormat: s.decimals === 'numeric' ? 'numeric' : 'base64',
    acceptLossyDecimals: s.decimals === 'double',
    timePrecisionMode: s.time,
    timestampUnits: s.time === 'adaptive_time_microseconds' ? { columns: units } : {},
  };
  return createDebeziumDecoder(options);
}

/** The message of a case, as a consumer receives it. */
function messageOf(c: Case, s: EncodeSettings, index: number) {
  const tsMs = Number(c.tsUs / 1000n);
  const source = { tsMs, tsUs: Number(c.tsUs), pos: 4 + index };
  // A millisecond earlier, so the before image is earlier in every time precision mode.
  const earlier = { ...c.row, updated_at: (c.row.updated_at as bigint) - 1000n, ...(c.spec === TRS_TABLES.skus ? { item_name: 'before' } : {}) };
  const value =
    c.op === 'd'
      ? encodeEvent(c.spec, s, 'd', c.row, null, source)
      : encodeEvent(c.spec, s, c.op, c.op === 'u' ? earlier : null, c.row, source);
  return { topic: topicOf(c.spec, s), key: encodeKey(c.spec, s, c.row), value, offset: index };
}

/**
 * The declared columns of a row, as the decoder gives them. A FLOAT is its
 * float32 widened when the schema says `float`; without a schema nothing
 * says so, and it is the double its text spells (see the README).
 */
function expectedRow(c: Case, s: EncodeSettings): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(c.source.columns!).map((name) => {
      const value = c.row[name] ?? null;
      const type = c.spec.columns.find((col) => col.name === name)!.type;
      return [name, type.kind === 'float' && !s.schemas && value !== null ? Number(javaFloat(value as number)) : value];
    }),
  );
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'asof-dbz-prop-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Debezium decoding (property)', () => {
  it('decodes every encoding of random TRS rows to the exact original values', async () => {
    let file = 0;
    await fc.assert(
      fc.asyncProperty(
        settingsArb.chain((s) => fc.tuple(fc.constant(s), casesArb(s), fc.boolean(), fc.constantFrom('\n' as const, '\r\n' as const))),
        async ([s, cases, keys, lineEnding]) => {
          const decoder = decoderFor(s);
          const messages = cases.map((c, i) => messageOf(c, s, i));
          const changes: DecodedChange[] = [];
          for (const [i, c] of cases.entries()) {
            const outcome = decoder.decode(messages[i]!);
            if (!outcome.ok) throw new Error(`${c.op} of ${c.spec.table} (${JSON.stringify(s)}) became a dead letter: ${outcome.deadLetter.message}`);
            const change = outcome.change;
            changes.push(change);
            const key = Object.fromEntries(c.source.primaryKey!.map((k) => [k, c.row[k]]));
            if (c.op === 'd') {
              expect(change.kind).toBe('delete');
              if (change.kind !== 'delete') return;
              const before = c.row.updated_at as bigint;
              expect(change.versionTime).toBe(c.tsUs > before ? c.tsUs : before);
              expect(change.beforeVersionTime).toBe(before);
              expect({ ...change.key }).toEqual(key);
            } else {
              expect(change.kind).toBe('upsert');
              if (change.kind !== 'upsert') return;
              expect(change.op).toBe(c.op);
              const expected = expectedRow(c, s);
              expect({ ...change.row }).toEqual(expected);
              expect({ ...change.key }).toEqual(key);
              expect(change.versionTime).toBe(c.row.updated_at);
              const decimals = Object.entries(c.source.columns!).filter(([name, dtype]) => dtype.kind === 'decimal' && expected[name] !== null).length;
              expect(change.decimalsFromDoubles).toBe(s.decimals === 'double' ? decimals : 0);
            }
          }

          // The same messages through a message file.
          const path = join(dir, `m${file++}.txt`);
          await writeDebeziumFile(path, messages, { keys, lineEnding });
          const sink = new MemoryDeadLetterSink();
          const fromFile: DecodedChange[] = [];
          // No topic: each line's is inferred from its payload (the cases mix tables).
          for await (const change of readDebeziumFile(path, { decoder, deadLetters: sink })) fromFile.push(change);
          expect(sink.letters).toEqual([]);
          const strip = (c: DecodedChange) => ({ ...c, position: { ...c.position, partition: null, offset: null, file: null, line: null, next: null } });
          expect(fromFile.map(strip)).toEqual(changes.map(strip));

          // And as Arrow row versions, per source.
          for (const source of SOURCES) {
            const mine = changes.filter((c): c is RowChange => (c.kind === 'upsert' || c.kind === 'delete') && c.source === source.name);
            if (mine.length === 0) continue;
            const rows = exactRows([rowVersionBatch(source, mine)]);
            mine.forEach((change, i) => {
              const expected = change.kind === 'upsert' ? { ...change.row } : { ...Object.fromEntries(Object.keys(source.columns!).map((n) => [n, null])), ...change.key, [versionColumn(source)]: change.versionTime };
              const arrow = Object.fromEntries(Object.entries(expected).map(([n, v]) => [n, toExact(v)]));
              expect(rows[i]).toEqual({ ...arrow, [TOMBSTONE_COLUMN]: change.kind === 'delete' });
            });
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

function versionColumn(source: Source): string {
  return (source as { updatedAtField: string }).updatedAtField;
}

/** A decoded value as `exactRows` reads it back from Arrow. */
function toExact(v: unknown): unknown {
  if (v instanceof Decimal) return v.unscaled;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return v;
}
