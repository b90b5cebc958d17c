/**
 * Decoded changes of a source as an Arrow batch of row versions: the
 * declared columns with exact types, the version time on every row, and
 * `_asof_deleted`; truncates split a source's batches.
 */
import { describe, expect, it } from 'vitest';
import { Decimal, InvalidInputError, TOMBSTONE_COLUMN, toArrowType } from '@asof/core';
import { exactRows } from '../mysql/testing/exact-values.js';
import { createDebeziumDecoder, groupChanges, rowVersionBatch, rowVersionSchema, type DecodedChange, type RowChange } from './index.js';
import { encodeEvent, encodeKey, topicOf, type EncodeSettings } from './testing/debezium-encoder.js';
import { changeOf } from './testing/outcomes.js';
import { TRS_TABLES, WIDE_TABLE, invoices, skus, wide } from './testing/trs-tables.js';

const settings: EncodeSettings = { prefix: 'trs', schemas: true, decimals: 'base64', time: 'adaptive_time_microseconds' };
const decoder = createDebeziumDecoder({ sources: [skus, invoices, wide], topicPrefix: 'trs' });
const T0 = 1_718_000_000_000_000n;

function decodeAll(messages: { spec: typeof WIDE_TABLE; op: 'c' | 'u' | 'd' | 't'; before?: Record<string, unknown> | null; after?: Record<string, unknown> | null; tsMs?: number }[]): DecodedChange[] {
  return messages.map(({ spec, op, before = null, after = null, tsMs = 1_718_000_000_000 }) => {
    const outcome = decoder.decode({
      topic: topicOf(spec, settings),
      key: op === 't' ? null : encodeKey(spec, settings, (after ?? before)!),
      value: encodeEvent(spec, settings, op, before, after, { tsMs }),
    });
    if (!outcome.ok) throw new Error(outcome.deadLetter.message);
    return outcome.change;
  });
}

const sku = (id: bigint, price: string, at: bigint) => ({ sku_id: id, item_name: `sku ${id}`, item_description: null, category: 'data', retail_price: Decimal.parse(price), updated_at: at });

describe('rowVersionBatch', () => {
  it('declared columns with their Arrow types, then _asof_deleted', () => {
    const schema = rowVersionSchema(skus);
    expect(schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([
      ...Object.entries(skus.columns!).map(([name, dtype]) => [name, String(toArrowType(dtype)), true]),
      [TOMBSTONE_COLUMN, 'Bool', false],
    ]);
  });

  it('upserts and deletes: exact values, the version time on every row, only key and version time on deletes', () => {
    const changes = decodeAll([
      { spec: TRS_TABLES.skus, op: 'c', after: sku(1n, '12.30', T0) },
      { spec: TRS_TABLES.skus, op: 'u', before: sku(1n, '12.30', T0), after: sku(1n, '-0.05', T0 + 1n) },
      { spec: TRS_TABLES.skus, op: 'c', after: sku(9223372036854775807n, '9999999999.99', T0 + 2n) },
      { spec: TRS_TABLES.skus, op: 'd', before: sku(1n, '-0.05', T0 + 1n), tsMs: 1_718_000_005_000 },
    ]) as RowChange[];
    const batch = rowVersionBatch(skus, changes);
    expect(batch.numRows).toBe(4);
    expect(exactRows([batch])).toEqual([
      { sku_id: 1n, item_name: 'sku 1', category: 'data', retail_price: 1230n, updated_at: T0, [TOMBSTONE_COLUMN]: false },
      { sku_id: 1n, item_name: 'sku 1', category: 'data', retail_price: -5n, updated_at: T0 + 1n, [TOMBSTONE_COLUMN]: false },
      { sku_id: 9223372036854775807n, item_name: 'sku 9223372036854775807', category: 'data', retail_price: 999999999999n, updated_at: T0 + 2n, [TOMBSTONE_COLUMN]: false },
      { sku_id: 1n, item_name: null, category: null, retail_price: null, updated_at: 1_718_000_005_000_000n, [TOMBSTONE_COLUMN]: true },
    ]);
  });

  it('every dtype, nulls included, through Arrow and back exactly', () => {
    const full = {
      id: -9223372036854775808n,
      code: 'é\t"x"',
      big_amount: Decimal.parse('-9999999999999999999999999999.9999999999'),
      whole: Decimal.parse('999999999999999999'),
      fraction: Decimal.parse('0.00001'),
      flag: true,
      ratio: -1.5e-300,
      weight: Math.fround(3.14),
      birthday: -719162,
      seen_at: 1_529_501_823_123_456n,
      logged_at: -1_000n,
      payload: new Uint8Array([0, 255, 7]),
      count: -2147483648,
      updated_at: T0,
    };
    const empty = { ...Object.fromEntries(Object.keys(full).map((k) => [k, null])), id: 2n, code: '', updated_at: T0 + 5n };
    const batch = rowVersionBatch(wide, decodeAll([
      { spec: WIDE_TABLE, op: 'c', after: full },
      { spec: WIDE_TABLE, op: 'c', after: empty },
    ]) as RowChange[]);
    const [a, b] = exactRows([batch]);
    expect(a).toEqual({
      id: -9223372036854775808n,
      code: 'é\t"x"',
      big_amount: -99999999999999999999999999999999999999n,
      whole: 999999999999999999n,
      fraction: 1n,
      flag: true,
      ratio: -1.5e-300,
      weight: Math.fround(3.14),
      birthday: -719162,
      seen_at: 1_529_501_823_123_456n,
      logged_at: -1_000n,
      payload: '00ff07',
      count: -2147483648,
      updated_at: T0,
      [TOMBSTONE_COLUMN]: false,
    });
    expect(b).toEqual({ ...Object.fromEntries(Object.keys(full).map((k) => [k, null])), id: 2n, code: '', updated_at: T0 + 5n, [TOMBSTONE_COLUMN]: false });
    expect(batch.getChild('big_amount')!.nullCount).toBe(1);
  });

  it('an empty batch has the schema and no rows', () => {
    const batch = rowVersionBatch(skus, []);
    expect(batch.numRows).toBe(0);
    expect(batch.schema.fields).toHaveLength(Object.keys(skus.columns!).length + 1);
  });

  it('refuses changes of another source, and values that are not of the dtype', () => {
    const [change] = decodeAll([{ spec: TRS_TABLES.skus, op: 'c', after: sku(1n, '1.00', T0) }]) as RowChange[];
    expect(() => rowVersionBatch(invoices, [change!])).toThrow(InvalidInputError);
    const forged = { ...change!, row: { ...(change as Extract<RowChange, { kind: 'upsert' }>).row, retail_price: 12.3 } } as RowChange;
    expect(() => rowVersionBatch(skus, [forged])).toThrow(/retail_price/);
  });
});

describe('groupChanges', () => {
  it('a truncate ends its source\'s batch; other kinds add no rows but move the position', () => {
    const changes = decodeAll([
      { spec: TRS_TABLES.skus, op: 'c', after: sku(1n, '1.00', T0) },
      { spec: TRS_TABLES.invoices, op: 'c', after: { invoice_id: 5n, account_id: 1n, issued_at: T0, paid_at: null, status: 'open', updated_at: T0 } },
      { spec: TRS_TABLES.skus, op: 'c', after: sku(2n, '2.00', T0) },
      { spec: TRS_TABLES.skus, op: 't' },
      { spec: TRS_TABLES.skus, op: 'c', after: sku(3n, '3.00', T0 + 9n) },
    ]);
    const tombstone = changeOf(decoder.decode({ topic: 'trs.trs.skus', key: '{"sku_id":3}', value: null, offset: 99 }), 'tombstone');
    const { parts, position } = groupChanges([...changes, tombstone], [skus, invoices]);
    const of = (source: string) =>
      parts.filter((p) => p.source === source).map((p) => [p.kind, p.kind === 'rows' ? exactRows([p.batch]).map((r) => r.sku_id ?? r.invoice_id) : null]);
    // Sources are independent: only each one's own order is kept.
    expect(of('skus')).toEqual([
      ['rows', [1n, 2n]],
      ['truncate', null],
      ['rows', [3n]],
    ]);
    expect(of('invoices')).toEqual([['rows', [5n]]]);
    expect(parts).toHaveLength(4);
    expect(position?.offset).toBe(99);
    expect(groupChanges([], [skus]).position).toBeNull();
    expect(() => groupChanges(changes, [invoices])).toThrow(/source 'skus'/);
  });
});
