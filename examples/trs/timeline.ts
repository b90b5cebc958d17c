/**
 * The full truth of a generated TRS history, held column-wise in typed
 * arrays (no object per row, so scale 1 with ~5M line items stays small).
 *
 * Instants are epoch microseconds (UTC) stored in `Float64Array`s: every
 * instant of the timeline is an integer below 2^53, so a double holds it
 * exactly and comparisons stay cheap. `Infinity` means "never" (an invoice
 * that is never paid, an email that never changes). Row `i` of a table has
 * id `i + 1`; ids grow with creation time (as AUTO_INCREMENT would), except
 * that a few invoices are back-dated to midnight (see `generate-invoices.ts`).
 */

/** 2023-01-01T00:00:00Z in epoch µs: the first instant of the timeline. */
export const TIMELINE_START_US = Date.UTC(2023, 0, 1) * 1000;
/** 2026-01-01T00:00:00Z in epoch µs: every event happens strictly before it (the timeline covers 2023-2025). */
export const TIMELINE_END_US = Date.UTC(2026, 0, 1) * 1000;
/** One day in µs. */
export const DAY_US = 86_400_000_000;
/** The payment term: an invoice is due this many days after it is issued. */
export const PAYMENT_TERM_DAYS = 30;

/** Values of the `skus.category` ENUM, in declaration order. */
export const SKU_CATEGORIES = ['listing', 'subscription', 'advertising', 'data', 'services', 'hardware'] as const;
/** A `skus.category` value. */
export type SkuCategory = (typeof SKU_CATEGORIES)[number];

/** Values of the `invoices.status` ENUM, in declaration order. */
export const INVOICE_STATUSES = ['open', 'paid', 'void'] as const;
/** An `invoices.status` value. */
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/**
 * How an account pays. `stops_paying` pays like `on_time` until its
 * `stopsPayingAt`, then never again; `never_pays` leaves every invoice unpaid.
 */
export const PAYMENT_PROFILES = ['on_time', 'sometimes_late', 'habitual_late', 'stops_paying', 'never_pays'] as const;
/** A payment profile. */
export type PaymentProfile = (typeof PAYMENT_PROFILES)[number];

/** Accounts, sorted by `createdAt` (so `account_id` = index + 1 grows with it). */
export interface AccountTruth {
  readonly count: number;
  readonly companyName: readonly string[];
  /** The email the account is created with. */
  readonly email: readonly string[];
  /** The email after its one change (same as `email` when it never changes). */
  readonly changedEmail: readonly string[];
  readonly createdAt: Float64Array;
  /** When the email changes; `Infinity` = never. */
  readonly emailChangedAt: Float64Array;
  /** Index into {@link PAYMENT_PROFILES}. */
  readonly profile: Uint8Array;
  /** For `stops_paying`: invoices issued at or after this are never paid; else `Infinity`. */
  readonly stopsPayingAt: Float64Array;
  /** Index into {@link SKU_CATEGORIES}: the category the account buys most. */
  readonly favouriteCategory: Uint8Array;
}

/**
 * SKUs and every version of each (a version = a price or description change
 * at an instant). Versions of SKU `j` are rows `versionStart[j]` to
 * `versionStart[j + 1] - 1`, ordered by `validFrom` (strictly increasing);
 * the first is the SKU's introduction. SKUs are sorted by introduction.
 */
export interface SkuTruth {
  readonly count: number;
  readonly itemName: readonly string[];
  /** The description at introduction; `null` = the column is NULL (then it stays NULL). */
  readonly description: readonly (string | null)[];
  /** Index into {@link SKU_CATEGORIES}. */
  readonly category: Uint8Array;
  readonly versionStart: Int32Array;
  /** Instant each version takes effect (inclusive). */
  readonly validFrom: Float64Array;
  /** Retail price of each version in cents (DECIMAL(12,2) × 100). */
  readonly priceCents: Int32Array;
  /** Description revision of each version (0 = as introduced). */
  readonly descriptionRevision: Uint16Array;
}

/** Invoices; invoice `i`'s line items are rows `lineStart[i]` to `lineStart[i + 1] - 1`. */
export interface InvoiceTruth {
  readonly count: number;
  /** Index of the account (account_id - 1). */
  readonly account: Int32Array;
  readonly issuedAt: Float64Array;
  /** When it is paid; `Infinity` = not paid by the end of the timeline. */
  readonly paidAt: Float64Array;
  /** When it is voided; `Infinity` = never. A voided invoice is never paid. */
  readonly voidedAt: Float64Array;
  readonly lineStart: Int32Array;
  /** Σ quantity × unit price at issue, in cents (exact: far below 2^53). */
  readonly amountCents: Float64Array;
}

/** Invoice line items, grouped by invoice in invoice order. */
export interface LineItemTruth {
  readonly count: number;
  /** Index of the invoice (invoice_id - 1). */
  readonly invoice: Int32Array;
  /** Index of the SKU (sku_id - 1). */
  readonly sku: Int32Array;
  readonly quantity: Int32Array;
  /** The SKU's retail price in force when the invoice was issued, in cents. */
  readonly unitPriceCents: Int32Array;
}

/** What {@link generateTrs} is asked for. */
export interface TrsOptions {
  /** Any safe integer; the same seed and scale give byte-identical data. */
  readonly seed: number;
  /** 1 = 1M invoices, ~4.8M line items, 20k accounts, 2,000 SKUs; 0.001 = 1,000 invoices, 20 accounts, 20 SKUs. */
  readonly scale: number;
}

/** The complete generated history: every row and every change, with its instant. */
export interface TrsTimeline extends TrsOptions {
  readonly startMicros: number;
  /** Exclusive end: nothing happens at or after it. */
  readonly endMicros: number;
  readonly accounts: AccountTruth;
  readonly skus: SkuTruth;
  readonly invoices: InvoiceTruth;
  readonly lineItems: LineItemTruth;
}

/** Row counts the scale factor asks for. */
export function trsCounts(scale: number): { invoices: number; accounts: number; skus: number } {
  if (!Number.isFinite(scale) || scale <= 0 || scale > 10) {
    throw new RangeError(`scale must be in (0, 10], got ${scale}`);
  }
  const invoices = Math.max(1, Math.round(1_000_000 * scale));
  return { invoices, accounts: Math.max(20, Math.round(invoices / 50)), skus: Math.max(20, Math.round(2000 * scale)) };
}
