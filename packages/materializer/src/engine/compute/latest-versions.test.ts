import { bool, int64, rowsToTable, string, tableToRows, timestamp, TOMBSTONE_COLUMN, mysqlTable } from '@asof/core';
import { describe, expect, it } from 'vitest';
import { latestVersions } from './latest-versions.js';

const items = mysqlTable({ name: 'items', table: 'items', primaryKey: ['id'], timestampField: 'updated_at', updatedAtField: 'updated_at', columns: { id: int64(), name: string(), updated_at: timestamp() } });
const types = { id: int64(), name: string(), updated_at: timestamp(), event_ts: timestamp(), created_ts: timestamp() };
const version = (id: bigint, name: string | null, t: bigint, deleted?: boolean) => ({ id, name, updated_at: t, event_ts: t, created_ts: t, ...(deleted === undefined ? {} : { [TOMBSTONE_COLUMN]: deleted }) });

describe('latestVersions', () => {
  it('gives each key its latest version at the instant; a key whose latest version then is a delete has no row; the flag is not part of the rows', () => {
    const mirror = rowsToTable(
      [version(1n, 'a', 1n, false), version(1n, null, 5n, true), version(1n, 'b', 9n, false), version(2n, 'x', 1n, false), version(2n, null, 1n, true), version(3n, 'y', 2n, null as never)],
      { ...types, [TOMBSTONE_COLUMN]: bool() },
    );
    const at = (t: bigint) => tableToRows(latestVersions(mirror, items, t)).map((r) => `${r.id}:${r.name}`);
    expect(at(4n)).toEqual(['1:a', '3:y']); // 2: deleted at the instant of its version, written after it
    expect(at(5n)).toEqual(['3:y']);
    expect(at(9n)).toEqual(['1:b', '3:y']); // re-created after its delete
    expect(latestVersions(mirror, items, 9n).schema.fields.map((f) => f.name)).not.toContain(TOMBSTONE_COLUMN);
  });

  it('reads versions without the flag (mirrors written before deletes existed) as they always were', () => {
    const mirror = rowsToTable([version(1n, 'a', 1n), version(1n, 'b', 3n)], types);
    expect(tableToRows(latestVersions(mirror, items, 2n)).map((r) => r.name)).toEqual(['a']);
  });
});
