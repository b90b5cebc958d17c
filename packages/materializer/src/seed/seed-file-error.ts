import { InvalidInputError } from '@asof/core';

/**
 * A seed file (`asof seed`) that cannot be appended as it is: a missing or
 * undeclared column, a value outside its column's type, a duplicate
 * version, a version that contradicts one already mirrored. Names the file
 * and, where one is to blame, the row (1 = the first data row) and the
 * column. Nothing of the file was written.
 */
export class SeedFileError extends InvalidInputError {
  readonly file: string;
  /** 1-based data row (the CSV header is not a row), or `null` for the file as a whole. */
  readonly row: number | null;
  readonly column: string | null;

  constructor(file: string, where: { readonly row?: number | null; readonly column?: string | null }, reason: string, options?: { cause?: unknown }) {
    const row = where.row ?? null;
    const column = where.column ?? null;
    const at = [row === null ? null : `row ${row}`, column === null ? null : `column '${column}'`].filter(Boolean).join(', ');
    super(`seed file ${file}${at ? `, ${at}` : ''}: ${reason}; nothing was written`, options);
    this.file = file;
    this.row = row;
    this.column = column;
  }
}
