import fc from 'fast-check';
import type { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { TRS_TABLES } from './arrow-schema.js';
import { generateTrs } from './generator.js';
import { skuPriceHistory } from './price-history.js';
import { stateAt, type TrsState } from './state-at.js';
import { changesBetween } from './state-changes.js';
import { trsContentHash } from './state-hash.js';
import { DAY_US, TIMELINE_END_US, TIMELINE_START_US } from './timeline.js';
import { csvLines } from './write-files.js';

const timeline = generateTrs({ seed: 11, scale: 0.001 });
const SPAN = TIMELINE_END_US - TIMELINE_START_US;

/** Instants worth probing: anywhere, exact midnights, and exact event instants (and 1 µs either side). */
const events = [...timeline.invoices.issuedAt, ...timeline.skus.validFrom, ...timeline.invoices.paidAt.filter(Number.isFinite)];
const instant = fc.oneof(
  fc.integer({ min: -DAY_US, max: SPAN + DAY_US }).map((d) => TIMELINE_START_US + d),
  fc.integer({ min: -1, max: 1096 }).map((d) => TIMELINE_START_US + d * DAY_US),
  fc.tuple(fc.constantFrom(...events), fc.integer({ min: -1, max: 1 })).map(([t, d]) => t + d),
);
const pair = fc.tuple(instant, instant).map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a]));

interface Row {
  readonly text: string;
  readonly updatedAt: bigint;
}

/** key (first column) → the row's canonical text and updated_at. */
function rowsByKey(table: Table): Map<string, Row> {
  const lines = [...csvLines(table)].slice(1);
  const updated = table.getChild('updated_at')!.toArray() as BigInt64Array;
  return new Map(lines.map((text, i) => [text.slice(0, text.indexOf(',')), { text, updatedAt: updated[i]! }]));
}

const at = (t: number): TrsState => stateAt(timeline, BigInt(t));

describe('stateAt', () => {
  it('is empty before the first instant and complete from the end on', () => {
    for (const name of TRS_TABLES) expect(at(TIMELINE_START_US - 1).tables[name].numRows).toBe(0);
    expect(trsContentHash(at(TIMELINE_END_US - 1))).toBe(trsContentHash(at(TIMELINE_END_US)));
    expect(at(TIMELINE_END_US).tables.invoice_line_items.numRows).toBe(timeline.lineItems.count);
  });

  it('accepts a Date, an ISO string with offset and epoch µs for the same instant', () => {
    const iso = stateAt(timeline, '2024-02-29T10:00:00+10:00');
    expect(trsContentHash(stateAt(timeline, new Date('2024-02-29T00:00:00Z')))).toBe(trsContentHash(iso));
    expect(trsContentHash(stateAt(timeline, BigInt(Date.UTC(2024, 1, 29)) * 1000n))).toBe(trsContentHash(iso));
  });

  it('includes an event at exactly asOf (inclusive) and not 1 µs earlier', () => {
    const i = 100;
    const issued = timeline.invoices.issuedAt[i]!;
    const has = (t: number) => rowsByKey(at(t).tables.invoices).has(String(i + 1));
    expect(has(issued)).toBe(true);
    expect(has(issued - 1)).toBe(false);
  });

  it('is monotone: rows never disappear, updated_at never goes back, an unchanged updated_at means an unchanged row', () => {
    fc.assert(
      fc.property(pair, ([t1, t2]) => {
        const s1 = at(t1);
        const s2 = at(t2);
        const bad: string[] = [];
        for (const name of TRS_TABLES) {
          const later = rowsByKey(s2.tables[name]);
          for (const [key, row] of rowsByKey(s1.tables[name])) {
            const next = later.get(key);
            const ok =
              next !== undefined &&
              next.updatedAt >= row.updatedAt &&
              (next.updatedAt !== row.updatedAt || next.text === row.text) &&
              row.updatedAt <= BigInt(t1);
            if (!ok) bad.push(`${name} ${key}: ${row.text} -> ${next?.text}`);
          }
        }
        // Payments are never undone; a voided invoice stays void.
        const invoices2 = rowsByKey(s2.tables.invoices);
        for (const [key, row] of rowsByKey(s1.tables.invoices)) {
          const [, , , paidAt, status] = row.text.split(',');
          const [, , , paidAt2, status2] = invoices2.get(key)!.text.split(',');
          if ((status === 'paid' && (status2 !== 'paid' || paidAt2 !== paidAt)) || (status === 'void' && status2 !== 'void')) {
            bad.push(`invoice ${key}: ${row.text} -> ${invoices2.get(key)!.text}`);
          }
        }
        expect(bad).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('changes since t1 are exactly the rows with updated_at in (t1, t2], and upserting them onto stateAt(t1) gives stateAt(t2)', () => {
    fc.assert(
      fc.property(pair, ([t1, t2]) => {
        const s1 = at(t1);
        const s2 = at(t2);
        const changes = changesBetween(s1, s2);
        expect(trsContentHash(stateAt(timeline, BigInt(t2), { changedAfter: BigInt(t1) }))).toBe(trsContentHash(changes));
        for (const name of TRS_TABLES) {
          const merged = rowsByKey(s1.tables[name]);
          const outside: string[] = [];
          for (const [key, row] of rowsByKey(changes.tables[name])) {
            if (!(row.updatedAt > BigInt(t1) && row.updatedAt <= BigInt(t2))) outside.push(row.text);
            merged.set(key, row);
          }
          expect(outside).toEqual([]);
          const expected = rowsByKey(s2.tables[name]);
          expect(merged.size).toBe(expected.size);
          expect([...expected].filter(([key, row]) => merged.get(key)?.text !== row.text)).toEqual([]);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('SKU price history', () => {
  const history = skuPriceHistory(timeline);
  const skuIds = history.getChild('sku_id')!.toArray() as BigInt64Array;
  const prices = decimalCents(history, 'retail_price');
  const validFrom = history.getChild('valid_from')!.toArray() as BigInt64Array;
  /** The history row in force for `skuId` at `t` (µs), by a plain scan. */
  const inForce = (skuId: bigint, t: bigint): number => {
    let best = -1;
    for (let k = 0; k < skuIds.length; k++) {
      if (skuIds[k] === skuId && validFrom[k]! <= t && (best < 0 || validFrom[k]! > validFrom[best]!)) best = k;
    }
    return best;
  };

  it('has one row per version, valid_from strictly increasing per SKU', () => {
    expect(history.numRows).toBe(timeline.skus.validFrom.length);
    for (let k = 1; k < history.numRows; k++) {
      if (skuIds[k] === skuIds[k - 1]) expect(validFrom[k]! > validFrom[k - 1]!).toBe(true);
    }
  });

  it('matches what every SKU shows at any instant: price and updated_at of the version in force', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const skus = at(t).tables.skus;
        const ids = skus.getChild('sku_id')!.toArray() as BigInt64Array;
        const shown = decimalCents(skus, 'retail_price');
        const updated = skus.getChild('updated_at')!.toArray() as BigInt64Array;
        for (let i = 0; i < ids.length; i++) {
          const k = inForce(ids[i]!, BigInt(t));
          expect(k).toBeGreaterThanOrEqual(0);
          expect(shown[i]).toBe(prices[k]);
          expect(updated[i]).toBe(validFrom[k]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('prices every line item at the version in force when its invoice was issued', () => {
    const { invoices, lineItems } = timeline;
    const amounts = new Float64Array(invoices.count);
    for (let r = 0; r < lineItems.count; r++) {
      const i = lineItems.invoice[r]!;
      const k = inForce(BigInt(lineItems.sku[r]! + 1), BigInt(invoices.issuedAt[i]!));
      expect(lineItems.unitPriceCents[r]).toBe(prices[k]);
      amounts[i] = amounts[i]! + lineItems.quantity[r]! * prices[k]!;
    }
    expect(amounts).toEqual(invoices.amountCents);
  });
});

/** A Decimal128 column of non-negative values below 2^31 as integers of its smallest unit. */
function decimalCents(table: Table, column: string): number[] {
  const data = table.getChild(column)!.data[0]!;
  const words = data.values as Uint32Array;
  return Array.from({ length: data.length }, (_, i) => {
    expect([words[4 * i + 1], words[4 * i + 2], words[4 * i + 3]]).toEqual([0, 0, 0]);
    return words[4 * i]!;
  });
}
