/**
 * The TRS data generator: a deterministic, scalable history of the source
 * database from 2023-01-01 to 2025-12-31 (UTC). `generateTrs` returns the
 * full truth (every row and every change with its instant); `stateAt`
 * (state-at.ts) turns it into the tables the database would hold at any
 * instant.
 *
 * What happens in the timeline:
 * - accounts are created over time (30% in the first month), each with a
 *   payment profile (on time, sometimes late, habitually late, stops paying,
 *   never pays), a favourite SKU category and an activity level; 10% change
 *   their contact email once;
 * - SKUs are introduced (most at the start) and change price 2–6 times;
 * - invoices are issued over time with 1–10 line items at the SKU prices in
 *   force at issue; they are paid, paid late, left unpaid or voided.
 *
 * Memory: columns live in typed arrays, so scale 1 (1M invoices, ~4.8M line
 * items) holds a few hundred MB and no per-row objects.
 */
import { generateAccounts } from './generate-accounts.js';
import { generateCatalog } from './generate-catalog.js';
import { generateInvoices } from './generate-invoices.js';
import { generatePayments } from './generate-payments.js';
import { generatePriceVersions, versionAt } from './price-versions.js';
import {
  TIMELINE_END_US,
  TIMELINE_START_US,
  trsCounts,
  type InvoiceTruth,
  type LineItemTruth,
  type TrsOptions,
  type TrsTimeline,
} from './timeline.js';

/** Generates the TRS history for `seed` and `scale`; the same inputs always give the same timeline. */
export function generateTrs(options: TrsOptions): TrsTimeline {
  const { seed, scale } = options;
  const counts = trsCounts(scale);
  const accounts = generateAccounts(seed, counts.accounts);
  const catalog = generateCatalog(seed, counts.skus);
  const draft = generateInvoices(seed, counts.invoices, accounts, catalog);
  const skus = generatePriceVersions(seed, catalog, draft);
  const payments = generatePayments(seed, accounts.truth, draft.account, draft.issuedAt);

  const unitPriceCents = new Int32Array(draft.lineCount);
  const amountCents = new Float64Array(draft.count);
  for (let i = 0; i < draft.count; i++) {
    const t = draft.issuedAt[i]!;
    let amount = 0;
    for (let r = draft.lineStart[i]!; r < draft.lineStart[i + 1]!; r++) {
      const version = versionAt(skus, draft.lineSku[r]!, t);
      if (version < 0) throw new Error(`line item ${r + 1} buys SKU ${draft.lineSku[r]! + 1} before it exists`);
      unitPriceCents[r] = skus.priceCents[version]!;
      amount += draft.lineQuantity[r]! * unitPriceCents[r]!;
    }
    amountCents[i] = amount;
  }
  const invoices: InvoiceTruth = {
    count: draft.count,
    account: draft.account,
    issuedAt: draft.issuedAt,
    paidAt: payments.paidAt,
    voidedAt: payments.voidedAt,
    lineStart: draft.lineStart,
    amountCents,
  };
  const lineItems: LineItemTruth = {
    count: draft.lineCount,
    invoice: draft.lineInvoice,
    sku: draft.lineSku,
    quantity: draft.lineQuantity,
    unitPriceCents,
  };
  return {
    seed,
    scale,
    startMicros: TIMELINE_START_US,
    endMicros: TIMELINE_END_US,
    accounts: accounts.truth,
    skus,
    invoices,
    lineItems,
  };
}
