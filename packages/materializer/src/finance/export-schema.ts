import { bool, decimal, int32, int64, string, timestamp, type DType } from '@asof/core';

/** The exported tables, each in its own folder of a version: `versions/<id>/<table>/issued_month=YYYY-MM/part-*.parquet`. */
export const EXPORT_TABLES = ['invoices', 'invoice_history', 'invoice_lines'] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];

/** The Hive partition column of every exported table (not stored inside the files). */
export const PARTITION_COLUMN = 'issued_month';

interface ColumnSpec {
  readonly name: string;
  readonly dtype: DType;
  /** The Athena/Glue (Hive) type. */
  readonly hive: string;
  readonly comment: string;
}

const col = (name: string, dtype: DType, hive: string, comment: string): ColumnSpec => ({ name, dtype, hive, comment });
const INVOICE_COLUMNS: readonly ColumnSpec[] = [
  col('invoice_id', int64(), 'bigint', 'invoices.invoice_id'),
  col('account_id', int64(), 'bigint', 'invoices.account_id'),
  col('company_name', string(), 'string', 'accounts.company_name as of the row'),
  col('issued_at', timestamp(), 'timestamp', 'UTC'),
  col('due_at', timestamp(), 'timestamp', 'issued_at + payment term (UTC)'),
  col('paid_at', timestamp(), 'timestamp', 'UTC; null while unpaid'),
  col('amount', decimal(14, 2), 'decimal(14,2)', 'sum(quantity x SKU price in force at issued_at, see price_basis); null if a line has no price at all'),
  col('days_late', int32(), 'int', 'paid: floor((paid_at - due_at) / 1 day), at least 0; unpaid: null'),
  col('is_late', bool(), 'boolean', 'paid after due_at, or unpaid at or after due_at'),
  col('status', string(), 'string', 'open | overdue | paid | void'),
  col('line_count', int32(), 'int', 'line items on the invoice'),
  col('unpriced_lines', int32(), 'int', 'line items whose SKU has no known price version at all'),
  col('price_basis', string(), 'string', 'at_issue: every line at the price in force at issued_at; first_known: some line issued before its SKU history was known, priced at the earliest known price; null if unpriced_lines > 0'),
];

/** Columns of each exported table, in file order. */
export const EXPORT_COLUMNS: Readonly<Record<ExportTable, readonly ColumnSpec[]>> = {
  invoices: INVOICE_COLUMNS,
  invoice_history: [
    ...INVOICE_COLUMNS,
    col('valid_from', timestamp(), 'timestamp', 'this version holds from this instant (inclusive)'),
    col('valid_to', timestamp(), 'timestamp', 'until this instant (exclusive); null for the current version'),
  ],
  invoice_lines: [
    col('invoice_id', int64(), 'bigint', 'invoices.invoice_id'),
    col('line_item_id', int64(), 'bigint', 'invoice_line_items.line_item_id'),
    col('account_id', int64(), 'bigint', 'invoices.account_id'),
    col('issued_at', timestamp(), 'timestamp', 'the invoice issue time (UTC)'),
    col('invoice_status', string(), 'string', "the invoice's status"),
    col('sku_id', int64(), 'bigint', 'skus.sku_id'),
    col('item_name', string(), 'string', 'skus.item_name in force at issued_at'),
    col('quantity', int32(), 'int', 'invoice_line_items.quantity'),
    col('unit_price', decimal(14, 2), 'decimal(14,2)', 'skus.retail_price in force at issued_at (see price_basis); null if no price is known'),
    col('amount', decimal(14, 2), 'decimal(14,2)', 'quantity x unit_price'),
    col('price_basis', string(), 'string', 'at_issue: the price in force at issued_at; first_known: issued before the SKU history was known, the earliest known price; null: no price known'),
  ],
};

/** The dtypes of a table's columns, for `rowsToTable`. */
export function columnTypes(table: ExportTable): Record<string, DType> {
  return Object.fromEntries(EXPORT_COLUMNS[table].map((c) => [c.name, c.dtype]));
}

/** Where a version's table lives, relative to the export root: `versions/<id>/<table>/`. */
export function tablePrefix(version: string, table: ExportTable): string {
  return `versions/${version}/${table}/`;
}

/**
 * `_schema.sql` of a version: the Athena/Glue DDL (partition projection on
 * `issued_month`, so no `MSCK REPAIR` or crawler is needed), the statements
 * that move an existing Athena table to this version, and DuckDB views.
 * `location` is the export root as engines address it (`s3://bucket/prefix`
 * or an absolute directory).
 */
export function schemaSql(location: string, version: string, months: { readonly first: string; readonly last: string }): string {
  const root = location.replace(/\/+$/, '');
  const out: string[] = [
    `-- asof finance export, version ${version}. Readers: docs/finance.md.`,
    '-- Every path below names this version; a newer export writes a new _schema.sql.',
    '',
    '-- Athena / Glue (Hive DDL). First time: run the CREATE statements; after each later export, the ALTER statements.',
  ];
  for (const table of EXPORT_TABLES) {
    const prefix = `${root}/${tablePrefix(version, table)}`;
    const columns = EXPORT_COLUMNS[table].map((c) => `  \`${c.name}\` ${c.hive} COMMENT '${c.comment.replace(/'/g, "''")}'`).join(',\n');
    out.push(
      `CREATE EXTERNAL TABLE IF NOT EXISTS ${table} (\n${columns}\n)`,
      `PARTITIONED BY (\`${PARTITION_COLUMN}\` string)`,
      'STORED AS PARQUET',
      `LOCATION '${prefix}'`,
      'TBLPROPERTIES (',
      `  'projection.enabled' = 'true',`,
      `  'projection.${PARTITION_COLUMN}.type' = 'date',`,
      `  'projection.${PARTITION_COLUMN}.format' = 'yyyy-MM',`,
      `  'projection.${PARTITION_COLUMN}.range' = '${months.first},NOW',`,
      `  'projection.${PARTITION_COLUMN}.interval' = '1',`,
      `  'projection.${PARTITION_COLUMN}.interval.unit' = 'MONTHS',`,
      `  'storage.location.template' = '${prefix}${PARTITION_COLUMN}=\${${PARTITION_COLUMN}}/'`,
      ');',
      '',
    );
  }
  for (const table of EXPORT_TABLES) {
    const prefix = `${root}/${tablePrefix(version, table)}`;
    out.push(
      `ALTER TABLE ${table} SET LOCATION '${prefix}';`,
      `ALTER TABLE ${table} SET TBLPROPERTIES ('projection.${PARTITION_COLUMN}.range' = '${months.first},NOW', 'storage.location.template' = '${prefix}${PARTITION_COLUMN}=\${${PARTITION_COLUMN}}/');`,
    );
  }
  out.push('', `-- DuckDB (months ${months.first} to ${months.last}): .read this file, or paste the views.`);
  for (const table of EXPORT_TABLES) out.push(duckDbView(table, `${root}/${tablePrefix(version, table)}${PARTITION_COLUMN}=*/*.parquet`));
  return `${out.join('\n')}\n`;
}

/** A DuckDB view over one exported table; `files` is a glob or a list of paths. */
export function duckDbView(table: ExportTable, files: string | readonly string[]): string {
  const list = typeof files === 'string' ? sqlString(files) : `[${files.map(sqlString).join(', ')}]`;
  return `CREATE OR REPLACE VIEW ${table} AS SELECT * FROM read_parquet(${list}, hive_partitioning = true, hive_types = {'${PARTITION_COLUMN}': VARCHAR});`;
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
