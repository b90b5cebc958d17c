import { DataType, type Table } from 'apache-arrow';
import { formatCells, isNumeric } from './format-table.js';
import { columnValues } from './rows.js';
import { typeKey } from './batch-ops.js';

/** Options of {@link formatHtmlTable}. */
export interface FormatHtmlOptions {
  /** Rows shown; the rest are counted in a last row `… N more rows`. Default 20. */
  readonly maxRows?: number;
  /** Longest cell, in characters, before it is cut with `…` (the whole value stays in its tooltip). Default 80. */
  readonly maxWidth?: number;
  /** A short note shown after a cell's value (e.g. an online status), or null for none. */
  readonly note?: (row: number, column: string) => string | null;
}

/** A tooltip longer than this is cut too: a cell's title must not carry a whole list column. */
const MAX_TITLE = 2_000;

/**
 * Renders an Arrow table as an HTML table for notebooks: the first
 * `maxRows` rows, then `… N more rows`, then the shape. Values are the text
 * table's (int64 and decimals digit for digit, timestamps to the µs in UTC),
 * every name and value HTML-escaped; a float whose shortest exact form is
 * longer than the ten digits shown carries it in its tooltip.
 */
export function formatHtmlTable(table: Table, options: FormatHtmlOptions = {}): string {
  const maxRows = Math.max(0, Math.floor(options.maxRows ?? 20));
  const maxWidth = Math.max(2, Math.floor(options.maxWidth ?? 80));
  const shown = Math.min(table.numRows, maxRows);
  const fields = table.schema.fields;
  const columns = fields.map((field) => {
    const vector = table.getChild(field.name)!.slice(0, shown);
    const type = field.type as DataType;
    const cells = formatCells(vector, field.name);
    const isNull = Array.from({ length: shown }, (_, i) => vector.get(i) === null);
    // Floats (also inside a union) keep their shortest exact form for the tooltip; a union's numbers align right cell by cell.
    const values = DataType.isFloat(type) || DataType.isUnion(type) ? columnValues(vector, field.name) : null;
    const exact = values?.map((v) => (typeof v === 'number' ? String(v) : null)) ?? null;
    const numeric = values && DataType.isUnion(type) ? values.map((v) => typeof v === 'number' || typeof v === 'bigint') : null;
    return { name: field.name, type: typeKey(type), cells, isNull, exact, numeric: numeric ?? new Array<boolean>(shown).fill(isNumeric(type)), header: isNumeric(type) };
  });
  const head = columns.map((c) => `<th title="${escapeHtml(c.type)}"${c.header ? ' style="text-align:right"' : ''}>${escapeHtml(c.name)}</th>`).join('');
  const body: string[] = [];
  for (let r = 0; r < shown; r++) {
    const cells = columns.map((c) => {
      const text = c.cells[r]!;
      const full = c.exact?.[r] ?? text;
      const clipped = text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text;
      const title = full !== clipped ? ` title="${escapeHtml(full.length > MAX_TITLE ? `${full.slice(0, MAX_TITLE - 1)}…` : full)}"` : '';
      const note = options.note?.(r, c.name);
      const value = c.isNull[r] ? '<i style="opacity:0.6">null</i>' : escapeHtml(clipped);
      const style = c.numeric[r] ? ' style="text-align:right"' : '';
      return `<td${style}${title}>${value}${note ? ` <small style="opacity:0.6">(${escapeHtml(note)})</small>` : ''}</td>`;
    });
    body.push(`<tr>${cells.join('')}</tr>`);
  }
  const more = table.numRows - shown;
  if (more > 0) body.push(`<tr><td colspan="${Math.max(1, columns.length)}"><i>… ${more} more row${more === 1 ? '' : 's'}</i></td></tr>`);
  const shape = `${table.numRows} row${table.numRows === 1 ? '' : 's'} × ${columns.length} column${columns.length === 1 ? '' : 's'}`;
  return `<table class="asof-table"><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table><p style="opacity:0.6">${shape}</p>`;
}

/** `text` with `& < > " '` replaced by entities, safe inside elements and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
