import { describe, expect, it } from 'vitest';
import { TRS_ARROW_SCHEMAS, TRS_TABLES } from './arrow-schema.js';
import { generateTrs } from './generator.js';
import { stateAt } from './state-at.js';
import { trsContentHash } from './state-hash.js';
import {
  DAY_US,
  PAYMENT_PROFILES,
  PAYMENT_TERM_DAYS,
  TIMELINE_END_US,
  TIMELINE_START_US,
  type TrsTimeline,
} from './timeline.js';

const MID = '2024-07-01T12:00:00Z';

describe('generateTrs: determinism', () => {
  it('gives byte-identical states for the same seed and scale', () => {
    const a = generateTrs({ seed: 7, scale: 0.001 });
    const b = generateTrs({ seed: 7, scale: 0.001 });
    expect(trsContentHash(stateAt(a, BigInt(TIMELINE_END_US)))).toBe(trsContentHash(stateAt(b, BigInt(TIMELINE_END_US))));
    expect(trsContentHash(stateAt(a, MID))).toBe(trsContentHash(stateAt(b, MID)));
    expect(a.skus.validFrom).toEqual(b.skus.validFrom);
    expect(a.invoices.paidAt).toEqual(b.invoices.paidAt);
  });

  it('gives different data for a different seed', () => {
    const a = stateAt(generateTrs({ seed: 7, scale: 0.001 }), MID);
    const b = stateAt(generateTrs({ seed: 8, scale: 0.001 }), MID);
    expect(trsContentHash(a)).not.toBe(trsContentHash(b));
  });

  it('pins the content of seed 1 at scale 0.001 (a change here changes every downstream fixture)', () => {
    const state = stateAt(generateTrs({ seed: 1, scale: 0.001 }), BigInt(TIMELINE_END_US));
    expect(trsContentHash(state)).toMatchInlineSnapshot(`"dc5986d96c93239c8e70e4598822a1dc24c8eae5ad5b14cce24627b64953858b"`);
  });
});

describe.each([
  [0.001, 1000, 20, 20],
  [0.01, 10_000, 200, 20],
])('generateTrs at scale %s', (scale, invoices, accounts, skus) => {
  const timeline = generateTrs({ seed: 3, scale });

  it('has the row counts the scale asks for', () => {
    expect(timeline.invoices.count).toBe(invoices);
    expect(timeline.accounts.count).toBe(accounts);
    expect(timeline.skus.count).toBe(skus);
    expect(timeline.lineItems.count).toBeGreaterThan(invoices * 4.5);
    expect(timeline.lineItems.count).toBeLessThan(invoices * 5.2);
    const versions = timeline.skus.validFrom.length;
    expect(versions).toBeGreaterThanOrEqual(skus * 3);
    expect(versions).toBeLessThanOrEqual(skus * 7 + Math.max(4, invoices * 0.002));
  });

  it('keeps every event inside 2023-01-01 .. 2025-12-31 UTC, in causal order', () => {
    const { accounts: a, invoices: inv, skus: s, lineItems: li } = timeline;
    const bad: string[] = [];
    for (let i = 0; i < a.count; i++) {
      if (!(a.createdAt[i]! >= TIMELINE_START_US && a.emailChangedAt[i]! > a.createdAt[i]!)) bad.push(`account ${i + 1}`);
    }
    for (let i = 0; i < inv.count; i++) {
      const issued = inv.issuedAt[i]!;
      const lines = inv.lineStart[i + 1]! - inv.lineStart[i]!;
      const ok =
        issued >= a.createdAt[inv.account[i]!]! &&
        issued < TIMELINE_END_US &&
        inv.paidAt[i]! > issued &&
        inv.voidedAt[i]! > issued &&
        (inv.paidAt[i] === Infinity || inv.voidedAt[i] === Infinity) &&
        lines >= 1 &&
        lines <= 10;
      if (!ok) bad.push(`invoice ${i + 1}`);
    }
    for (let j = 0; j < s.count; j++) {
      for (let v = s.versionStart[j]! + 1; v < s.versionStart[j + 1]!; v++) {
        if (!(s.validFrom[v]! > s.validFrom[v - 1]! && s.validFrom[v]! < TIMELINE_END_US)) bad.push(`sku ${j + 1} version ${v}`);
      }
    }
    for (let r = 0; r < li.count; r++) if (!(li.quantity[r]! >= 1 && li.quantity[r]! <= 99)) bad.push(`line item ${r + 1}`);
    expect(bad).toEqual([]);
  });

  it('has every payment behaviour and the edge cases it promises', () => {
    expectEdgeCases(timeline);
  });

  it('produces tables with the exact source schema and microsecond instants', () => {
    const state = stateAt(timeline, BigInt(TIMELINE_END_US));
    for (const name of TRS_TABLES) {
      expect(state.tables[name].schema.fields.map(String)).toEqual(TRS_ARROW_SCHEMAS[name].fields.map(String));
    }
    expect(state.tables.invoices.numRows).toBe(invoices);
    expect(state.tables.invoice_line_items.numRows).toBe(timeline.lineItems.count);
    const issued = state.tables.invoices.getChild('issued_at')!.data[0]!.values as BigInt64Array;
    expect([...issued].some((us) => us % 1_000_000n !== 0n && us % 1000n !== 0n)).toBe(true);
  });
});

function expectEdgeCases(timeline: TrsTimeline): void {
  const { accounts, invoices, skus, lineItems } = timeline;
  const profiles = new Set(accounts.profile);
  expect(profiles.size).toBe(PAYMENT_PROFILES.length);
  let unpaid = 0;
  let late = 0;
  let onTime = 0;
  let voided = 0;
  let atDue = 0;
  let justAfterDue = 0;
  let midnightIssue = 0;
  let midnightPaid = 0;
  let sameInstant = 0;
  const due = PAYMENT_TERM_DAYS * DAY_US;
  for (let i = 0; i < invoices.count; i++) {
    const issued = invoices.issuedAt[i]!;
    const paid = invoices.paidAt[i]!;
    if (invoices.voidedAt[i]! < Infinity) voided++;
    else if (paid === Infinity) unpaid++;
    else if (paid - issued > due) late++;
    else onTime++;
    if (paid - issued === due) atDue++;
    if (paid - issued === due + 1) justAfterDue++;
    if (issued % DAY_US === 0) midnightIssue++;
    if (paid < Infinity && paid % DAY_US === 0) midnightPaid++;
    if (i > 0 && issued === invoices.issuedAt[i - 1]) sameInstant++;
  }
  for (const n of [unpaid, late, onTime, voided, atDue, justAfterDue, midnightIssue, midnightPaid]) expect(n).toBeGreaterThan(0);
  if (invoices.count >= 10_000) expect(sameInstant).toBeGreaterThan(0);
  expect(late / invoices.count).toBeGreaterThan(0.1);
  expect(onTime / invoices.count).toBeGreaterThan(0.5);

  // Price changes exactly at an invoice's issue instant, and 1 µs after one, for a SKU it buys.
  let changeAtIssue = 0;
  let changeJustAfterIssue = 0;
  let descriptionOnly = 0;
  for (let r = 0; r < lineItems.count; r++) {
    const t = invoices.issuedAt[lineItems.invoice[r]!]!;
    const j = lineItems.sku[r]!;
    for (let v = skus.versionStart[j]! + 1; v < skus.versionStart[j + 1]!; v++) {
      if (skus.validFrom[v] === t) changeAtIssue++;
      if (skus.validFrom[v] === t + 1) changeJustAfterIssue++;
    }
  }
  for (let v = 1; v < skus.validFrom.length; v++) {
    if (skus.priceCents[v] === skus.priceCents[v - 1] && skus.descriptionRevision[v]! > skus.descriptionRevision[v - 1]!) descriptionOnly++;
  }
  expect(changeAtIssue).toBeGreaterThan(0);
  expect(changeJustAfterIssue).toBeGreaterThan(0);
  expect(descriptionOnly).toBeGreaterThan(0);
  expect(skus.description.some((d) => d === null)).toBe(true);
  expect(skus.description.some((d) => d?.includes('\r\n'))).toBe(true);
  expect(skus.description.some((d) => d?.includes('"'))).toBe(true);
  expect(accounts.companyName.some((name) => name.includes('🚗'))).toBe(true);
  expect(accounts.emailChangedAt.some(Number.isFinite)).toBe(true);
  expect([...skus.validFrom].some((t) => t % DAY_US === 0 && t > TIMELINE_START_US)).toBe(true);
}
