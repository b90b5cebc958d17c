import { DataType, type Table, type Vector } from 'apache-arrow';
import { isDecimal } from '../decimal.js';
import { formatMicros } from '../time/timestamp.js';
import { columnValues } from './rows.js';
import { readMicrosVector } from './time-column.js';

/** Options of {@link formatTable}. */
export interface FormatTableOptions {
  /** Rows shown; the rest are summarised in a footer line. Default 20. */
  readonly maxRows?: number;
  /** Longest cell, in characters, before it is cut with `…`. Default 40. */
  readonly maxWidth?: number;
}

/**
 * Renders an Arrow table as an aligned text table for terminals and
 * notebooks: timestamps as ISO-8601 UTC, int64 and decimals exactly (every
 * digit of the scale: `12.30`), lists as `[a, b]`, nulls as `null`.
 * Numbers are right-aligned.
 */
export function formatTable(table: Table, options: FormatTableOptions = {}): string {
  const maxRows = options.maxRows ?? 20;
  const maxWidth = options.maxWidth ?? 40;
  const shown = Math.min(table.numRows, maxRows);
  const fields = table.schema.fields;
  const columns = fields.map((field) => {
    const cells = formatCells(table.getChild(field.name)!.slice(0, shown), field.name);
    return { name: field.name, cells: cells.map((c) => clip(c, maxWidth)), numeric: isNumeric(field.type as DataType) };
  });
  const widths = columns.map((c) => Math.max(c.name.length, ...c.cells.map((s) => s.length)));
  const line = (cells: string[], numeric: boolean[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' │ ').trimEnd();
  const numeric = columns.map((c) => c.numeric);
  const out = [line(columns.map((c) => c.name), numeric), widths.map((w) => '─'.repeat(w)).join('─┼─')];
  for (let r = 0; r < shown; r++) out.push(line(columns.map((c) => c.cells[r]!), numeric));
  const more = table.numRows - shown;
  out.push(`(${table.numRows} row${table.numRows === 1 ? '' : 's'}${more > 0 ? `, ${more} not shown` : ''})`);
  return out.join('\n');
}

/**
 * Every cell of `vector` as display text, exact where the type is: µs
 * timestamps as ISO-8601 UTC, int64 and decimals digit for digit, lists as
 * `[a, b]`, nulls as `null` (floats keep ten significant digits).
 */
export function formatCells(vector: Vector, name: string): string[] {
  const type = vector.type as DataType;
  if (DataType.isTimestamp(type) && type.timezone) {
    const { micros, valid } = readMicrosVector(vector, name);
    return Array.from(micros, (us, i) => (valid && !valid[i] ? 'null' : formatMicros(us).replace('.000000Z', 'Z')));
  }
  if (DataType.isDecimal(type) || DataType.isDate(type) || DataType.isList(type) || DataType.isUnion(type)) {
    return columnValues(vector, name).map(formatCell);
  }
  return Array.from({ length: vector.length }, (_, i) => formatCell(vector.get(i)));
}

/** Whether a column holds numbers (right-aligned when shown). */
export function isNumeric(type: DataType): boolean {
  return DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type);
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return value.toISOString().replace(/\.0+Z$/, 'Z');
  if (isDecimal(value)) return value.toString();
  // Ten significant digits hide binary noise (18565.579999999998 prints as 18565.58).
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(10)));
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value;
  if (typeof (value as { toArray?: unknown }).toArray === 'function') {
    return `[${Array.from((value as { toArray(): ArrayLike<unknown> }).toArray(), formatCell).join(', ')}]`;
  }
  if (typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return `[${Array.from(value as Iterable<unknown>, formatCell).join(', ')}]`;
  }
  return JSON.stringify(value);
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
