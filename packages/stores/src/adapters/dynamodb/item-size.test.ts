import { describe, expect, it } from 'vitest';
import { bool, decimal, float64, int64, list, string, timestamp, type OnlineView } from '@asof/core';
import { tableOf } from '../../testing/online-fixtures.js';
import { encodeRows } from '../../online/online-rows.js';
import { timelineItems } from '../../online/timeline-items.js';
import { planTimelines } from '../../online/write-plan.js';
import { checkItemSize, DYNAMODB_MAX_ITEM_BYTES, itemBytes } from './item-size.js';

const base: OnlineView = { name: 'account_invoices', keys: { account_id: int64() }, features: { n: int64(), avg: float64(), late: bool(), amount: decimal(12, 2), last_at: timestamp() }, ttlMs: 86_400_000 };

describe('checkItemSize', () => {
  it('bounds a view of fixed-size features exactly, without assumptions', () => {
    const check = checkItemSize(base);
    expect(check).toMatchObject({ view: 'account_invoices', ok: true, assumed: [], limitBytes: DYNAMODB_MAX_ITEM_BYTES });
    expect(check.maxBytes).toBeLessThan(400);
    expect(check.reason).toMatch(/within DynamoDB's 409,600$/);
  });

  it('says which features it had to assume a bound for, and uses declared bounds', () => {
    const v: OnlineView = { ...base, features: { ...base.features, note: string(), skus: list(string()) } };
    const assumed = checkItemSize(v);
    expect(assumed.ok).toBe(true);
    expect(assumed.assumed).toEqual(['note', 'skus']);
    expect(assumed.reason).toMatch(/assumes at most 1,024 bytes .* for note, skus/);
    const declared = checkItemSize(v, { bounds: { note: { maxBytes: 200 }, skus: { maxItems: 50, maxItemBytes: 20 } } });
    expect(declared.assumed).toEqual([]);
    expect(declared.maxBytes).toBeLessThan(assumed.maxBytes);
  });

  it('fails a view whose worst case is over 400 KB and names its largest features', () => {
    const v: OnlineView = { ...base, features: { ...base.features, history: list(string()) } };
    const check = checkItemSize(v, { bounds: { history: { maxItems: 10_000, maxItemBytes: 64 } } });
    expect(check.ok).toBe(false);
    expect(check.reason).toMatch(/over DynamoDB's 409,600-byte limit; largest features: history 650,0\d\d/);
  });

  it('is never below the size of a real item at the bounds', () => {
    const v: OnlineView = { name: 'v', keys: { sku: string() }, features: { note: string(), n: int64(), tags: list(string()), x: float64() }, ttlMs: 1000 };
    const bounds = { note: { maxBytes: 300 }, tags: { maxItems: 5, maxItemBytes: 10 } };
    const encoded = encodeRows(
      v,
      tableOf({
        sku: [string(), ['s'.repeat(500)]],
        event_ts: [timestamp(), [-(2n ** 62n)]],
        created_ts: [timestamp(), [-(2n ** 62n)]],
        note: [string(), ['ü'.repeat(150)]],
        n: [int64(), [-(2n ** 63n)]],
        tags: [list(string()), [Array.from({ length: 5 }, () => 'é'.repeat(5))]],
        x: [float64(), [-1.7976931348623157e308]],
      }),
    );
    const [key] = planTimelines(v.name, encoded).keys;
    const { head, parts } = timelineItems(v, key!, { maxItemBytes: DYNAMODB_MAX_ITEM_BYTES, label: 'the limit', maxParts: 1, now: 0n });
    expect(parts).toEqual([]);
    expect(itemBytes(head)).toBeLessThanOrEqual(checkItemSize(v, { bounds }).maxBytes);
  });
});
