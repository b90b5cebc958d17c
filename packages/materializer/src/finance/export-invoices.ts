import { randomBytes } from 'node:crypto';
import { AsofError, formatDecimal, formatMicros, rowsToTable, type BeforeHistoryPolicy, type JsRow, type ObjectStore, type OfflineStore } from '@asof/core';
import { encodeParquet } from '@asof/stores';
import { EXPORT_COLUMNS, EXPORT_TABLES, PARTITION_COLUMN, columnTypes, schemaSql, tablePrefix, type ExportTable } from './export-schema.js';
import { computeInvoiceTables, type InvoiceSources } from './invoice-table.js';

/**
 * The layout of an export root (docs/finance.md, "How a publish works"):
 *
 *     _CURRENT                        which version readers use (overwritten atomically, last step)
 *     _schema.sql                     the current version's DDL (a copy, written after _CURRENT)
 *     _log/<20-digit sequence>.json   one per published version, created put-if-absent
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

/**
 * Computes the invoice tables and publishes them as a new version of the
 * export at `target`: the files go into a fresh `versions/<id>/` folder, then the
 * version claims the next `_log/` sequence with put-if-absent, then
 * `_CURRENT` is overwritten to name it (one atomic put). A failure before
 * that leaves `_CURRENT` on the previous version; the partial folder is an
 * invisible orphan.
 */
export async function exportInvoices(request: ExportRequest): Promise<ExportManifest> {
  const { target, signal } = request;
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

  // Publish: claim a sequence, then flip the pointer.
  let sequence = (await latestSequence(target, signal)) + 1;
  for (let attempt = 0; ; attempt++, sequence++) {
    const claimed = await target.putIfAbsent(logKey(sequence), utf8(JSON.stringify({ ...base, sequence }, null, 2)), { signal });
    if (claimed) break;
    if (attempt >= 20) throw new AsofError('COMMIT_CONFLICT', `could not claim an export sequence at ${target.describe()} after ${attempt + 1} attempts`);
  }
  const pointer = (v: string, s: number): ExportPointer => ({ format: FORMAT, version: v, sequence: s, manifest: `versions/${v}/_manifest.json` });
  await target.put(CURRENT_KEY, utf8(JSON.stringify(pointer(version, sequence))), { signal });
  // A concurrent exporter may have claimed a later sequence and flipped the pointer before us: leave it on the latest.
  const latest = await latestSequence(target, signal);
  if (latest > sequence) {
    const entry = JSON.parse(new TextDecoder().decode((await target.get(logKey(latest), { signal }))!)) as ExportManifest;
    await target.put(CURRENT_KEY, utf8(JSON.stringify(pointer(entry.version, latest))), { signal });
  } else {
    await target.put('_schema.sql', utf8(ddl), { signal });
  }
  return { ...base, sequence };
}

/** The version `_CURRENT` names, with its manifest; `null` when nothing was ever published. */
export async function readCurrentExport(target: ObjectStore, options: { signal?: AbortSignal } = {}): Promise<ExportManifest | null> {
  const bytes = await target.get(CURRENT_KEY, options);
  if (!bytes) return null;
  const pointer = JSON.parse(new TextDecoder().decode(bytes)) as ExportPointer;
  if (pointer.format !== FORMAT) throw new AsofError('STORE_READ', `${target.describe()}/${CURRENT_KEY} is not an asof finance export pointer`);
  const entry = await target.get(logKey(pointer.sequence), options);
  if (!entry) throw new AsofError('STORE_READ', `${target.describe()}: _CURRENT names sequence ${pointer.sequence}, which has no ${logKey(pointer.sequence)}`);
  return JSON.parse(new TextDecoder().decode(entry)) as ExportManifest;
}

function logKey(sequence: number): string {
  return `${LOG_PREFIX}${String(sequence).padStart(20, '0')}.json`;
}

async function latestSequence(target: ObjectStore, signal?: AbortSignal): Promise<number> {
  let max = 0;
  for await (const info of target.list(LOG_PREFIX, { signal })) {
    const m = /(\d{20})\.json$/.exec(info.key);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
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
