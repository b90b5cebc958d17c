/** A CSV file read into columns of raw cells. */
export interface CsvColumns {
  readonly header: readonly string[];
  /** Per header column, one cell per data row: the text, or `null` for an empty unquoted field. */
  readonly columns: readonly (readonly (string | null)[])[];
  /** The file line each data row starts on (1-based), for messages. */
  readonly lines: readonly number[];
}

/** Where and why a CSV could not be read. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly row: number | null,
    readonly line: number,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * Reads RFC 4180 CSV (the format `examples/trs/write-files.ts` writes): a
 * header row, `,` separators, fields quoted when they hold `"`, `,`, CR or
 * LF (a quote doubled inside), CRLF or LF line ends, an optional UTF-8 BOM.
 * An empty unquoted field is NULL and `""` the empty string, so the two
 * stay distinct. A row with another number of fields than the header, a
 * quote inside an unquoted field or an unterminated quote is a
 * {@link CsvSyntaxError}. Blank lines at the end are ignored.
 */
export function parseCsv(text: string): CsvColumns {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const records: { cells: (string | null)[]; line: number }[] = [];
  while (pos < text.length) {
    const start = line;
    const cells: (string | null)[] = [];
    for (;;) {
      if (text[pos] === '"') {
        let value = '';
        pos++;
        for (;;) {
          const quote = text.indexOf('"', pos);
          if (quote < 0) throw new CsvSyntaxError(records.length === 0 ? null : records.length, start, 'a quoted field is never closed');
          value += text.slice(pos, quote);
          line += countLines(text, pos, quote);
          pos = quote + 1;
          if (text[pos] !== '"') break;
          value += '"';
          pos++;
        }
        cells.push(value);
        if (pos < text.length && text[pos] !== ',' && text[pos] !== '\n' && text[pos] !== '\r') {
          throw new CsvSyntaxError(records.length === 0 ? null : records.length, line, 'text after a closing quote; quote the whole field and double the quotes inside it');
        }
      } else {
        let end = pos;
        while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end++;
        const value = text.slice(pos, end);
        if (value.includes('"')) {
          throw new CsvSyntaxError(records.length === 0 ? null : records.length, line, `a quote inside an unquoted field (${JSON.stringify(value.slice(0, 40))}); quote the field and double the quotes inside it`);
        }
        cells.push(value === '' ? null : value);
        pos = end;
      }
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      break;
    }
    if (text[pos] === '\r') pos++;
    if (text[pos] === '\n') pos++;
    line++;
    records.push({ cells, line: start });
  }
  while (records.length > 1 && records.at(-1)!.cells.length === 1 && records.at(-1)!.cells[0] === null) records.pop();
  const head = records.shift();
  if (!head) throw new CsvSyntaxError(null, 1, 'the file is empty; it needs a header row naming the columns');
  const header = head.cells.map((c) => c ?? '');
  const columns = header.map((_, c) => records.map((r) => r.cells[c] ?? null));
  records.forEach((r, i) => {
    if (r.cells.length !== header.length) {
      throw new CsvSyntaxError(i + 1, r.line, `${r.cells.length} fields where the header has ${header.length}`);
    }
  });
  return { header, columns, lines: records.map((r) => r.line) };
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
