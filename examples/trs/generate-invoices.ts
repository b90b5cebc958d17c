/**
 * Invoices and their line items (prices come later, once the price history
 * is final). Issue times follow the growth of the customer base: at any
 * instant the invoicing rate is the summed activity of the accounts that
 * exist by then, and each invoice goes to one of those accounts in
 * proportion to its activity.
 *
 * The times are drawn already sorted (uniform order statistics from
 * exponential spacings, mapped through the inverse of the cumulative rate),
 * so ids follow issue time without sorting a million rows. Edge cases on
 * purpose: about 1% of invoices are issued exactly at midnight (back-dated
 * to the start of their day, so their id is out of time order) and about
 * 0.2% at exactly the same microsecond as the invoice before.
 */
import type { Catalog } from './generate-catalog.js';
import { SkuPicker } from './generate-catalog.js';
import type { GeneratedAccounts } from './generate-accounts.js';
import { Prng } from './prng.js';
import { DAY_US, TIMELINE_END_US } from './timeline.js';

/** Relative frequency of 1..10 line items on an invoice (mean 4.84). */
const LINE_COUNT_WEIGHTS = [14, 13, 12, 11, 10, 9, 9, 8, 7, 7];
/** Share of line items drawn from the account's favourite category. */
const FAVOURITE_SHARE = 0.6;

/** Invoices and line items without prices or payments. */
export interface DraftInvoices {
  readonly count: number;
  readonly account: Int32Array;
  readonly issuedAt: Float64Array;
  readonly lineStart: Int32Array;
  readonly lineCount: number;
  readonly lineInvoice: Int32Array;
  readonly lineSku: Int32Array;
  readonly lineQuantity: Int32Array;
}

/** Generates `count` invoices for `accounts`, buying from `catalog`. */
export function generateInvoices(seed: number, count: number, accounts: GeneratedAccounts, catalog: Catalog): DraftInvoices {
  const { account, issuedAt } = issueTimes(seed, count, accounts);
  const lines = lineItems(seed, account, issuedAt, accounts, catalog);
  return { count, account, issuedAt, ...lines };
}

function issueTimes(seed: number, count: number, accounts: GeneratedAccounts): { account: Int32Array; issuedAt: Float64Array } {
  const random = new Prng(seed, 'invoice-times');
  const created = accounts.truth.createdAt;
  const nAccounts = accounts.truth.count;
  // Segment k runs from created[k] to created[k + 1] (or the end), with accounts 0..k active.
  const cumulativeWeight = new Float64Array(nAccounts + 1);
  for (let k = 0; k < nAccounts; k++) cumulativeWeight[k + 1] = cumulativeWeight[k]! + accounts.activity[k]!;
  const segmentStartMass = new Float64Array(nAccounts + 1);
  for (let k = 0; k < nAccounts; k++) {
    const segmentEnd = k + 1 < nAccounts ? created[k + 1]! : TIMELINE_END_US;
    segmentStartMass[k + 1] = segmentStartMass[k]! + cumulativeWeight[k + 1]! * (segmentEnd - created[k]!);
  }
  const totalMass = segmentStartMass[nAccounts]!;

  // Sorted uniforms: partial sums of n + 1 exponentials, divided by the total.
  const spacing = new Float64Array(count + 1);
  let sum = 0;
  for (let i = 0; i <= count; i++) {
    sum += random.exponential();
    spacing[i] = sum;
  }
  const account = new Int32Array(count);
  const issuedAt = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < count; i++) {
    const mass = (spacing[i]! / sum) * totalMass;
    while (k < nAccounts - 1 && segmentStartMass[k + 1]! < mass) k++;
    let t = Math.floor(created[k]! + (mass - segmentStartMass[k]!) / cumulativeWeight[k + 1]!);
    t = Math.min(Math.max(t, created[k]!), TIMELINE_END_US - 1);
    const a = drawAccount(cumulativeWeight, k + 1, random.next());
    if (random.chance(0.01)) {
      const midnight = Math.floor(t / DAY_US) * DAY_US;
      if (midnight >= created[a]!) t = midnight;
    } else if (i > 0 && random.chance(0.002) && issuedAt[i - 1]! >= created[a]!) {
      t = issuedAt[i - 1]!;
    }
    account[i] = a;
    issuedAt[i] = t;
  }
  return { account, issuedAt };
}

/** The account j in [0, active) with cumulative[j] <= u × cumulative[active] < cumulative[j + 1]. */
function drawAccount(cumulative: Float64Array, active: number, u: number): number {
  const x = u * cumulative[active]!;
  let lo = 0;
  let hi = active - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid + 1]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function lineItems(
  seed: number,
  account: Int32Array,
  issuedAt: Float64Array,
  accounts: GeneratedAccounts,
  catalog: Catalog,
): Omit<DraftInvoices, 'count' | 'account' | 'issuedAt'> {
  const random = new Prng(seed, 'line-items');
  const count = account.length;
  const cumulativeLines = LINE_COUNT_WEIGHTS.reduce<number[]>((acc, w) => [...acc, (acc.at(-1) ?? 0) + w], []);
  const totalLines = cumulativeLines.at(-1)!;
  const lineStart = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) {
    const x = random.below(totalLines);
    let n = 0;
    while (cumulativeLines[n]! <= x) n++;
    lineStart[i + 1] = lineStart[i]! + n + 1;
  }
  const lineCount = lineStart[count]!;
  const lineInvoice = new Int32Array(lineCount);
  const lineSku = new Int32Array(lineCount);
  const lineQuantity = new Int32Array(lineCount);
  const picker = new SkuPicker(catalog);
  const favourite = accounts.truth.favouriteCategory;
  for (let i = 0; i < count; i++) {
    const t = issuedAt[i]!;
    const start = lineStart[i]!;
    const end = lineStart[i + 1]!;
    for (let r = start; r < end; r++) {
      lineInvoice[r] = i;
      // A few tries at a SKU not yet on this invoice; a repeat stays possible (and is realistic).
      let sku = -1;
      for (let attempt = 0; attempt < 6; attempt++) {
        const category = random.chance(FAVOURITE_SHARE) ? favourite[account[i]!]! : -1;
        sku = picker.pick(random, t, category);
        if (!repeats(lineSku, start, r, sku)) break;
      }
      if (sku < 0) throw new Error(`no SKU exists at ${new Date(t / 1000).toISOString()}`);
      lineSku[r] = sku;
      // Mostly 1–5 units, a long tail up to 99.
      lineQuantity[r] = Math.min(99, 1 + Math.floor(random.exponential() * (random.chance(0.05) ? 15 : 2)));
    }
  }
  return { lineStart, lineCount, lineInvoice, lineSku, lineQuantity };
}

/** Whether `sku` is among `skus[from..to)`. */
function repeats(skus: Int32Array, from: number, to: number, sku: number): boolean {
  for (let q = from; q < to; q++) if (skus[q] === sku) return true;
  return false;
}
