import { AsofError, formatMicros, type BeforeHistoryPolicy, type Registry, type Source } from '@asof/core';
import { instantArg, numberArg, requiredArg, stringArg } from '../args.js';
import { UsageError } from '../cli-errors.js';
import type { Command } from '../command.js';
import { renderTable } from '../text-table.js';
import { exportInvoices } from '../../finance/export-invoices.js';
import { EXPORT_TABLES } from '../../finance/export-schema.js';
import { LAST_EXPORT_KEY } from '../../finance/export-target.js';
import type { InvoiceSources } from '../../finance/invoice-table.js';

/**
 * `asof export invoices --to <dir|s3://…>`: the finance invoice table, its
 * history and its line items as Hive-partitioned Parquet with `_schema.sql`,
 * published atomically as a new version (docs/finance.md).
 */
export const exportCommand: Command = {
  name: 'export',
  summary: 'export the finance invoice tables as partitioned Parquet, published atomically',
  usage: 'asof export invoices --root <dir|s3://…> --to <dir|s3://…> [--as-of <iso>] [--term-days 30]',
  options: {
    to: { type: 'string', value: '<dir|s3://bucket/prefix>', description: 'where the export is published (required)' },
    'as-of': { type: 'string', value: '<iso>', description: 'the instant the tables describe and lateness is judged at (default: now)' },
    'term-days': { type: 'string', value: '<n>', description: 'payment term: due_at = issued_at + n days (default 30)' },
  },
  maxPositionals: 1,
  needsRoot: true,
  async run(ctx, args) {
    if (args.positionals[0] !== 'invoices') throw new UsageError(args.positionals[0] ? `unknown export '${args.positionals[0]}' (there is: invoices)` : 'missing what to export: invoices', exportCommand.usage);
    const to = requiredArg(args, 'to', exportCommand);
    const asOf = args.values['as-of'] === undefined ? BigInt(ctx.now().getTime()) * 1000n : instantArg(args, 'as-of', exportCommand);
    const termDays = args.values['term-days'] === undefined ? 30 : numberArg(args, 'term-days', exportCommand)!;
    if (!Number.isInteger(termDays)) throw new UsageError(`--term-days must be a whole number of days, got ${String(args.values['term-days'])}`, exportCommand.usage);
    const store = await ctx.store();
    const registry = ctx.hasDefinitions ? await ctx.definitions() : (await ctx.appliedRegistry())?.registry;
    if (!registry) throw new AsofError('CONFIG', `no registry at ${store.describe()}: run 'asof apply --definitions <module>' and a materialization first`);
    const target = await ctx.objectRoot(to, 'export target');
    let files = 0;
    const sources = invoiceSources(registry);
    const manifest = await exportInvoices({
      store,
      target: target.objects,
      location: target.location,
      // The root's coordinator serialises the export's sequence claims too (S3 endpoints that ignore If-None-Match).
      coordinator: await ctx.coordinator(),
      putIfAbsent: target.putIfAbsent,
      sources,
      asOf,
      termDays,
      beforeHistory: skuPolicy(registry, sources.skus),
      now: () => ctx.now(),
      signal: ctx.signal,
      onFile: () => ctx.progress.update('export', ++files, undefined, 'files'),
    });
    ctx.progress.stop();
    await store.objects.put(LAST_EXPORT_KEY, new TextEncoder().encode(JSON.stringify({ location: target.location, version: manifest.version })), { signal: ctx.signal });
    ctx.logger.info('export published', { location: target.location, version: manifest.version, sequence: manifest.sequence, asOf: manifest.asOf });
    ctx.print(
      renderTable(
        ['table', 'rows', 'files', 'months'],
        EXPORT_TABLES.map((t) => [t, manifest.tables[t].rows, manifest.tables[t].files.length, new Set(manifest.tables[t].files.map((f) => f.month)).size]),
      ),
    );
    ctx.print(`published ${target.location}/versions/${manifest.version}/ as the current export (sequence ${manifest.sequence}, as of ${formatMicros(asOf)}, term ${termDays} days); DDL in ${target.location}/_schema.sql`);
  },
};

/**
 * How the views' lookups on the SKU source price a line older than the SKU
 * history (their `beforeHistory`), so the export prices lines as the
 * features do; views that disagree are a configuration error. No such
 * lookup: the earliest known price.
 */
function skuPolicy(registry: Registry, skus: Source): BeforeHistoryPolicy {
  const policies = new Set(registry.listFeatureViews().flatMap((v) => v.lookups.filter((l) => l.source.name === skus.name).map((l) => l.beforeHistory)));
  if (policies.size > 1) {
    throw new AsofError(
      'CONFIG',
      `the views look up '${skus.name}' with different beforeHistory policies (${[...policies].join(', ')}); the invoice export prices lines as the features do, so give those lookups one policy`,
    );
  }
  return [...policies][0] ?? 'earliestKnown';
}

/** The TRS sources the export reads, by their source names; `accounts` is optional (company names are then null). */
function invoiceSources(registry: Registry): InvoiceSources {
  const names = new Set(registry.listSources().map((s) => s.name));
  const need = (name: string): Source => {
    if (!names.has(name)) throw new AsofError('CONFIG', `the invoice export reads the source '${name}', which the registry does not define (it has ${[...names].join(', ') || 'none'})`);
    return registry.getSource(name);
  };
  return { invoices: need('invoices'), lineItems: need('invoice_line_items'), skus: need('skus'), accounts: names.has('accounts') ? registry.getSource('accounts') : null };
}
