/**
 * Schema drift: compares the columns a definition relies on with what the
 * source has now, for every kind of source. A run must stop on drift rather
 * than write features computed from a column that means something else.
 */
import { SchemaMismatchError, type DecimalDType, type DType, type ListDType, type SourceColumn } from '@asof/core';

/**
 * Throws {@link SchemaMismatchError} naming the first expected column that
 * the source no longer has, or has with another dtype. Columns the source
 * gained are fine. Names match exactly, else case-insensitively (MySQL
 * column names are case-insensitive).
 *
 * @param where names the relation in the message, e.g. `table 'invoices'`.
 */
export function checkSchema(expected: Readonly<Record<string, DType>>, actual: readonly SourceColumn[], where = 'the source'): void {
  const exact = new Map(actual.map((c) => [c.name, c]));
  const folded = new Map(actual.map((c) => [c.name.toLowerCase(), c]));
  for (const [name, dtype] of Object.entries(expected)) {
    const column = exact.get(name) ?? folded.get(name.toLowerCase());
    if (column === undefined) {
      const others = actual.map((c) => c.name);
      throw new SchemaMismatchError(
        name,
        `column '${name}' of ${where} no longer exists in the source` +
          ` (it has ${others.length > 12 ? `${others.slice(0, 12).join(', ')}, …` : others.join(', ') || 'no columns'}); ` +
          `if it was renamed, update the source's columns and the features that use it (or select the new column AS ${name} ` +
          `in a query source), then run \`asof apply\``,
      );
    }
    if (!sameDType(dtype, column.dtype)) {
      throw new SchemaMismatchError(
        name,
        `column '${name}' of ${where} was ${formatDType(dtype)}, is now ${column.sourceType} (read as ${formatDType(column.dtype)}); ` +
          `update the source's columns and the features that use it, or CAST it back in a query source, then run \`asof apply\``,
      );
    }
  }
}

/** A dtype as users write it: `int64`, `decimal(12,2)`, `list<string>`. */
export function formatDType(dtype: DType): string {
  if (dtype.kind === 'decimal') {
    const d = dtype as DecimalDType;
    return `decimal(${d.precision},${d.scale})`;
  }
  if (dtype.kind === 'list') return `list<${formatDType((dtype as ListDType<unknown>).item)}>`;
  return dtype.kind;
}

/** Structural equality of dtypes (decimal precision and scale included: a change alters the stored type). */
export function sameDType(a: DType, b: DType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'decimal') {
    const x = a as DecimalDType;
    const y = b as DecimalDType;
    return x.precision === y.precision && x.scale === y.scale;
  }
  if (a.kind === 'list') return sameDType((a as ListDType<unknown>).item, (b as ListDType<unknown>).item);
  return true;
}
