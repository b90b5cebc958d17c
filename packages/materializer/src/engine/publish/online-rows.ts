import { chooseRows, microsVector, takeTable, TOMBSTONE_COLUMN, type AnyFeatureView } from '@asof/core';
import { Bool, makeData, makeVector, Table } from 'apache-arrow';
import { EVENT_TS } from '../compute/compute-view.js';

/**
 * The row each entity shows at `at`: per entity of `rows` (feature rows of
 * one view: keys, `event_ts`, features, optionally the tombstone column),
 * the row a point-in-time lookup at `at` chooses; entities with no row at or
 * before `at` are left out. With `createdAt`, the rows get that created
 * time (the online store orders writes by it).
 */
export function latestAt(view: AnyFeatureView, rows: Table, at: bigint, createdAt?: bigint): Table {
  if (rows.numRows === 0) return rows;
  const times = microsVector(new BigInt64Array(rows.numRows).fill(at));
  const spine = new Table({ ...Object.fromEntries(view.joinKeyNames.map((k) => [k, rows.getChild(k)!])), __at: times });
  const take = chooseRows(spine, rows, { keys: view.joinKeyNames, spineTime: '__at', eventTime: EVENT_TS, createdTime: rows.getChild('created_ts') ? 'created_ts' : undefined });
  const chosen = new Uint8Array(rows.numRows);
  for (const j of take) if (j >= 0) chosen[j] = 1;
  const keep: number[] = [];
  chosen.forEach((c, j) => c && keep.push(j));
  const latest = takeTable(rows, Int32Array.from(keep));
  if (createdAt === undefined) return latest;
  const columns = Object.fromEntries(latest.schema.fields.filter((f) => f.name !== 'created_ts').map((f) => [f.name, latest.getChild(f.name)!]));
  columns.created_ts = microsVector(new BigInt64Array(latest.numRows).fill(createdAt));
  if (!columns[TOMBSTONE_COLUMN]) {
    columns[TOMBSTONE_COLUMN] = makeVector(makeData({ type: new Bool(), length: latest.numRows, data: new Uint8Array(((latest.numRows + 63) & ~63) >> 3) }));
  }
  return new Table(columns);
}
