import { chooseRows, takeTable, TOMBSTONE_COLUMN, type Source } from '@asof/core';
import { makeData, makeVector, Table } from 'apache-arrow';
import { primaryKeyOf } from '../relation.js';

/**
 * The state of a mirrored source at one instant: for each primary key, the
 * latest version with `event_ts` (its version time) at or before `at`; ties
 * go to the later write. A key whose latest version is a delete
 * (`_asof_deleted`) has no row: it did not exist then. Computed as a
 * point-in-time join of every version's key onto the versions, so it
 * follows exactly the join's rule. The delete flag is not part of the
 * rows returned.
 */
export function latestVersions(versions: Table, source: Source, at: bigint): Table {
  const pk = primaryKeyOf(source);
  if (versions.numRows === 0) return withoutFlag(versions);
  const asOf = makeVector(
    makeData({ type: versions.getChild('event_ts')!.type, length: versions.numRows, data: new BigInt64Array(versions.numRows).fill(at) }),
  );
  const spine = new Table({ ...Object.fromEntries(pk.map((k) => [k, versions.getChild(k)!])), __as_of: asOf });
  const tombstone = versions.getChild(TOMBSTONE_COLUMN) ? TOMBSTONE_COLUMN : undefined;
  const take = chooseRows(spine, versions, { keys: pk, spineTime: '__as_of', eventTime: 'event_ts', tombstone });
  // Each key's chosen version is picked once per version of that key: keep it once, in input order.
  const chosen = new Uint8Array(versions.numRows);
  for (const j of take) if (j >= 0) chosen[j] = 1;
  const rows: number[] = [];
  chosen.forEach((c, j) => c && rows.push(j));
  return withoutFlag(takeTable(versions, Int32Array.from(rows)));
}

function withoutFlag(table: Table): Table {
  return table.getChild(TOMBSTONE_COLUMN) ? table.select(table.schema.fields.map((f) => f.name).filter((n) => n !== TOMBSTONE_COLUMN)) : table;
}
