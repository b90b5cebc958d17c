import { string, type DType } from '../dtypes.js';
import { DefinitionError, nearest } from '../errors.js';
import { assertColumn } from './names.js';
import { isSource, type Source } from './source.js';

/**
 * A dimension join, as written in `defineFeatureView({ lookups })`: adds
 * columns of another source's row to each row of the view's source, as that
 * row was at the row's `at` time. Lookups run in order, before the transform.
 *
 * ```ts
 * { source: skus, on: { sku_id: 'sku_id' }, at: 'issued_at', columns: { unit_price: 'retail_price' } }
 * ```
 */
export interface Lookup {
  /** The dimension source; it must declare a `primaryKey`. */
  readonly source: Source;
  /** Row column -> primary key column of `source`; every primary key column exactly once. */
  readonly on: Readonly<Record<string, string>>;
  /**
   * Row column holding the instant to look up as of: the version with the
   * latest version time `<= at` is used. Omitted = the latest version.
   */
  readonly at?: string;
  /** Output column added to the row -> column of `source`. Null where no version qualifies. */
  readonly columns: Readonly<Record<string, string>>;
  /**
   * What a row older than the dimension's known history gets (its key has
   * versions, but all of them are newer than the row's `at`: on a first
   * import the source shows only today's price). `'null'` (the default):
   * the looked-up columns are null. `'earliestKnown'`: the earliest known
   * version, the best price there is. Either way the rows are counted in the
   * run summary and marked in {@link Lookup.basisColumn}; needs `at`.
   */
  readonly beforeHistory?: BeforeHistoryPolicy;
  /**
   * An output column (string) saying how each row was looked up (see
   * {@link LookupBasis}), so a transform or a report can tell a price at
   * issue from one taken from a later version.
   */
  readonly basisColumn?: string;
}

/** What a lookup does for a row older than the dimension's first known version (see {@link Lookup.beforeHistory}). */
export type BeforeHistoryPolicy = 'null' | 'earliestKnown';

/** Every {@link BeforeHistoryPolicy}. */
export const BEFORE_HISTORY_POLICIES: readonly BeforeHistoryPolicy[] = Object.freeze(['null', 'earliestKnown']);

/**
 * How a lookup found a row's version, as its basis column holds it:
 * `matched`: the version in force at `at` (the latest one, without `at`);
 * `earliest_known`: the row is older than every known version of its key,
 * and `beforeHistory: 'earliestKnown'` took the earliest one;
 * `before_history`: the same case under `beforeHistory: 'null'`, so the
 * looked-up columns are null; `no_version`: nothing to look up (no version
 * of the key is known, or the row's key or `at` is null), columns null.
 */
export type LookupBasis = 'matched' | 'earliest_known' | 'before_history' | 'no_version';

/** Every {@link LookupBasis}, in code order. */
export const LOOKUP_BASES: readonly LookupBasis[] = Object.freeze(['matched', 'earliest_known', 'before_history', 'no_version']);

/** A validated {@link Lookup} as a view stores it (frozen with the view); what `applyLookup` takes. */
export interface ResolvedLookup {
  readonly source: Source;
  /** Row column -> primary key column of `source`. */
  readonly on: Readonly<Record<string, string>>;
  /** Row column with the as-of instant; `null` = the latest version. */
  readonly at: string | null;
  /** Output column -> column of `source`, in output order. */
  readonly columns: Readonly<Record<string, string>>;
  /** Rows older than every known version: null columns, or the earliest version (see {@link Lookup.beforeHistory}). */
  readonly beforeHistory: BeforeHistoryPolicy;
  /** Output column holding each row's {@link LookupBasis}, or `null`. */
  readonly basisColumn: string | null;
  /**
   * Column of `source` holding each version's time: its `updatedAtField`,
   * else its `createdTimestampField`, else its `timestampField`.
   */
  readonly versionTime: string;
}

/** The column holding a source's version time (see {@link ResolvedLookup.versionTime}). */
export function versionTimeOf(source: Source): string {
  const updated = source.kind === 'mysql_table' || source.kind === 'mysql_query' ? source.updatedAtField : null;
  return updated ?? source.createdTimestampField ?? source.timestampField;
}

/**
 * Checks a view's lookups against its source and each other. Row columns
 * are known when the source declares its columns: the source's, plus the
 * outputs of earlier lookups. Returns the lookups and the columns they add.
 */
export function resolveLookups(
  input: unknown,
  source: Source,
  what: string,
): { lookups: readonly ResolvedLookup[]; added: Readonly<Record<string, DType | null>> } {
  if (input === undefined) return { lookups: [], added: {} };
  if (!Array.isArray(input)) {
    throw new DefinitionError(`${what}: lookups must be a list such as [{ source: skus, on: { sku_id: 'sku_id' }, columns: { price: 'price' } }]`);
  }
  // Row column -> dtype (null = unknown); `null` map = the source does not declare its columns.
  const row: Map<string, DType | null> | null = source.columns ? new Map(Object.entries(source.columns)) : null;
  const added: Record<string, DType | null> = {};
  const lookups = (input as unknown[]).map((lookup, i) => {
    const resolved = resolveLookup(lookup, `${what}: lookup ${i}`);
    const context = `${what}: lookup ${i} (source '${resolved.source.name}')`;
    if (row) {
      for (const column of [...Object.keys(resolved.on), ...(resolved.at === null ? [] : [resolved.at])]) {
        if (row.has(column)) continue;
        const suggestion = nearest(column, [...row.keys()]);
        throw new DefinitionError(
          `${context} reads row column '${column}', which source '${source.name}' does not declare and no earlier lookup adds` +
            (suggestion ? `; did you mean '${suggestion}'?` : ''),
        );
      }
      checkDTypes(resolved, row, context);
    }
    const outputs: [string, DType | null][] = Object.entries(resolved.columns).map(([output, column]) => [output, resolved.source.columns?.[column] ?? null]);
    if (resolved.basisColumn !== null) outputs.push([resolved.basisColumn, string()]);
    for (const [output, dtype] of outputs) {
      if (Object.hasOwn(added, output)) throw new DefinitionError(`${context}: output column '${output}' is already added by an earlier lookup; rename one`);
      if (source.columns && Object.hasOwn(source.columns, output)) {
        throw new DefinitionError(`${context}: output column '${output}' is a column of source '${source.name}'; rename the output`);
      }
      added[output] = dtype;
      row?.set(output, dtype);
    }
    return resolved;
  });
  return { lookups, added };
}

function resolveLookup(input: unknown, what: string): ResolvedLookup {
  if (typeof input !== 'object' || input === null || !isSource((input as Lookup).source)) {
    throw new DefinitionError(`${what} needs source, built with mysqlTable(), mysqlQuery(), parquetSource() or csvSource()`);
  }
  const lookup = input as Lookup;
  const { source } = lookup;
  const context = `${what} (source '${source.name}')`;
  const primaryKey = source.primaryKey;
  if (primaryKey === null) {
    throw new DefinitionError(`${context}: source '${source.name}' has no primaryKey; declare it on the source, e.g. primaryKey: ['${source.name}_id']`);
  }
  const on = stringRecord(lookup.on, `${context}: on`, `{ ${primaryKey.map((k) => `${k}: '${k}'`).join(', ')} }`);
  const mapped = Object.values(on);
  for (const column of mapped) {
    if (!primaryKey.includes(column)) {
      throw new DefinitionError(`${context}: on maps to '${column}', which is not a primary key column of '${source.name}' (${primaryKey.join(', ')})`);
    }
    if (mapped.indexOf(column) !== mapped.lastIndexOf(column)) {
      throw new DefinitionError(`${context}: on maps two row columns to '${column}'; map one row column to each primary key column`);
    }
  }
  const missing = primaryKey.filter((k) => !mapped.includes(k));
  if (missing.length > 0) {
    throw new DefinitionError(`${context}: on must map a row column to every primary key column of '${source.name}'; add ${missing.join(', ')}`);
  }
  const at = lookup.at ?? null;
  if (at !== null) assertColumn(at, `${context}: at`);
  const columns = stringRecord(lookup.columns, `${context}: columns`, "{ unit_price: 'retail_price' }");
  if (source.columns) {
    for (const column of Object.values(columns)) {
      if (Object.hasOwn(source.columns, column)) continue;
      const suggestion = nearest(column, Object.keys(source.columns));
      throw new DefinitionError(
        `${context}: columns reads '${column}', which source '${source.name}' does not declare` + (suggestion ? `; did you mean '${suggestion}'?` : ''),
      );
    }
  }
  const beforeHistory = lookup.beforeHistory ?? 'null';
  if (!BEFORE_HISTORY_POLICIES.includes(beforeHistory)) {
    throw new DefinitionError(`${context}: beforeHistory must be 'null' or 'earliestKnown', got ${JSON.stringify(beforeHistory)}`);
  }
  if (beforeHistory === 'earliestKnown' && at === null) {
    throw new DefinitionError(`${context}: beforeHistory: 'earliestKnown' needs at; without at the lookup takes the latest version, which always exists`);
  }
  const basisColumn = lookup.basisColumn ?? null;
  if (basisColumn !== null) {
    assertColumn(basisColumn, `${context}: basisColumn`);
    if (Object.hasOwn(columns, basisColumn)) throw new DefinitionError(`${context}: basisColumn '${basisColumn}' is also one of its columns; rename one`);
  }
  return { source, on, at, columns, beforeHistory, basisColumn, versionTime: versionTimeOf(source) };
}

// Catches, at definition time, what would otherwise fail mid-backfill: a key compared with a key of another kind, a non-time `at`.
function checkDTypes(lookup: ResolvedLookup, row: ReadonlyMap<string, DType | null>, what: string): void {
  const family = (dtype: DType | null | undefined): string | null =>
    !dtype ? null : dtype.kind === 'int32' || dtype.kind === 'int64' ? 'integer' : dtype.kind === 'string' ? 'string' : dtype.kind;
  for (const [column, key] of Object.entries(lookup.on)) {
    const mine = family(row.get(column));
    const theirs = family(lookup.source.columns?.[key]);
    if (mine !== null && theirs !== null && mine !== theirs) {
      throw new DefinitionError(`${what}: row column '${column}' is ${mine} but primary key column '${key}' is ${theirs}; give them one type`);
    }
  }
  const at = lookup.at === null ? null : row.get(lookup.at);
  if (at && at.kind !== 'timestamp' && at.kind !== 'date') {
    throw new DefinitionError(`${what}: at column '${lookup.at}' is ${at.kind}; it must be a timestamp() or date() column`);
  }
}

function stringRecord(input: unknown, what: string, example: string): Readonly<Record<string, string>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || Object.keys(input).length === 0) {
    throw new DefinitionError(`${what} must be a non-empty record of column name to column name, e.g. ${example}`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) {
    assertColumn(key, what);
    assertColumn(value, `${what}.${key}`);
    out[key] = value;
  }
  return out;
}
