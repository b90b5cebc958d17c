/** A cell of a {@link renderTable} table; numbers and bigints are right-aligned, `null` shows as `-`. */
export type Cell = string | number | bigint | boolean | null | undefined;

/**
 * Renders rows as an aligned text table in the style of core's
 * `formatTable` (which renders Arrow tables, not plain rows): a header, a
 * rule, one line per row. Numbers are right-aligned, long cells clipped.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[], options: { maxWidth?: number } = {}): string {
  const maxWidth = options.maxWidth ?? 60;
  const text = rows.map((row) => headers.map((_, i) => clip(show(row[i]), maxWidth)));
  const numeric = headers.map((_, i) => rows.some((row) => isNumber(row[i])) && rows.every((row) => isNumber(row[i]) || row[i] == null));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => row[i]!.length)));
  const line = (cells: readonly string[], align: readonly boolean[]) =>
    cells.map((c, i) => (align[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' │ ').trimEnd();
  return [
    line(headers, headers.map(() => false)),
    widths.map((w) => '─'.repeat(w)).join('─┼─'),
    ...text.map((row) => line(row, numeric)),
  ].join('\n');
}

function isNumber(cell: Cell): boolean {
  return typeof cell === 'number' || typeof cell === 'bigint';
}

function show(cell: Cell): string {
  if (cell === null || cell === undefined) return '-';
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell.toLocaleString('en-US') : cell.toFixed(2);
  if (typeof cell === 'bigint') return cell.toLocaleString('en-US');
  return String(cell);
}

function clip(text: string, width: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}
