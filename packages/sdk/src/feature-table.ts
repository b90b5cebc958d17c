import { Table } from 'apache-arrow';
import { formatHtmlTable, formatTable, tableToRows, type FormatHtmlOptions, type FormatTableOptions } from '@asof/core';
import type { CoverageWarning } from './coverage.js';
import { INSPECT, inspectRich, JUPYTER_DISPLAY, jupyterBundle } from './notebook-display.js';

/**
 * The Arrow table the SDK returns, for notebooks: still a `Table` (pass it
 * to any Arrow consumer), with `toArray()` giving exact typed rows (int64
 * as `bigint`, timestamps as `Date` keeping µs, decimals as exact `Decimal`s),
 * a readable text table when printed or logged, and an HTML table when a
 * Jupyter notebook (tslab, Deno) shows it.
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

  /** The first `maxRows` rows (default 20) as an HTML table, escaped, with `… N more rows` and the shape. */
  toHTML(options?: FormatHtmlOptions): string {
    return formatHtmlTable(this, options);
  }

  /** The text table, so `console.log(String(t))` and terminals show it. */
  override toString(): string {
    return formatTable(this);
  }

  /** `util.inspect` (and so `console.log(t)`): the text table; in a tslab cell, the HTML table. */
  [INSPECT](depth: number | null, options?: { depth?: number | null }): string {
    return inspectRich(this, depth, options);
  }

  /** The MIME bundle Deno's Jupyter kernel displays. */
  [JUPYTER_DISPLAY](): Record<string, string> {
    return jupyterBundle(this);
  }
}
