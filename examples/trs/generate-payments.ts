/**
 * When each invoice is paid or voided, from its account's payment profile.
 * Days to pay are continuous (any microsecond), with edge cases on purpose:
 * about 1% of payments land exactly on the due instant (issue + 30 days),
 * 0.5% exactly 1 µs after it, and 1% exactly at a midnight. A payment that
 * would fall after the timeline's end leaves the invoice unpaid; about 1.5%
 * of invoices are voided within 10 days of issue and never paid.
 */
import { Prng } from './prng.js';
import {
  DAY_US,
  PAYMENT_PROFILES,
  PAYMENT_TERM_DAYS,
  TIMELINE_END_US,
  type AccountTruth,
} from './timeline.js';

const DUE_US = PAYMENT_TERM_DAYS * DAY_US;
const VOID_SHARE = 0.015;

/** Payment and void instants per invoice; `Infinity` = never. */
export interface Payments {
  readonly paidAt: Float64Array;
  readonly voidedAt: Float64Array;
}

/** Draws payments for invoices issued at `issuedAt` to accounts `account`. */
export function generatePayments(seed: number, accounts: AccountTruth, account: Int32Array, issuedAt: Float64Array): Payments {
  const random = new Prng(seed, 'payments');
  const count = account.length;
  const paidAt = new Float64Array(count).fill(Infinity);
  const voidedAt = new Float64Array(count).fill(Infinity);
  for (let i = 0; i < count; i++) {
    const a = account[i]!;
    const issued = issuedAt[i]!;
    if (random.chance(VOID_SHARE)) {
      const at = issued + 1 + Math.floor(random.next() * 10 * DAY_US);
      if (at < TIMELINE_END_US) voidedAt[i] = at;
      continue;
    }
    const days = daysToPay(random, PAYMENT_PROFILES[accounts.profile[a]!]!, issued >= accounts.stopsPayingAt[a]!);
    if (days === null) continue;
    let at = issued + Math.max(1, Math.floor(days * DAY_US));
    const edge = random.next();
    if (edge < 0.01) at = issued + DUE_US;
    else if (edge < 0.015) at = issued + DUE_US + 1;
    else if (edge < 0.025) at = Math.floor(at / DAY_US) * DAY_US + DAY_US; // the next midnight
    if (at < TIMELINE_END_US) paidAt[i] = at;
  }
  return { paidAt, voidedAt };
}

/** Days from issue to payment for one invoice, or `null` when it is never paid. */
function daysToPay(random: Prng, profile: (typeof PAYMENT_PROFILES)[number], stopped: boolean): number | null {
  switch (profile) {
    case 'on_time':
      return random.chance(0.97) ? random.between(0.05, 29) : random.between(30.5, 45);
    case 'sometimes_late':
      return random.chance(0.7) ? random.between(1, 29.5) : random.between(31, 75);
    case 'habitual_late':
      return random.chance(0.85) ? random.between(31, 150) : random.between(15, 30);
    case 'stops_paying':
      return stopped ? null : random.between(0.5, 28);
    case 'never_pays':
      return null;
  }
}
