/**
 * The source database as it stood at an instant. `stateAt(timeline, t)`
 * holds exactly the rows created at or before `t`, each showing the values
 * in force at `t` and `updated_at` = its latest change at or before `t`:
 * - accounts: created by `t`; the contact email after its change if that
 *   happened by `t`;
 * - skus: introduced by `t`, at the price (and description) of the version
 *   in force at `t`, `updated_at` = that version's `validFrom`;
 * - invoices: issued by `t`; `paid`/`paid_at` only if paid by `t`, `void`
 *   if voided by `t`, else `open` with `paid_at` NULL;
 * - invoice_line_items: of the invoices issued by `t` (`updated_at` = issue).
 *
 * So for t1 <= t2 the rows of `stateAt(t2)` with `updated_at` in (t1, t2]
 * are exactly the rows that are new or changed since `stateAt(t1)`: what an
 * incremental extract by `updated_at` must pick up.
 */
import { toEpochMicros, type TimeInput } from '@asof/core';
import type { Table } from 'apache-arrow';
import { decimalData, int32Data, int64Data, makeTable, timestampData, utf8Data } from './arrow-columns.js';
import { TRS_ARROW_SCHEMAS, type TrsTableName } from './arrow-schema.js';
import { describeRevision } from './names.js';
import { versionAt } from './price-versions.js';
import { INVOICE_STATUSES, SKU_CATEGORIES, type TrsTimeline } from './timeline.js';

/** The four source tables at one instant, as Arrow tables with the exact source types. */
export interface TrsState {
  /** The instant, epoch µs (UTC). */
  readonly asOfMicros: bigint;
  readonly tables: Readonly<Record<TrsTableName, Table>>;
}

/** Options of {@link stateAt}. */
export interface StateAtOptions {
  /** Keep only rows with `updated_at` after this instant (exclusive): the changes since then. */
  readonly changedAfter?: TimeInput;
}

/**
 * The source tables at `asOf` (a `Date`, an ISO string with offset, epoch
 * ms as a number or epoch µs as a bigint). See the module comment.
 */
export function stateAt(timeline: TrsTimeline, asOf: TimeInput, options: StateAtOptions = {}): TrsState {
  const asOfMicros = toEpochMicros(asOf);
  const t = Number(asOfMicros);
  const after = options.changedAfter === undefined ? -Infinity : Number(toEpochMicros(options.changedAfter));
  return {
    asOfMicros,
    tables: {
      accounts: accountsAt(timeline, t, after),
      skus: skusAt(timeline, t, after),
      invoices: invoicesAt(timeline, t, after),
      invoice_line_items: lineItemsAt(timeline, t, after),
    },
  };
}

function accountsAt({ accounts }: TrsTimeline, t: number, after: number): Table {
  const rows: number[] = [];
  const updated: number[] = [];
  for (let a = 0; a < accounts.count && accounts.createdAt[a]! <= t; a++) {
    const changed = accounts.emailChangedAt[a]!;
    const u = changed <= t ? changed : accounts.createdAt[a]!;
    if (u > after) {
      rows.push(a);
      updated.push(u);
    }
  }
  const changedBy = (a: number) => accounts.emailChangedAt[a]! <= t;
  return makeTable(TRS_ARROW_SCHEMAS.accounts, [
    int64Data(Float64Array.from(rows, (a) => a + 1)),
    utf8Data(rows.length, (k) => accounts.companyName[rows[k]!]!),
    utf8Data(rows.length, (k) => (changedBy(rows[k]!) ? accounts.changedEmail : accounts.email)[rows[k]!]!),
    timestampData(Float64Array.from(rows, (a) => accounts.createdAt[a]!)),
    timestampData(Float64Array.from(updated)),
  ]);
}

function skusAt({ skus }: TrsTimeline, t: number, after: number): Table {
  const rows: number[] = [];
  const versions: number[] = [];
  for (let j = 0; j < skus.count; j++) {
    const v = versionAt(skus, j, t);
    if (v >= 0 && skus.validFrom[v]! > after) {
      rows.push(j);
      versions.push(v);
    }
  }
  return makeTable(TRS_ARROW_SCHEMAS.skus, [
    int64Data(Float64Array.from(rows, (j) => j + 1)),
    utf8Data(rows.length, (k) => skus.itemName[rows[k]!]!),
    utf8Data(rows.length, (k) => describeRevision(skus.description[rows[k]!]!, skus.descriptionRevision[versions[k]!]!)),
    utf8Data(rows.length, (k) => SKU_CATEGORIES[skus.category[rows[k]!]!]!),
    decimalData(Int32Array.from(versions, (v) => skus.priceCents[v]!), 12, 2),
    timestampData(Float64Array.from(versions, (v) => skus.validFrom[v]!)),
  ]);
}

const OPEN = INVOICE_STATUSES.indexOf('open');
const PAID = INVOICE_STATUSES.indexOf('paid');
const VOID = INVOICE_STATUSES.indexOf('void');

function invoicesAt({ invoices }: TrsTimeline, t: number, after: number): Table {
  const n = invoices.count;
  const pick = new Int32Array(n);
  const status = new Uint8Array(n);
  const updated = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const issued = invoices.issuedAt[i]!;
    if (issued > t) continue;
    let s = OPEN;
    let u = issued;
    if (invoices.voidedAt[i]! <= t) [s, u] = [VOID, invoices.voidedAt[i]!];
    else if (invoices.paidAt[i]! <= t) [s, u] = [PAID, invoices.paidAt[i]!];
    if (u <= after) continue;
    pick[m] = i;
    status[m] = s;
    updated[m] = u;
    m++;
  }
  const rows = pick.subarray(0, m);
  const paidValid = new Uint8Array(m);
  const paidAt = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    if (status[k] === PAID) {
      paidValid[k] = 1;
      paidAt[k] = invoices.paidAt[rows[k]!]!;
    }
  }
  return makeTable(TRS_ARROW_SCHEMAS.invoices, [
    int64Data(Float64Array.from(rows, (i) => i + 1)),
    int64Data(Float64Array.from(rows, (i) => invoices.account[i]! + 1)),
    timestampData(Float64Array.from(rows, (i) => invoices.issuedAt[i]!)),
    timestampData(paidAt, paidValid),
    utf8Data(m, (k) => INVOICE_STATUSES[status[k]!]!),
    timestampData(updated.subarray(0, m)),
  ]);
}

function lineItemsAt({ invoices, lineItems }: TrsTimeline, t: number, after: number): Table {
  let m = 0;
  for (let i = 0; i < invoices.count; i++) {
    const issued = invoices.issuedAt[i]!;
    if (issued <= t && issued > after) m += invoices.lineStart[i + 1]! - invoices.lineStart[i]!;
  }
  const id = new Float64Array(m);
  const invoiceId = new Float64Array(m);
  const skuId = new Float64Array(m);
  const quantity = new Int32Array(m);
  const updated = new Float64Array(m);
  let k = 0;
  for (let i = 0; i < invoices.count; i++) {
    const issued = invoices.issuedAt[i]!;
    if (issued > t || issued <= after) continue;
    for (let r = invoices.lineStart[i]!; r < invoices.lineStart[i + 1]!; r++, k++) {
      id[k] = r + 1;
      invoiceId[k] = i + 1;
      skuId[k] = lineItems.sku[r]! + 1;
      quantity[k] = lineItems.quantity[r]!;
      updated[k] = issued;
    }
  }
  return makeTable(TRS_ARROW_SCHEMAS.invoice_line_items, [
    int64Data(id),
    int64Data(invoiceId),
    int64Data(skuId),
    int32Data(quantity),
    timestampData(updated),
  ]);
}
