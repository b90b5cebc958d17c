import { randomBytes } from 'node:crypto';
import {
  AsofError,
  CommitConflictError,
  formatDecimal,
  formatMicros,
  rowsToTable,
  type BeforeHistoryPolicy,
  type CommitCoordinator,
  type JsRow,
  type ObjectStore,
  type OfflineStore,
} from '@asof/core';
import { encodeParquet, ExclusiveLog } from '@asof/stores';
import { EXPORT_COLUMNS, EXPORT_TABLES, PARTITION_COLUMN, columnTypes, schemaSql, tablePrefix, type ExportTable } from './export-schema.js';
import { computeInvoiceTables, type InvoiceSources } from './invoice-table.js';

/**
 * The layout of an export root (docs/finance.md, "How a publish works"):
 *
 *     _CURRENT                        which version readers use (overwritten atomically, last step)
 *     _schema.sql                     the current version's DDL (a copy, written after _CURRENT)
 *     _log/<20-digit sequence>.json   one per published version, created by exactly one exporter
 *     versions/<id>/_manifest.json    the version's files, row counts, as-of instant
 *     versions/<id>/_schema.sql
 *     versions/<id>/<table>/issued_month=YYYY-MM/part-00000.parquet
 *
 * (`versions/<id>`, not `v=<id>`: engines that detect Hive partitions in
 * paths would otherwise add a column `v`.)
 *
 * A version folder is complete before anything names it, and never changes
 * after; a reader that resolves `_CURRENT` once and reads that version's
 * files sees one whole export.
 */
export const CURRENT_KEY = '_CURRENT';
export const LOG_PREFIX = '_log/';
export const FORMAT = 'asof-finance-export/1';
const ROWS_PER_FILE = 1_000_000;

/** One exported Parquet file. */
export interface ExportFile {
  /** Key relative to the export root. */
  readonly path: string;
  readonly month: string;
  readonly rows: number;
  readonly bytes: number;
}

/** What a published version holds (`versions/<id>/_manifest.json`, and its `_log/` entry). */
export interface ExportManifest {
  readonly format: typeof FORMAT;
  readonly version: string;
  readonly sequence: number;
  readonly exportedAt: string;
  /** The instant the tables describe (ISO, UTC). */
  readonly asOf: string;
  readonly termDays: number;
  readonly tables: Readonly<Record<ExportTable, { readonly rows: number; readonly files: readonly ExportFile[] }>>;
}

/** The `_CURRENT` pointer. */
export interface ExportPointer {
  readonly format: typeof FORMAT;
  readonly version: string;
  readonly sequence: number;
  readonly manifest: string;
}

/** What {@link exportInvoices} needs. */
export interface ExportRequest {
  readonly store: OfflineStore;
  /** Where the export goes (a local directory or an S3 prefix). */
  readonly target: ObjectStore;
  /** The root as SQL engines address it, for `_schema.sql` (`s3://bucket/prefix`, `/abs/dir`). */
  readonly location: string;
  /**
   * Serialises sequence claims where the target cannot create an object
   * only if absent (S3-compatible servers that ignore `If-None-Match`);
   * without one such a target is refused before anything is written.
   */
  readonly coordinator?: CommitCoordinator | null;
  /** `trusted` when the target is known to enforce put-if-absent (a local directory); else it is probed once. Default `probe`. */
  readonly putIfAbsent?: 'trusted' | 'probe';
  readonly sources: InvoiceSources;
  /** µs. */
  readonly asOf: bigint;
  readonly termDays?: number;
  /** Lines issued before their SKU's known history: the earliest known price (default) or none (see `computeInvoiceTables`). */
  readonly beforeHistory?: BeforeHistoryPolicy;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
  /** Called when every file of the new version is written and nothing names it yet. */
  readonly beforePublish?: (version: string) => Promise<void>;
  /** Called per file written. */
  readonly onFile?: (file: ExportFile) => void;
}

/** Sequence claims tried before an export gives up (other exports kept claiming first). */
const CLAIM_ATTEMPTS = 20;

/**
 * Computes the invoice tables and publishes them as a new version of the
 * export at `target`: the files go into a fresh `versions/<id>/` folder,
 * then the version claims the next `_log/` sequence, exclusively on every
 * backend (put-if-absent, or the coordinator's claim; a target that
 * offers neither is refused before anything is written), then `_CURRENT`
 * is overwritten to name it (one atomic put) unless a later sequence was
 * published meanwhile. Exports are whole versions, so one that loses a
 * sequence simply takes the next. A failure before the claim leaves
 * `_CURRENT` on the previous version; the partial folder is an invisible
 * orphan.
 */
export async function exportInvoices(request: ExportRequest): Promise<ExportManifest> {
  const { target, signal } = request;
  const log = exportLog(target, request);
  await log.assertCanClaim({ signal });
  const tables = await computeInvoiceTables(request.store, request.sources, { asOf: request.asOf, termDays: request.termDays, beforeHistory: request.beforeHistory, signal });
  const now = (request.now ?? (() => new Date()))();
  const version = `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(4).toString('hex')}`;

  const rows: Record<ExportTable, JsRow[]> = {
    invoices: tables.invoices.map((r) => ({ ...r, amount: cents(r.amount) })),
    invoice_history: tables.history.map((r) => ({ ...r, amount: cents(r.amount) })),
    invoice_lines: tables.lines.map((r) => ({ ...r, unit_price: cents(r.unit_price), amount: cents(r.amount) })),
  };
  const written = {} as Record<ExportTable, { rows: number; files: ExportFile[] }>;
  const months = new Set<string>();
  for (const table of EXPORT_TABLES) {
    const files: ExportFile[] = [];
    for (const [month, part] of byMonth(rows[table])) {
      months.add(month);
      for (let start = 0, n = 0; start < part.length; start += ROWS_PER_FILE, n++) {
        signal?.throwIfAborted();
        const slice = part.slice(start, start + ROWS_PER_FILE);
        const arrow = rowsToTable(slice, columnTypes(table), EXPORT_COLUMNS[table].map((c) => c.name));
        const bytes = encodeParquet(arrow.schema, arrow.batches, { compression: 'snappy' });
        const path = `${tablePrefix(version, table)}${PARTITION_COLUMN}=${month}/part-${String(n).padStart(5, '0')}.parquet`;
        await target.put(path, bytes, { signal });
        const file = { path, month, rows: slice.length, bytes: bytes.byteLength };
        files.push(file);
        request.onFile?.(file);
      }
    }
    written[table] = { rows: rows[table].length, files };
  }
  const sorted = [...months].sort();
  const ddl = schemaSql(request.location, version, { first: sorted[0] ?? now.toISOString().slice(0, 7), last: sorted.at(-1) ?? now.toISOString().slice(0, 7) });
  await target.put(`versions/${version}/_schema.sql`, utf8(ddl), { signal });
  const base = { format: FORMAT, version, exportedAt: now.toISOString(), asOf: formatMicros(request.asOf), termDays: tables.termDays, tables: written } as const;
  await target.put(`versions/${version}/_manifest.json`, utf8(JSON.stringify({ ...base, sequence: null }, null, 2)), { signal });
  await request.beforePublish?.(version);

  // Publish: claim a sequence, then move the pointer forward.
  let sequence = (await log.latest({ signal })) + 1;
  for (let attempt = 1; ; attempt++, sequence++) {
    const entry = utf8(JSON.stringify({ ...base, sequence }, null, 2));
    if (await log.claim(sequence, entry, (existing) => parseEntry(existing).version === version, { signal })) break;
    if (attempt >= CLAIM_ATTEMPTS) {
      throw new CommitConflictError(`${request.location}/${LOG_PREFIX}`, [], `other exports claimed the next sequence ${attempt} times in a row; nothing was published, re-run the export`);
    }
  }
  await advancePointer(target, log, { version, sequence, ddl }, signal);
  return { ...base, sequence };
}

/**
 * Points `_CURRENT` (and the root's `_schema.sql`) at the newest published
 * sequence, never at an older one than a later export already published:
 * an export that finds a later sequence before its put leaves the pointer
 * to that export; one whose put raced a later export's re-checks after it
 * and moves the pointer forward again. Readers through
 * {@link readCurrentExport} also follow the log, so they never go back.
 */
async function advancePointer(target: ObjectStore, log: ExclusiveLog, mine: PublishedVersion, signal?: AbortSignal): Promise<void> {
  if ((await log.latest({ signal })) > mine.sequence) return; // a later export was published first: the pointer is its to set
  let current = mine;
  for (;;) {
    await target.put(CURRENT_KEY, utf8(JSON.stringify(pointerTo(current.version, current.sequence))), { signal });
    await target.put('_schema.sql', utf8(current.ddl), { signal });
    // A later export may have set the pointer while this put was in flight: follow it, so the pointer ends on the newest.
    const latest = await log.latest({ signal });
    if (latest <= current.sequence) return;
    const later = parseEntry((await log.read(latest, { signal }))!);
    const ddl = await target.get(`versions/${later.version}/_schema.sql`, { signal });
    current = { version: later.version, sequence: latest, ddl: ddl ? new TextDecoder().decode(ddl) : '' };
  }
}

/** A version with its sequence and DDL, as the pointer and the root's `_schema.sql` name it. */
interface PublishedVersion {
  readonly version: string;
  readonly sequence: number;
  readonly ddl: string;
}

function pointerTo(version: string, sequence: number): ExportPointer {
  return { format: FORMAT, version, sequence, manifest: `versions/${version}/_manifest.json` };
}

function parseEntry(bytes: Uint8Array): ExportManifest {
  return JSON.parse(new TextDecoder().decode(bytes)) as ExportManifest;
}

/** The export's `_log/`, claimed exclusively on every backend (see {@link ExclusiveLog}). */
function exportLog(target: ObjectStore, options: { location?: string; coordinator?: CommitCoordinator | null; putIfAbsent?: 'trusted' | 'probe' } = {}): ExclusiveLog {
  return new ExclusiveLog({
    objects: target,
    coordinator: options.coordinator ?? null,
    table: `${options.location ?? target.describe()}/${LOG_PREFIX}invoices`,
    prefix: LOG_PREFIX,
    putIfAbsent: options.putIfAbsent ?? 'probe',
    what: 'publish an export to',
  });
}

/**
 * The current export with its manifest: the version `_CURRENT` names, or a
 * later one already in the log (an export whose pointer write was still
 * in flight), so a reader never goes back; `null` when nothing was ever
 * published.
 */
export async function readCurrentExport(target: ObjectStore, options: { signal?: AbortSignal } = {}): Promise<ExportManifest | null> {
  const bytes = await target.get(CURRENT_KEY, options);
  let sequence = 0;
  if (bytes) {
    const pointer = JSON.parse(new TextDecoder().decode(bytes)) as ExportPointer;
    if (pointer.format !== FORMAT) throw new AsofError('STORE_READ', `${target.describe()}/${CURRENT_KEY} is not an asof finance export pointer`);
    sequence = pointer.sequence;
  }
  const log = exportLog(target);
  sequence = Math.max(sequence, await log.latest(options));
  if (sequence === 0) return null;
  const entry = await log.read(sequence, options);
  if (!entry) throw new AsofError('STORE_READ', `${target.describe()}: _CURRENT names sequence ${sequence}, which has no ${log.key(sequence)}`);
  return parseEntry(entry);
}

function byMonth(rows: readonly JsRow[]): [string, JsRow[]][] {
  const out = new Map<string, JsRow[]>();
  for (const row of rows) {
    const month = formatMicros(row.issued_at as bigint).slice(0, 7);
    let list = out.get(month);
    if (!list) out.set(month, (list = []));
    list.push(row);
  }
  return [...out].sort(([a], [b]) => (a < b ? -1 : 1));
}

function cents(value: bigint | null): string | null {
  return value === null ? null : formatDecimal(value, 2);
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
