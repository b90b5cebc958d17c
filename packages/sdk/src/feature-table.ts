import { Table } from 'apache-arrow';
import { formatTable, tableToRows, type FormatTableOptions } from '@asof/core';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The Arrow table the SDK returns, for notebooks: still a `Table` (pass it
 * to any Arrow consumer), with `toArray()` giving exact typed rows (int64
 * as `bigint`, timestamps as `Date` keeping µs, decimals as exact `Decimal`s)
 * and a readable text table when printed, logged or shown by a notebook.
 */
export class FeatureTable<R = Record<string, unknown>> extends Table {
  /** Wraps `table` (no copy). */
  constructor(table: Table) {
    super(table.schema, table.batches);
  }

  /** Every row as a plain object of exact JS values, in order. */
  override toArray(): R[] {
    return tableToRows(this) as R[];
  }

  /** The first `maxRows` rows (default 20) as an aligned text table. */
  format(options?: FormatTableOptions): string {
    return formatTable(this, options);
  }

  /** The text table, so `console.log(String(t))` and notebooks show it. */
  override toString(): string {
    return formatTable(this);
  }

  /** Node's `util.inspect` (and so `console.log(t)`) prints the text table. */
  [INSPECT](): string {
    return formatTable(this);
  }
}
