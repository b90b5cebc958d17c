import { Field, Table, type Vector } from 'apache-arrow';
import { gather } from '../arrow/gather.js';
import { microsVector, readMicrosColumn } from '../arrow/time-column.js';
import type { ResolvedLookup } from '../definitions/lookup.js';
import { InvalidInputError } from '../errors.js';
import { assemble, chooseRows } from './point-in-time-join.js';

/** The parts of a {@link ResolvedLookup} {@link applyLookup} reads; a view's `lookups[i]` is one. */
export type LookupJoin = Pick<ResolvedLookup, 'on' | 'at' | 'columns' | 'versionTime'>;

/**
 * Applies one lookup (a dimension join as of each row's time): for each row,
 * the version of the lookup source's row whose primary key equals the row's
 * `on` columns, as it was at the row's `at` time (the latest version with
 * `versionTime <= at`, inclusive), or the latest version when `at` is null.
 * Versions with equal version times: the later one in `versions` wins.
 * Returns `rows` with the lookup's output columns appended, in row order;
 * null where no version qualifies, where a key or `at` is null, or where
 * the chosen version's value is null. `versions` holds every version of the
 * lookup source's rows (with its primary key columns, its version-time
 * column and the looked-up columns).
 *
 * A point-in-time join (see `chooseRows`): the spine is the rows with `at`
 * as spine time, the feature rows are the versions with the version time as
 * event time, no TTL. Cost O((n + m) log m), no per-row objects.
 */
export function applyLookup(rows: Table, versions: Table, lookup: LookupJoin): Table {
  const on = Object.entries(lookup.on);
  const outputs = Object.entries(lookup.columns);
  requireColumns(rows, [...on.map(([row]) => row), ...(lookup.at === null ? [] : [lookup.at])], 'rows');
  requireColumns(versions, [...on.map(([, key]) => key), lookup.versionTime, ...outputs.map(([, column]) => column)], 'lookup versions');
  for (const [output] of outputs) {
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
  const columns: Vector[] = outputs.map(([, column]) => gather(versions.getChild(column)!, take));
  const fields = outputs.map(([output], i) => new Field(output, columns[i]!.type, true));
  return assemble(rows, fields, columns);
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
