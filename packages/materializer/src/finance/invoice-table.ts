import { AsofError, dateMicros, formatDecimal, parseDecimal, tableToRows, TOMBSTONE_COLUMN, type BeforeHistoryPolicy, type JsRow, type OfflineStore, type Source } from '@asof/core';
import { readMirror } from '../engine/mirror/mirror-read.js';

const DAY_US = 86_400_000_000n;
/** DECIMAL(14,2): the largest amount an invoice may have, in cents. */
const MAX_CENTS = 10n ** 14n - 1n;

/** The sources the invoice table is computed from (the TRS tables, as the definitions name them). */
export interface InvoiceSources {
  readonly invoices: Source;
  readonly lineItems: Source;
  readonly skus: Source;
  /** For `company_name`; without it (or without a mirrored version) the name is null. */
  readonly accounts?: Source | null;
}

/** Options of {@link computeInvoiceTables}. */
export interface InvoiceTableOptions {
  /** The instant the table describes (µs): versions seen after it are ignored, lateness is judged at it. */
  readonly asOf: bigint;
  /** Payment term: `due_at = issued_at + termDays` days (default 30). */
  readonly termDays?: number;
  /**
   * A line issued before its SKU's first known version (on a first import
   * the source shows only today's price): priced at that earliest version
   * and marked `first_known` (`'earliestKnown'`, the default), or left
   * unpriced (`'null'`). The export follows the definitions' SKU lookup.
   */
  readonly beforeHistory?: BeforeHistoryPolicy;
  readonly signal?: AbortSignal;
}

/**
 * Which SKU version priced a line: `at_issue` (the version in force at the
 * invoice's `issued_at`) or `first_known` (the line is older than every
 * known version, so the earliest one); `null` when no version of the SKU is
 * known at all (unit price and amount are null too). An invoice's basis is
 * `first_known` if any of its lines is, `null` if any line is unpriced.
 */
export type PriceBasis = 'at_issue' | 'first_known';

/** An invoice's status (docs/finance.md): `void` and `paid` come from the source; an unpaid invoice is `overdue` from its due instant on, else `open`. */
export type InvoiceStatus = 'open' | 'paid' | 'void' | 'overdue';

/** One row of the invoice table; times are epoch µs, `amount` is in cents (DECIMAL(14,2)). */
export interface InvoiceRow {
  readonly invoice_id: bigint;
  readonly account_id: bigint;
  readonly company_name: string | null;
  readonly issued_at: bigint;
  readonly due_at: bigint;
  readonly paid_at: bigint | null;
  /** Σ quantity × unit price (see `price_basis`), in cents; null when a line has no price at all. */
  readonly amount: bigint | null;
  /** How the lines were priced (see {@link PriceBasis}). */
  readonly price_basis: PriceBasis | null;
  readonly days_late: number | null;
  readonly is_late: boolean;
  readonly status: InvoiceStatus;
  readonly line_count: number;
  readonly unpriced_lines: number;
}

/** One version of an invoice row, valid in `[valid_from, valid_to)`; `valid_to` null for the current one. */
export interface InvoiceVersion extends InvoiceRow {
  readonly valid_from: bigint;
  readonly valid_to: bigint | null;
}

/** One line item of a current invoice, priced at issue. */
export interface InvoiceLineRow {
  readonly invoice_id: bigint;
  readonly line_item_id: bigint;
  readonly account_id: bigint;
  readonly issued_at: bigint;
  readonly invoice_status: InvoiceStatus;
  readonly sku_id: bigint;
  readonly item_name: string | null;
  readonly quantity: number;
  /** Cents; null when no version of the SKU is known. */
  readonly unit_price: bigint | null;
  readonly amount: bigint | null;
  readonly price_basis: PriceBasis | null;
}

/** The three tables of a finance export. */
export interface InvoiceTables {
  readonly asOf: bigint;
  readonly termDays: number;
  /** The invoices as they stand at `asOf` (each one's version with `valid_to` null). */
  readonly invoices: readonly InvoiceRow[];
  /** Every version of every invoice up to `asOf`. */
  readonly history: readonly InvoiceVersion[];
  /** The line items of the current invoices. */
  readonly lines: readonly InvoiceLineRow[];
}

/** A row version from a mirror: its values and its version time (µs); a delete says the row is gone from `at` on. */
interface Version {
  readonly at: bigint;
  readonly row: JsRow;
  readonly deleted: boolean;
}

/**
 * The finance invoice table and its history, from the source mirrors the
 * materializer keeps (every version of every row it has seen). Pricing is
 * the features' own: a line is priced at the SKU version in force at its
 * invoice's `issued_at` (the latest version with version time <= issued_at;
 * a tie goes to the later write); a line older than every known version of
 * its SKU follows `beforeHistory` (the earliest version, marked
 * `first_known`, by default). Money is exact: scaled bigints, never floats.
 *
 * An invoice's history has a change point at each version time of the
 * invoice, its line items and its account, and at its due instant (the
 * moment an unpaid invoice becomes overdue is a derived event, not a
 * clock reading); consecutive equal rows merge. Only what happened at or
 * before `asOf` counts, so the current table is the history at `asOf`.
 *
 * A deleted row is gone from its delete's version time on: a deleted
 * invoice's history ends there (and it is not in the current table), a
 * deleted line item no longer counts towards its invoice, a deleted SKU
 * prices no line issued after the delete, a deleted account names no
 * company.
 */
export async function computeInvoiceTables(store: OfflineStore, sources: InvoiceSources, options: InvoiceTableOptions): Promise<InvoiceTables> {
  const termDays = options.termDays ?? 30;
  if (!Number.isInteger(termDays) || termDays < 0) throw new AsofError('CONFIG', `the payment term must be a whole number of days >= 0, got ${termDays}`);
  const asOf = options.asOf;
  const earliest = (options.beforeHistory ?? 'earliestKnown') === 'earliestKnown';
  const read = async (source: Source) => {
    const table = await readMirror(store, source, { upTo: asOf, signal: options.signal });
    return table ? tableToRows(table) : [];
  };
  const [invoiceRows, lineRows, skuRows, accountRows] = await Promise.all([
    read(sources.invoices),
    read(sources.lineItems),
    read(sources.skus),
    sources.accounts ? read(sources.accounts) : Promise.resolve([]),
  ]);
  if (invoiceRows.length === 0) return { asOf, termDays, invoices: [], history: [], lines: [] };

  const invoices = versionsBy(invoiceRows, 'invoice_id');
  const skus = versionsBy(skuRows, 'sku_id');
  const accounts = versionsBy(accountRows, 'account_id');
  const lines = versionsBy(lineRows, 'line_item_id');
  const linesOf = new Map<string, string[]>();
  for (const [id, versions] of lines) {
    for (const invoice of new Set(versions.filter((v) => !v.deleted).map((v) => String(v.row.invoice_id)))) {
      let list = linesOf.get(invoice);
      if (!list) linesOf.set(invoice, (list = []));
      list.push(id);
    }
  }
  const priceAt = (sku: unknown, at: bigint): { version: Version; basis: PriceBasis } | null => {
    const versions = skus.get(String(sku)) ?? [];
    const version = versionAt(versions, at);
    if (version) return version.deleted ? null : { version, basis: 'at_issue' };
    const first = earliestOf(versions);
    return earliest && first ? { version: first, basis: 'first_known' } : null;
  };
  const term = BigInt(termDays) * DAY_US;

  const history: InvoiceVersion[] = [];
  const current: InvoiceRow[] = [];
  const currentLines: InvoiceLineRow[] = [];
  for (const [id, versions] of invoices) {
    options.signal?.throwIfAborted();
    const live = versions.filter((v) => !v.deleted);
    if (live.length === 0) continue; // only deletes: never seen alive
    const lineIds = linesOf.get(id) ?? [];
    const accountIds = new Set(live.map((v) => String(v.row.account_id)));
    const points = new Set<bigint>();
    const first = live[0]!.at;
    for (const v of versions) {
      if (v.at < first) continue;
      points.add(v.at);
      if (v.deleted) continue;
      const due = micros(v.row.issued_at)! + term;
      if (due > first && due <= asOf) points.add(due);
    }
    for (const line of lineIds) for (const v of lines.get(line)!) if (v.at > first) points.add(v.at);
    for (const account of accountIds) for (const v of accounts.get(account) ?? []) if (v.at > first) points.add(v.at);

    let open: { row: InvoiceRow; from: bigint } | null = null;
    const close = (to: bigint | null) => open && history.push({ ...open.row, valid_from: open.from, valid_to: to });
    for (const t of [...points].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const state = invoiceAt(t);
      if (open && state && sameRow(open.row, state.row)) continue;
      if (!open && !state) continue;
      close(t);
      open = state ? { row: state.row, from: t } : null;
    }
    close(null);
    const now = invoiceAt(asOf);
    if (now) {
      current.push(now.row);
      currentLines.push(...now.lines);
    }

    /** The invoice at `t`; `null` while it is deleted. */
    function invoiceAt(t: bigint): { row: InvoiceRow; lines: InvoiceLineRow[] } | null {
      const version = versionAt(versions, t)!;
      if (version.deleted) return null;
      const inv = version.row;
      const issued = micros(inv.issued_at)!;
      const paid = micros(inv.paid_at);
      const due = issued + term;
      const status: InvoiceStatus = inv.status === 'void' ? 'void' : paid !== null ? 'paid' : due <= t ? 'overdue' : 'open';
      const priced: InvoiceLineRow[] = [];
      let cents = 0n;
      let unpriced = 0;
      let firstKnown = 0;
      for (const lineId of lineIds) {
        const version = versionAt(lines.get(lineId)!, t);
        const line = version && !version.deleted ? version.row : null;
        if (!line || String(line.invoice_id) !== id) continue;
        const price = priceAt(line.sku_id, issued);
        const sku = price?.version.row ?? null;
        const unit = sku === null || sku.retail_price === null ? null : parseDecimal(sku.retail_price, 2, () => bad(`retail_price ${String(sku.retail_price)}`));
        const quantity = Number(line.quantity);
        const amount = unit === null ? null : unit * BigInt(quantity);
        const basis = amount === null ? null : price!.basis;
        if (amount === null) unpriced++;
        else cents += amount;
        if (basis === 'first_known') firstKnown++;
        priced.push({
          invoice_id: BigInt(id),
          line_item_id: BigInt(lineId),
          account_id: inv.account_id as bigint,
          issued_at: issued,
          invoice_status: status,
          sku_id: line.sku_id as bigint,
          item_name: (sku?.item_name as string | null | undefined) ?? null,
          quantity,
          unit_price: unit,
          amount,
          price_basis: basis,
        });
      }
      if (cents > MAX_CENTS) bad(`invoice ${id}'s amount ${formatDecimal(cents, 2)}, beyond DECIMAL(14,2)`);
      const accountVersion = versionAt(accounts.get(String(inv.account_id)) ?? [], t);
      const account = accountVersion && !accountVersion.deleted ? accountVersion.row : null;
      const late = status === 'void' ? false : paid !== null ? paid > due : due <= t;
      const row: InvoiceRow = {
        invoice_id: BigInt(id),
        account_id: inv.account_id as bigint,
        company_name: (account?.company_name as string | null | undefined) ?? null,
        issued_at: issued,
        due_at: due,
        paid_at: paid,
        amount: unpriced > 0 ? null : cents,
        price_basis: unpriced > 0 ? null : firstKnown > 0 ? 'first_known' : 'at_issue',
        days_late: status === 'paid' ? Math.max(0, Number(floorDiv(paid! - due, DAY_US))) : null,
        is_late: late,
        status,
        line_count: priced.length,
        unpriced_lines: unpriced,
      };
      return { row, lines: priced };
    }
  }
  const byId = (a: { invoice_id: bigint }, b: { invoice_id: bigint }) => (a.invoice_id < b.invoice_id ? -1 : a.invoice_id > b.invoice_id ? 1 : 0);
  current.sort(byId);
  history.sort((a, b) => byId(a, b) || (a.valid_from < b.valid_from ? -1 : 1));
  currentLines.sort((a, b) => byId(a, b) || (a.line_item_id < b.line_item_id ? -1 : 1));
  return { asOf, termDays, invoices: current, history, lines: currentLines };
}

/** Versions per primary key, ordered by version time; equal times keep mirror order (the later write wins). */
function versionsBy(rows: readonly JsRow[], key: string): Map<string, Version[]> {
  const out = new Map<string, Version[]>();
  for (const row of rows) {
    const id = String(row[key]);
    let list = out.get(id);
    if (!list) out.set(id, (list = []));
    list.push({ at: micros(row.event_ts)!, row, deleted: row[TOMBSTONE_COLUMN] === true });
  }
  for (const list of out.values()) list.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)); // stable
  return out;
}

/** The earliest version that is not a delete (the later write among equally early ones), as a lookup at that instant takes it; `null` for none. */
function earliestOf(versions: readonly Version[]): Version | null {
  const live = versions.filter((v) => !v.deleted);
  if (live.length === 0) return null;
  let k = 0;
  while (k + 1 < live.length && live[k + 1]!.at === live[0]!.at) k++;
  return live[k]!;
}

/** The version in force at `t`: the latest with version time <= `t` (the later write on a tie; a delete says the row is gone), or null. */
function versionAt(versions: readonly Version[], t: bigint): Version | null {
  let lo = 0;
  let hi = versions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (versions[mid]!.at <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : versions[lo - 1]!;
}

function sameRow(a: InvoiceRow, b: InvoiceRow): boolean {
  return (Object.keys(a) as (keyof InvoiceRow)[]).every((k) => a[k] === b[k]);
}

function micros(value: unknown): bigint | null {
  return value === null || value === undefined ? null : dateMicros(value as Date);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function bad(what: string): never {
  throw new AsofError('INVALID_INPUT', `cannot export ${what}`);
}
