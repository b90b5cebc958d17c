import { Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { float64Col, int64Col, readRows, tsCol } from '../../../../test/helpers/window-arrow.js';
import { invoiceEvents, latePayments } from '../../../../test/helpers/trs-definitions.js';
import { collectSet, count, countDistinct, last, max, min, sum, type Aggregation } from '../definitions/aggregation.js';
import { float64, int64, string } from '../dtypes.js';
import { evaluateWindows } from './evaluate-windows.js';

const MS = 1000n;
const DAY = 86_400_000_000n; // µs
const str = (values: readonly (string | null)[]) => vectorFromArray(values, new Utf8());
const run = (events: Table, aggregations: Record<string, Aggregation>) =>
  readRows(evaluateWindows(events, { keys: ['id'], eventTime: 'ts', aggregations }));
const pick = (rows: Record<string, unknown>[], ...columns: string[]) => rows.map((r) => columns.map((c) => r[c]));

describe('evaluateWindows: lifetime windows', () => {
  it('sums +1/-1 deltas into a running count, with a row per event and none for expiries', () => {
    // Invoices opening (+1) and closing (-1) for two accounts; the sum is how many are open.
    const events = new Table({
      id: int64Col([1n, 1n, 2n, 1n, 1n, 2n, 1n]),
      ts: tsCol([1n * DAY, 2n * DAY, 2n * DAY, 5n * DAY, 40n * DAY, 90n * DAY, 400n * DAY]),
      delta: int64Col([1n, 1n, 1n, -1n, -1n, -1n, 1n]),
    });
    const out = run(events, { open: sum('delta', { window: 'lifetime', type: int64() }), seen: count({ window: 'lifetime' }) });
    expect(pick(out, 'id', 'event_ts', 'open', 'seen')).toEqual([
      [1n, 1n * DAY, 1n, 1n],
      [1n, 2n * DAY, 2n, 2n],
      [1n, 5n * DAY, 1n, 3n],
      [1n, 40n * DAY, 0n, 4n],
      [1n, 400n * DAY, 1n, 5n],
      [2n, 2n * DAY, 1n, 1n],
      [2n, 90n * DAY, 0n, 2n],
    ]);
  });

  it('keeps min, max, last and count_distinct over every event so far', () => {
    const events = new Table({
      id: int64Col([7n, 7n, 7n, 7n, 7n]),
      ts: tsCol([10n * MS, 20n * MS, 20n * MS, 30n * MS, 50n * MS]),
      v: float64Col([5, 2, 9, null, 2]),
      sku: str(['a', 'b', 'a', 'c', null]),
    });
    const out = run(events, {
      lo: min('v', { window: 'lifetime', type: float64() }),
      hi: max('v', { window: 'lifetime', type: float64() }),
      latest: last('sku', { window: 'lifetime', type: string() }),
      skus: countDistinct('sku', { window: 'lifetime' }),
      set: collectSet('sku', { window: 'lifetime', type: string() }),
    });
    expect(pick(out, 'event_ts', 'lo', 'hi', 'latest', 'skus', 'set')).toEqual([
      [10n * MS, 5, 5, 'a', 1n, ['a']],
      [20n * MS, 2, 9, 'a', 2n, ['a', 'b']], // two events at 20: the later input row is last
      [30n * MS, 2, 9, 'c', 3n, ['a', 'b', 'c']],
      [50n * MS, 2, 9, null, 3n, ['a', 'b', 'c']], // the latest event's value is null: last is null
    ]);
  });

  it('mixes with finite windows: their expiries add rows, the lifetime values carry through them', () => {
    const events = new Table({ id: int64Col([1n, 1n]), ts: tsCol([0n, 5n * MS]), v: float64Col([1, 2]) });
    const out = run(events, { total: sum('v', { window: 'lifetime' }), recent: sum('v', { window: 10 }), n: count({ window: 3 }) });
    expect(pick(out, 'event_ts', 'total', 'recent', 'n')).toEqual([
      [0n, 1, 1, 1n],
      [3n * MS, 1, 1, 0n],
      [5n * MS, 3, 3, 1n],
      [8n * MS, 3, 3, 0n],
      [10n * MS, 3, 2, 0n],
      [15n * MS, 3, null, 0n],
    ]);
  });

  it("counts an invoice's derived overdue event from 30 days after issue, for ever", () => {
    const invoices = [
      { account_id: 1n, issued_at: new Date(Date.UTC(2024, 0, 1)), paid_at: new Date(Date.UTC(2024, 0, 10)) }, // paid on time
      { account_id: 1n, issued_at: new Date(Date.UTC(2024, 1, 1)), paid_at: new Date(Date.UTC(2024, 3, 1)) }, // paid late
      { account_id: 1n, issued_at: new Date(Date.UTC(2024, 5, 1)), paid_at: null }, // never paid
    ];
    const rows = invoices.flatMap((row) => invoiceEvents(row));
    expect(rows.map((r) => r.event)).toEqual(['issued', 'paid', 'issued', 'overdue', 'paid', 'issued', 'overdue']);
    const micros = (d: unknown) => BigInt((d as Date).getTime()) * 1000n;
    const events = new Table({
      account_id: int64Col(rows.map((r) => r.account_id as bigint)),
      event_at: tsCol(rows.map((r) => micros(r.event_at))),
      event: str(rows.map((r) => r.event as string)),
    });
    const { late_lifetime, late_365d } = latePayments.features;
    const out = readRows(
      evaluateWindows(events, { keys: ['account_id'], eventTime: 'event_at', aggregations: { late_lifetime, late_365d } }),
    );
    const at = (t: bigint) => out.filter((r) => (r.event_ts as bigint) <= t).at(-1)!;
    const march2 = micros(new Date(Date.UTC(2024, 2, 2)));
    expect([at(march2 - 1n).late_lifetime, at(march2).late_lifetime]).toEqual([0n, 1n]);
    expect(at(micros(new Date(Date.UTC(2024, 6, 1)))).late_lifetime).toBe(2n);
    expect(at(micros(new Date(Date.UTC(2030, 0, 1))))).toMatchObject({ late_lifetime: 2n, late_365d: 0n });
    expect(at(micros(new Date(Date.UTC(2024, 0, 1))))).toMatchObject({ late_lifetime: 0n, late_365d: 0n });
  });
});
