/** getHistoricalFeatures against a brute-force oracle of DESIGN §3, on stores written through the offline store API. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FeatureStore } from './feature-store.js';
import { commitRows, oracle, payments, removeRoots, risk, tempRoot, writeRegistry, type StoredRow } from './testing/fixture.js';

const D0 = BigInt(Date.parse('2024-03-01T00:00:00Z')) * 1000n;
const HOUR = 3_600_000_000n;
const RUNS = process.env.CI ? 1000 : 200;

// The generated stores hold hand-written commits without coverage records: the coverage warnings they get are right, and beside the point here.
beforeAll(() => void vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined));

const storedRow = (features: fc.Arbitrary<Record<string, unknown>>) =>
  fc
    .record({ account_id: fc.integer({ min: 1, max: 3 }), hour: fc.integer({ min: 0, max: 96 }), late: fc.integer({ min: 0, max: 30 }), deleted: fc.integer({ min: 0, max: 9 }), features })
    .map(
      ({ account_id, hour, late, deleted, features }): StoredRow => ({
        account_id: BigInt(account_id),
        event_ts: D0 + BigInt(hour) * HOUR,
        created_ts: D0 + BigInt(hour + late) * HOUR,
        _asof_deleted: deleted === 0,
        ...features,
      }),
    );
const paymentRow = storedRow(fc.record({ amount: fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null }), status: fc.option(fc.constantFrom('open', 'paid'), { nil: null }) }));
const riskRow = storedRow(fc.record({ score: fc.option(fc.integer({ min: 0, max: 100 }).map((x) => x / 4), { nil: null }), amount: fc.constant(null) }));
/** Rows split into up to three commits. */
const commits = (row: fc.Arbitrary<StoredRow>) =>
  fc.tuple(fc.array(row, { maxLength: 25 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 25 })).map(([rows, a, b]) => {
    const [x, y] = [Math.min(a, b, rows.length), Math.min(Math.max(a, b), rows.length)];
    return [rows.slice(0, x), rows.slice(x, y), rows.slice(y)];
  });
const spineRow = fc.record({ account_id: fc.integer({ min: 1, max: 4 }), hour: fc.integer({ min: 0, max: 130 }), form: fc.constantFrom('date', 'iso', 'ms') });

afterAll(removeRoots);

describe('getHistoricalFeatures', () => {
  it('matches the brute-force oracle (TTL, tombstones, asKnownAt, write order, buckets)', async () => {
    await fc.assert(
      fc.asyncProperty(
        commits(paymentRow),
        commits(riskRow),
        fc.array(spineRow, { minLength: 1, maxLength: 12 }),
        fc.option(fc.integer({ min: 0, max: 130 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
        async (paymentCommits, riskCommits, spine, knownHour, maxRowsInMemory) => {
          const root = await tempRoot();
          await writeRegistry(root);
          await commitRows(root, payments, paymentCommits);
          await commitRows(root, risk, riskCommits);
          const store = await FeatureStore.open({ root, online: 'none' });
          const entities = spine.map(({ account_id, hour, form }) => {
            const ms = Number((D0 + BigInt(hour) * HOUR) / 1000n);
            return { account_id, event_timestamp: form === 'date' ? new Date(ms) : form === 'iso' ? new Date(ms).toISOString() : ms };
          });
          const asKnownAt = knownHour === undefined ? undefined : new Date(Number((D0 + BigInt(knownHour) * HOUR) / 1000n));
          const result = await store.getHistoricalFeatures({
            entities,
            features: [payments.ref('amount'), payments.ref('status'), risk.ref('score')],
            ...(asKnownAt ? { asKnownAt } : {}),
            ...(maxRowsInMemory ? { maxRowsInMemory } : {}),
          });
          const k = asKnownAt ? BigInt(asKnownAt.getTime()) * 1000n : null;
          const got = result.toArray();
          expect(got).toHaveLength(spine.length);
          got.forEach((row, i) => {
            const t = D0 + BigInt(spine[i]!.hour) * HOUR;
            const p = oracle(paymentCommits.flat(), ['account_id'], row, t, payments.ttlMs, k);
            const r = oracle(riskCommits.flat(), ['account_id'], row, t, risk.ttlMs, k);
            expect(row.account_id).toBe(BigInt(spine[i]!.account_id));
            expect(row.event_timestamp.getTime()).toBe(Number(t / 1000n));
            expect({ amount: row.amount, status: row.status, score: row.score }).toEqual({ amount: p?.amount ?? null, status: p?.status ?? null, score: r?.score ?? null });
          });
        },
      ),
      { numRuns: RUNS },
    );
  }, 600_000);
});
