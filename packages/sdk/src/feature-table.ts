import { Table } from 'apache-arrow';
import { formatTable, tableToRows, type FormatTableOptions } from '@asof/core';
import type { CoverageWarning } from './coverage.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The Arrow table the SDK returns, for notebooks: still a `Table` (pass it
 * to any Arrow consumer), with `toArray()` giving exact typed rows (int64
 * as `bigint`, timestamps as `Date` keeping µs, decimals as exact strings)
 * and a readable text table when printed, logged or shown by a notebook.
 */
export class FeatureTable<R = Record<string, unknown>> extends Table {
  /**
   * What the answer reaches past (times outside what a view was computed
   * over, or after its knowledge time), one per view and kind; also sent
   * through `process.emitWarning`. Empty when the store covers it all.
   */
  readonly warnings: readonly CoverageWarning[];

  /** Wraps `table` (no copy). */
  constructor(table: Table, warnings: readonly CoverageWarning[] = []) {
    super(table.schema, table.batches);
    this.warnings = Object.freeze([...warnings]);
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
