/**
 * The batch-extract capture over a connector (the in-memory source here;
 * the MySQL connector passes the same source contract): what a unit holds
 * for full and incremental reads, its positions, re-reads, and refusals.
 */
import { bool, InvalidInputError, int64, mysqlTable, rowsToTable, string, tableToRows, timestamp, TOMBSTONE_COLUMN, type CaptureUnit, type ChangeBatch, type JsRow } from '@asof/core';
import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { TableSourceConnector } from '../../adapters/memory/table-connector.js';
import { batchCapture } from './batch-capture.js';
import { readWatermark, watermarkPosition } from './batch-position.js';

const US = 1_000_000n;
const T0 = 1_714_521_600_000_000n;
const columns = { id: int64(), name: string(), updated_at: timestamp() };
const items = mysqlTable({ name: 'items', table: 'items', primaryKey: ['id'], timestampField: 'updated_at', updatedAtField: 'updated_at', columns });
const rows: JsRow[] = [1n, 2n, 3n, 4n].map((id) => ({ id, name: `n${id}`, updated_at: T0 + id * 60n * US }));
const connector = (options: { asOf?: bigint; table?: ReturnType<typeof rowsToTable> } = {}) =>
  new TableSourceConnector({ items: options.table ?? rowsToTable(rows, columns, Object.keys(columns)) }, { name: 'shop', ...(options.asOf === undefined ? {} : { asOf: options.asOf }) });

/** Runs a capture and returns, per source, what each read gave (ids and flags, markers) and the position after it. */
async function capture(c: TableSourceConnector, mode: 'full' | 'incremental', position: unknown, overlapMs?: number) {
  const units: CaptureUnit[] = [];
  const seen: { kind: string; versionsAfter: bigint | null; reads: string[][]; position: unknown }[] = [];
  await batchCapture(c, [{ source: items, mode, position: position as never }], { overlapMs, batchSize: 2 }).run(async (unit) => {
    units.push(unit);
    for (const changes of unit.sources) {
      const reads: string[][] = [];
      for (let r = 0; r < 2; r++) {
        const items: string[] = [];
        for await (const batch of changes.read()) items.push(describeBatch(batch));
        reads.push(items);
      }
      seen.push({ kind: changes.kind, versionsAfter: changes.versionsAfter, reads, position: changes.position(position as never) });
    }
  });
  expect(units).toHaveLength(1);
  return seen[0]!;
}

function describeBatch(batch: ChangeBatch): string {
  if (batch.kind === 'snapshot-end') return `end@${batch.at === null ? 'null' : (batch.at - T0) / US}`;
  // Every row version says whether it is a delete: an extract's never are.
  const flag = batch.rows.schema.fields.find((f) => f.name === TOMBSTONE_COLUMN)!;
  expect([String(flag.type), flag.nullable]).toEqual(['Bool', false]);
  return tableToRows(new Table([batch.rows]))
    .map((r) => `${r.id}${r[TOMBSTONE_COLUMN] ? '-' : '+'}`)
    .join(',');
}

describe('the batch-extract capture', () => {
  it('a full read is a snapshot: every row as a live version, in batches, then snapshot-end at the source snapshot time; its position is the greatest version time read', async () => {
    const seen = await capture(connector({ asOf: T0 + 1000n * US }), 'full', null);
    expect(seen.kind).toBe('snapshot');
    expect(seen.versionsAfter).toBeNull();
    expect(seen.reads).toEqual([
      ['1+,2+', '3+,4+', 'end@1000'],
      ['1+,2+', '3+,4+', 'end@1000'],
    ]);
    expect(seen.position).toEqual({ watermark: String(T0 + 240n * US) });
  });

  it('a source that vouches for no instant ends its snapshot with at null (no deletes can be inferred from it)', async () => {
    expect((await capture(connector(), 'full', null)).reads[0]!.at(-1)).toBe('end@null');
  });

  it('an incremental read is changes since the watermark less the overlap, with no snapshot-end; with no position yet it reads in full', async () => {
    const since = watermarkPosition(T0 + 150n * US);
    const seen = await capture(connector({ asOf: T0 + 1000n * US }), 'incremental', since, 60_000);
    expect(seen.kind).toBe('changes');
    expect(seen.versionsAfter).toBe(T0 + 90n * US);
    expect(seen.reads[0]).toEqual(['2+,3+', '4+']);
    expect(seen.position).toEqual({ watermark: String(T0 + 240n * US) });
    expect((await capture(connector(), 'incremental', null)).kind).toBe('snapshot');
  });

  it('never moves a position back: a recorded watermark past what it read stays', async () => {
    const seen = await capture(connector(), 'incremental', watermarkPosition(T0 + 10_000n * US));
    expect(seen.reads[0]).toEqual([]);
    expect(seen.position).toEqual({ watermark: String(T0 + 10_000n * US) });
  });

  it('refuses a position another kind of capture recorded, and a source column named _asof_deleted', async () => {
    expect(() => readWatermark({ binlog: 'mysql-bin.000003', pos: 4 }, 'items')).toThrow(/records the capture position \{"binlog":"mysql-bin.000003","pos":4\}, which is not a batch extract's watermark/);
    expect(readWatermark(null, 'items')).toBeNull();
    const clash = rowsToTable(rows.map((r) => ({ ...r, [TOMBSTONE_COLUMN]: false })), { ...columns, [TOMBSTONE_COLUMN]: bool() });
    const error = await capture(connector({ table: clash }), 'full', null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/source 'items' has a column named '_asof_deleted'/);
  });

  it('passes a unit the apply step rejects on as the run\'s error', async () => {
    const boom = new Error('apply failed');
    await expect(batchCapture(connector(), [{ source: items, mode: 'full', position: null }]).run(() => Promise.reject(boom))).rejects.toBe(boom);
  });
});
