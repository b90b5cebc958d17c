/**
 * Accounts: when they are created, how they pay, what they like to buy and
 * whether their contact email changes.
 */
import { companyName, contactEmail } from './names.js';
import { Prng } from './prng.js';
import {
  DAY_US,
  PAYMENT_PROFILES,
  SKU_CATEGORIES,
  TIMELINE_END_US,
  TIMELINE_START_US,
  type AccountTruth,
} from './timeline.js';

/** Share of accounts per payment profile (the rest are `on_time`); each profile gets at least one account. */
const PROFILE_SHARE: Record<(typeof PAYMENT_PROFILES)[number], number> = {
  on_time: 0,
  sometimes_late: 0.22,
  habitual_late: 0.15,
  stops_paying: 0.04,
  never_pays: 0.04,
};

/** Accounts plus the activity weight the invoice generator draws accounts by. */
export interface GeneratedAccounts {
  readonly truth: AccountTruth;
  /** Relative invoicing rate of each account (log-normal). */
  readonly activity: Float64Array;
}

/** Generates `count` accounts sorted by creation time. */
export function generateAccounts(seed: number, count: number): GeneratedAccounts {
  const random = new Prng(seed, 'accounts');
  const span = TIMELINE_END_US - 60 * DAY_US - TIMELINE_START_US;
  const createdAt = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let t: number;
    if (i === 0) t = TIMELINE_START_US; // someone can be invoiced from the first instant
    else if (random.chance(0.3)) t = TIMELINE_START_US + Math.floor(random.next() * 30 * DAY_US);
    else t = TIMELINE_START_US + Math.floor(random.next() * span);
    if (random.chance(0.03)) t = Math.floor(t / DAY_US) * DAY_US; // exactly midnight
    createdAt[i] = t;
  }
  createdAt.sort();

  const profile = profileQuota(random, count);
  const stopsPayingAt = new Float64Array(count).fill(Infinity);
  const favouriteCategory = new Uint8Array(count);
  const activity = new Float64Array(count);
  const emailChangedAt = new Float64Array(count).fill(Infinity);
  const names: string[] = [];
  const emails: string[] = [];
  const changedEmails: string[] = [];
  const changes = quota(random, count, 0.1);
  for (let i = 0; i < count; i++) {
    const created = createdAt[i]!;
    if (PAYMENT_PROFILES[profile[i]!] === 'stops_paying') {
      stopsPayingAt[i] = created + Math.floor(random.between(0.2, 0.8) * (TIMELINE_END_US - created));
    }
    favouriteCategory[i] = random.below(SKU_CATEGORIES.length);
    activity[i] = Math.exp(0.8 * random.gaussian());
    if (changes[i]) emailChangedAt[i] = created + 1 + Math.floor(random.next() * (TIMELINE_END_US - created - 1));
    const name = companyName(random, i);
    names.push(name);
    emails.push(contactEmail(name, i, 0));
    changedEmails.push(changes[i] ? contactEmail(name, i, 1) : contactEmail(name, i, 0));
  }
  return {
    truth: {
      count,
      companyName: names,
      email: emails,
      changedEmail: changedEmails,
      createdAt,
      emailChangedAt,
      profile,
      stopsPayingAt,
      favouriteCategory,
    },
    activity,
  };
}

/** Profiles by quota (so every profile occurs even with 20 accounts), shuffled. */
function profileQuota(random: Prng, count: number): Uint8Array {
  const profile = new Uint8Array(count); // 0 = on_time
  let next = 0;
  PAYMENT_PROFILES.forEach((name, code) => {
    if (code === 0) return;
    const n = Math.max(1, Math.round(count * PROFILE_SHARE[name]));
    for (let k = 0; k < n && next < count; k++) profile[next++] = code;
  });
  return random.shuffle(profile);
}

/** `round(count × share)` (at least one) flags set, at random positions. */
function quota(random: Prng, count: number, share: number): Uint8Array {
  const flags = new Uint8Array(count);
  flags.fill(1, 0, Math.min(count, Math.max(1, Math.round(count * share))));
  return random.shuffle(flags);
}
