import { Field, makeData, makeVector, Table, Utf8, type Vector } from 'apache-arrow';
import { gather } from '../arrow/gather.js';
import { KeyDictionary } from '../arrow/keys.js';
import { microsVector, readMicrosColumn } from '../arrow/time-column.js';
import { LOOKUP_BASES, type ResolvedLookup } from '../definitions/lookup.js';
import { InvalidInputError } from '../errors.js';
import { assemble, chooseRows, readTombstones } from './point-in-time-join.js';

/**
 * The parts of a {@link ResolvedLookup} {@link applyLookup} reads; a view's
 * `lookups[i]` is one. `beforeHistory` defaults to `'null'`, `basisColumn`
 * to none.
 */
export type LookupJoin = Pick<ResolvedLookup, 'on' | 'at' | 'columns' | 'versionTime'> & Partial<Pick<ResolvedLookup, 'beforeHistory' | 'basisColumn'>>;

/** How many rows of one {@link lookupRows} call got each {@link LookupBasis}. */
export interface LookupCounts {
  /** The version in force at `at` (or the latest one). */
  readonly matched: number;
  /** Older than every known version of their key; took the earliest (`beforeHistory: 'earliestKnown'`). */
  readonly earliestKnown: number;
  /** Older than every known version of their key; left null (`beforeHistory: 'null'`). */
  readonly beforeHistory: number;
  /** No version to look up: unknown key, a key deleted by `at` (with {@link LookupOptions.tombstone}), or a null key or `at`. */
  readonly noVersion: number;
}

/** Options of {@link lookupRows}. */
export interface LookupOptions {
  /**
   * A Bool column of the versions marking deletes (a source mirror's
   * `_asof_deleted`): a row whose chosen version is a delete finds no
   * version (its key is absent from the delete's version time on), and a
   * delete is never a row's earliest known version.
   */
  readonly tombstone?: string;
}

/** What {@link lookupRows} returns: the rows with the lookup's columns, and how each was found. */
export interface LookupResult {
  readonly table: Table;
  readonly counts: LookupCounts;
}

const MATCHED = 0;
const EARLIEST_KNOWN = 1;
const BEFORE_HISTORY = 2;
const NO_VERSION = 3;

/**
 * Applies one lookup (a dimension join as of each row's time): for each row,
 * the version of the lookup source's row whose primary key equals the row's
 * `on` columns, as it was at the row's `at` time (the latest version with
 * `versionTime <= at`, inclusive), or the latest version when `at` is null.
 * Versions with equal version times: the later one in `versions` wins.
 * A row older than every version of its key follows `beforeHistory`: null
 * columns, or the earliest version (among equal earliest times, the later
 * one in `versions`). Returns `rows` with the lookup's output columns
 * appended, in row order (then the basis column, if named); null where no
 * version applies: a key no version has, a null key or `at`, a row before
 * the history under `'null'`, or a null value in the chosen version.
 * `versions` holds every version of the lookup source's rows (with its
 * primary key columns, its version-time column and the looked-up columns).
 */
export function applyLookup(rows: Table, versions: Table, lookup: LookupJoin, options: LookupOptions = {}): Table {
  return lookupRows(rows, versions, lookup, options).table;
}

/**
 * {@link applyLookup}, also counting the rows by how they were found, so
 * that a run can report rows priced from a later version or not at all.
 *
 * A point-in-time join (see `chooseRows`): the spine is the rows with `at`
 * as spine time, the feature rows are the versions with the version time as
 * event time, no TTL; then one pass over the versions finds each key's
 * earliest one. Cost O((n + m) log m), no per-row objects.
 */
export function lookupRows(rows: Table, versions: Table, lookup: LookupJoin, options: LookupOptions = {}): LookupResult {
  const on = Object.entries(lookup.on);
  const outputs = Object.entries(lookup.columns);
  const basisColumn = lookup.basisColumn ?? null;
  const earliest = (lookup.beforeHistory ?? 'null') === 'earliestKnown';
  requireColumns(rows, [...on.map(([row]) => row), ...(lookup.at === null ? [] : [lookup.at])], 'rows');
  requireColumns(versions, [...on.map(([, key]) => key), lookup.versionTime, ...outputs.map(([, column]) => column)], 'lookup versions');
  for (const output of [...outputs.map(([name]) => name), ...(basisColumn === null ? [] : [basisColumn])]) {
    if (rows.getChild(output)) throw new InvalidInputError(`lookup output column '${output}' is already a column of the rows; rename the output`);
  }
  const versionTime = readMicrosColumn(versions, lookup.versionTime);
  if (versionTime.valid) {
    throw new InvalidInputError(
      `lookup version row ${versionTime.valid.indexOf(0)} has a null '${lookup.versionTime}'; every version needs a version time`,
    );
  }
  // Keys are named after the primary key columns on both sides; the time column gets a name no key has.
  const keys = on.map(([, key]) => key);
  let time = '__at';
  while (keys.includes(time)) time += '_';
  const spine = new Table({
    ...Object.fromEntries(on.map(([row, key]) => [key, rows.getChild(row)!])),
    [time]: lookup.at === null ? latest(rows.numRows, versionTime.micros) : rows.getChild(lookup.at)!,
  });
  const candidates = new Table({
    ...Object.fromEntries(on.map(([, key]) => [key, versions.getChild(key)!])),
    [time]: versions.getChild(lookup.versionTime)!,
  });
  const take = chooseRows(spine, candidates, { keys, spineTime: time, eventTime: time });
  // A delete chosen as the version in force means the key is gone by then: no version (and never an earliest one).
  const deleted = options.tombstone === undefined ? null : readTombstones(versions, options.tombstone);
  const gone = deleted ? new Uint8Array(take.length) : null;
  if (deleted) {
    for (let i = 0; i < take.length; i++) {
      if (take[i]! >= 0 && deleted[take[i]!]) {
        take[i] = -1;
        gone![i] = 1;
      }
    }
  }
  const basis = classify(spine, candidates, keys, take, versionTime.micros, lookup.at === null ? null : readMicrosColumn(spine, time).valid, earliest, deleted, gone);
  const columns: Vector[] = outputs.map(([, column]) => gather(versions.getChild(column)!, take));
  const fields = outputs.map(([output], i) => new Field(output, columns[i]!.type, true));
  if (basisColumn !== null) {
    columns.push(basisVector(basis));
    fields.push(new Field(basisColumn, new Utf8(), false));
  }
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < basis.length; i++) counts[basis[i]!]!++;
  return {
    table: assemble(rows, fields, columns),
    counts: { matched: counts[MATCHED]!, earliestKnown: counts[EARLIEST_KNOWN]!, beforeHistory: counts[BEFORE_HISTORY]!, noVersion: counts[NO_VERSION]! },
  };
}

/**
 * The basis code of every row, and (with `earliest`) the earliest version
 * written into `take` for rows before their key's history. A row the join
 * did not match has a known key whose versions are all later than its `at`
 * (there is no TTL), unless its key is unknown or null, its `at` is null,
 * or (`gone`) the version in force was a delete. Deletes are never a
 * key's earliest version.
 */
function classify(
  spine: Table,
  candidates: Table,
  keys: readonly string[],
  take: Int32Array,
  versionTimes: BigInt64Array,
  atValid: Uint8Array | null,
  earliest: boolean,
  deleted: Uint8Array | null,
  gone: Uint8Array | null,
): Uint8Array {
  const basis = new Uint8Array(take.length);
  let unmatched = false;
  for (let i = 0; i < take.length; i++) if (take[i]! < 0) unmatched = true;
  if (!unmatched) return basis;
  if (gone) for (let i = 0; i < take.length; i++) if (gone[i]) basis[i] = NO_VERSION;
  const dictionary = new KeyDictionary();
  const versionKey = dictionary.encode(candidates, keys, { insert: true }, 'lookup versions');
  const rowKey = dictionary.encode(spine, keys, { insert: false }, 'rows');
  // Each key's earliest version; on equal times the later one, as the join breaks ties.
  const first = new Int32Array(dictionary.count).fill(-1);
  for (let j = 0; j < versionKey.length; j++) {
    const g = versionKey[j]!;
    if (g < 0 || (deleted !== null && deleted[j])) continue;
    const k = first[g]!;
    if (k < 0 || versionTimes[j]! <= versionTimes[k]!) first[g] = j;
  }
  for (let i = 0; i < take.length; i++) {
    if (take[i]! >= 0 || (gone !== null && gone[i])) continue;
    const g = rowKey[i]!;
    if (g < 0 || first[g]! < 0 || (atValid !== null && !atValid[i])) {
      basis[i] = NO_VERSION;
    } else if (earliest) {
      basis[i] = EARLIEST_KNOWN;
      take[i] = first[g]!;
    } else {
      basis[i] = BEFORE_HISTORY;
    }
  }
  return basis;
}

// A Utf8 column from the basis codes: the four strings' bytes, no string per row.
function basisVector(basis: Uint8Array): Vector {
  const encoder = new TextEncoder();
  const words = LOOKUP_BASES.map((b) => encoder.encode(b));
  const offsets = new Int32Array(basis.length + 1);
  for (let i = 0; i < basis.length; i++) offsets[i + 1] = offsets[i]! + words[basis[i]!]!.length;
  const data = new Uint8Array(offsets[basis.length]!);
  for (let i = 0; i < basis.length; i++) data.set(words[basis[i]!]!, offsets[i]!);
  return makeVector(makeData({ type: new Utf8(), length: basis.length, valueOffsets: offsets, data, nullCount: 0 }));
}

// "Latest version" is "as of the greatest version time": exact, and keeps the join on its fast path.
function latest(n: number, versionTimes: BigInt64Array): Vector {
  let max = 0n;
  for (let i = 0; i < versionTimes.length; i++) if (i === 0 || versionTimes[i]! > max) max = versionTimes[i]!;
  return microsVector(new BigInt64Array(n).fill(max));
}

function requireColumns(table: Table, names: readonly string[], role: string): void {
  const available = table.schema.fields.map((f) => f.name);
  for (const name of names) {
    if (!available.includes(name)) {
      throw new InvalidInputError(`column '${name}' not found in the ${role}; they have ${available.join(', ') || 'no columns'}`);
    }
  }
}
