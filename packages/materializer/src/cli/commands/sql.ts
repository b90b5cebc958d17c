import { AsofError } from '@asof/core';
import { stringArg } from '../args.js';
import { UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { renderTable } from '../text-table.js';
import type { SqlCell, SqlResult } from '../../adapters/duckdb/duckdb-session.js';
import { LAST_EXPORT_KEY } from '../../finance/export-target.js';

const FORMATS = ['table', 'csv', 'json'] as const;

/**
 * `asof sql "<query>"`: DuckDB in-process over the current finance export
 * (`invoices`, `invoice_history`, `invoice_lines`) and the offline feature
 * tables (one view per feature view, over its latest snapshot's files).
 * Read-only: once the views are defined the session can open only the files
 * they read, loads no extension and changes no setting, and only a single
 * query runs (no COPY, ATTACH, INSTALL/LOAD, SET, CREATE, EXPORT).
 */
export const sqlCommand: Command = {
  name: 'sql',
  summary: 'query the finance export and the offline feature tables with DuckDB',
  usage: 'asof sql --root <dir|s3://…> "<query>" [--format table|csv|json] [--export <dir|s3://…>]',
  options: {
    format: { type: 'string', value: 'table|csv|json', description: 'a text table (default), CSV with a header, or JSON lines' },
    export: { type: 'string', value: '<dir|s3://…>', description: 'the finance export to query (default: the last one `asof export invoices` wrote from this root)' },
  },
  maxPositionals: 1,
  needsRoot: true,
  async run(ctx, args) {
    const query = args.positionals[0];
    if (!query?.trim()) throw new UsageError('missing the query', sqlCommand.usage);
    const format = stringArg(args, 'format') ?? 'table';
    if (!FORMATS.includes(format as never)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`, sqlCommand.usage);
    const store = await ctx.store();
    let exportAt = stringArg(args, 'export');
    if (exportAt === undefined) {
      const last = await store.objects.get(LAST_EXPORT_KEY, { signal: ctx.signal });
      if (last) exportAt = (JSON.parse(new TextDecoder().decode(last)) as { location: string }).location;
    }
    const exportTarget = exportAt === undefined ? null : await ctx.objectRoot(exportAt, 'export');
    if (store.directory === null || (exportTarget !== null && exportTarget.directory === null)) {
      ctx.logger.info('reading s3:// with DuckDB needs its httpfs extension (autoloaded where DuckDB can download it) and AWS credentials in the environment');
    }
    // Imported here, so commands that run no SQL never load DuckDB.
    const { DuckDbSession } = await import('../../adapters/duckdb/duckdb-session.js');
    const { defineSqlCatalog } = await import('../../finance/sql-catalog.js');
    const session = await DuckDbSession.open();
    try {
      const catalog = await defineSqlCatalog(session, { store, storeLocation: store.location, exportTarget, signal: ctx.signal });
      ctx.logger.debug('sql views', { views: catalog.map((c) => `${c.name} (${c.kind}, ${c.files} files)`) });
      await session.lockDown(catalog.flatMap((c) => c.paths));
      const result = await session.queryReadOnly(query).catch((error: unknown) => {
        if (error instanceof AsofError && catalog.length > 0 && /does not exist/.test(error.message)) {
          throw new AsofError('INVALID_INPUT', `${error.message} (views here: ${catalog.map((c) => c.name).join(', ')})`, { cause: error });
        }
        throw error;
      });
      ctx.print(render(result, format as (typeof FORMATS)[number]));
    } finally {
      session.close();
    }
  },
};

function render(result: SqlResult, format: (typeof FORMATS)[number]): string {
  const names = result.columns.map((c) => c.name);
  if (format === 'csv') return [names, ...result.rows].map((row) => row.map((v) => csvCell(v)).join(',')).join('\n');
  if (format === 'json') return result.rows.map((row) => JSON.stringify(Object.fromEntries(names.map((n, i) => [n, jsonCell(row[i]!)])))).join('\n');
  return `${renderTable(names, result.rows)}\n(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
}

function csvCell(value: SqlCell | string): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** JSON values: BIGINT as a number where exact, else a string; DECIMAL and times as their exact text. */
function jsonCell(value: SqlCell): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : String(value);
  return value;
}

