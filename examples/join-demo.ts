/**
 * `pnpm demo:join`: a tour of the time engine alone: define features, compute them
 * exactly at every change point, and join them point in time onto a spine.
 * Everything runs in memory on generated data; no services needed.
 */
import {
  createRegistry,
  evaluateWindows,
  formatTable,
  microsVector,
  pointInTimeJoin,
  toEpochMicros,
} from '@asof/core';
import { Float64, Int64, makeData, makeVector, Table } from 'apache-arrow';
import { account, latePayments } from './join-demo/late-payments.js';
import { Prng } from './trs/prng.js';

const DAY_US = 86_400_000_000n;
const START = toEpochMicros('2024-01-01T00:00:00Z');

function generatePayments(accounts: number, perAccount: number): Table {
  const prng = new Prng(42, 'join-demo');
  const random = () => prng.next();
  const n = accounts * perAccount;
  const ids = new BigInt64Array(n);
  const paid = new BigInt64Array(n);
  const recorded = new BigInt64Array(n);
  const amount = new Float64Array(n);
  const late = new BigInt64Array(n);
  for (let a = 0; a < accounts; a++) {
    const habituallyLate = a % 3 === 0;
    for (let k = 0; k < perAccount; k++) {
      const i = a * perAccount + k;
      ids[i] = BigInt(a + 1);
      paid[i] = START + BigInt(Math.floor(random() * 365)) * DAY_US + BigInt(Math.floor(random() * 86_400)) * 1_000_000n;
      // Payments reach the ledger up to two days after they happen.
      recorded[i] = paid[i]! + BigInt(Math.floor(random() * 2 * 86_400)) * 1_000_000n;
      amount[i] = Math.round(random() * 500_00) / 100;
      late[i] = habituallyLate ? BigInt(Math.floor(random() * 40)) : random() < 0.1 ? BigInt(Math.floor(random() * 10)) : 0n;
    }
  }
  return new Table({
    account_id: makeVector(makeData({ type: new Int64(), length: n, data: ids })),
    paid_at: microsVector(paid),
    recorded_at: microsVector(recorded),
    amount: makeVector(makeData({ type: new Float64(), length: n, data: amount })),
    days_late: makeVector(makeData({ type: new Int64(), length: n, data: late })),
  });
}

function spine(): Table {
  const rows: [bigint, string][] = [
    [1n, '2024-03-31T00:00:00Z'],
    [1n, '2024-06-30T00:00:00Z'],
    [1n, '2024-06-30T00:00:00Z'], // duplicates are kept
    [2n, '2024-06-30T00:00:00Z'],
    [3n, '2024-12-31T23:59:59Z'],
    [99n, '2024-06-30T00:00:00Z'], // unknown account: nulls
    [4n, '2023-06-30T00:00:00Z'], // before any payment: nulls
  ];
  return new Table({
    account_id: makeVector(makeData({ type: new Int64(), length: rows.length, data: BigInt64Array.from(rows, (r) => r[0]) })),
    as_of: microsVector(BigInt64Array.from(rows, (r) => toEpochMicros(r[1]))),
  });
}

const registry = createRegistry(latePayments);
const events = generatePayments(6, 60);
const view = latePayments;
const aggregations = Object.fromEntries(view.featureNames.map((name) => [name, view.features[name]])) as Parameters<
  typeof evaluateWindows
>[1]['aggregations'];

const started = performance.now();
const rows = evaluateWindows(events, {
  keys: view.joinKeyNames,
  eventTime: view.eventTime,
  createdTime: 'recorded_at',
  aggregations,
});
const joined = pointInTimeJoin(spine(), rows, {
  keys: view.joinKeyNames,
  spineTime: 'as_of',
  eventTime: 'event_ts',
  ttl: view.ttlMs ?? undefined,
});
const knownThen = pointInTimeJoin(
  spine(),
  evaluateWindows(events, {
    keys: view.joinKeyNames,
    eventTime: view.eventTime,
    createdTime: 'recorded_at',
    asKnownAt: '2024-06-29T00:00:00Z',
    aggregations,
  }),
  { keys: view.joinKeyNames, spineTime: 'as_of', eventTime: 'event_ts', ttl: view.ttlMs ?? undefined },
);
const ms = performance.now() - started;

console.log(`asof demo: entity '${account.name}', view '${view.name}' (hash ${registry.hashOf(view).slice(0, 12)})`);
console.log(`${events.numRows} payment events → ${rows.numRows} feature rows (one per change point)\n`);
console.log('Features as of each spine row:');
console.log(formatTable(joined, { maxWidth: 26 }));
console.log('\nThe same spine, as the store knew it on 2024-06-29 (later-recorded payments not yet seen):');
console.log(formatTable(knownThen.select(['account_id', 'as_of', 'payments_90d', 'paid_90d']), { maxWidth: 26 }));
console.log(`\ncomputed in ${ms.toFixed(1)} ms`);
