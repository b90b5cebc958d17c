import type { OfflineStore } from '@asof/core';
import type { DuckDbSession } from '../adapters/duckdb/duckdb-session.js';
import { readCurrentExport } from './export-invoices.js';
import { EXPORT_TABLES, duckDbView, sqlString } from './export-schema.js';
import type { ExportTarget } from './export-target.js';

/** A view `asof sql` defined, and what it reads. */
export interface CatalogEntry {
  readonly name: string;
  readonly kind: 'export' | 'feature view';
  readonly files: number;
  /** The files the view reads (absolute paths or `s3://` URLs): all a read-only session may open. */
  readonly paths: readonly string[];
}

/**
 * Defines DuckDB views over what a root holds: the current finance export
 * (`invoices`, `invoice_history`, `invoice_lines`, over exactly the files
 * its manifest lists) and one view per feature view over the files of its
 * latest snapshot (the commit log's list, never a glob, so files removed by
 * compaction or retention are not read). A feature view's rows are its
 * change points: keys, `event_ts`, `created_ts`, features.
 */
export async function defineSqlCatalog(
  session: DuckDbSession,
  input: { readonly store: OfflineStore; readonly storeLocation: string; readonly exportTarget: ExportTarget | null; readonly signal?: AbortSignal },
): Promise<CatalogEntry[]> {
  const entries: CatalogEntry[] = [];
  if (input.exportTarget) {
    const manifest = await readCurrentExport(input.exportTarget.objects, { signal: input.signal });
    for (const table of EXPORT_TABLES) {
      const files = manifest?.tables[table]?.files ?? [];
      if (files.length === 0) continue;
      const paths = files.map((f) => join(input.exportTarget!.location, f.path));
      await session.run(duckDbView(table, paths));
      entries.push({ name: table, kind: 'export', files: files.length, paths });
    }
  }
  for (const view of await input.store.views({ signal: input.signal })) {
    if (view.startsWith('_') || EXPORT_TABLES.includes(view as never)) continue;
    const snapshot = await input.store.snapshot(view, { signal: input.signal });
    if (snapshot.files.length === 0) continue;
    const paths = snapshot.files.map((f) => join(input.storeLocation, `views/${view}/${f.path}`));
    await session.run(`CREATE OR REPLACE VIEW "${view.replace(/"/g, '""')}" AS SELECT * FROM read_parquet([${paths.map(sqlString).join(', ')}], union_by_name = true, hive_partitioning = false)`);
    entries.push({ name: view, kind: 'feature view', files: snapshot.files.length, paths });
  }
  return entries;
}

function join(location: string, key: string): string {
  return `${location.replace(/\/+$/, '')}/${key}`;
}
