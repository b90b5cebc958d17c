import { columnValues, InvalidInputError, TOMBSTONE_COLUMN } from '@asof/core';
import { DataType, type Vector } from 'apache-arrow';

/** Rows with named columns: a record batch or a table. */
export interface Columns {
  readonly numRows: number;
  getChild(name: string): Vector | null;
}

/** Each row's primary key as one string (the columns' values joined by NUL). */
export function keyStrings(batch: Columns, pk: readonly string[], where: string): string[] {
  const keys = pk.map((k) => {
    const column = batch.getChild(k);
    if (!column) throw new InvalidInputError(`primary key column '${k}' is missing from ${where}`);
    return columnValues(column, k);
  });
  if (keys.length === 1) return keys[0]!.map(String);
  return Array.from({ length: batch.numRows }, (_, i) => keys.map((values) => String(values[i])).join('\u0000'));
}

/**
 * A version's identity in a mirror: its primary key, its version time and
 * whether it is a delete (so a delete at the same instant as a version of
 * the same key is a version of its own, not a repeat of it).
 */
export function versionId(key: string, time: bigint, deleted: boolean): string {
  return deleted ? `${key}\u0000${time}\u0000-` : `${key}\u0000${time}`;
}

/**
 * The `_asof_deleted` flags of a batch (1 for a delete). `required`: the
 * column must be there, Bool and never null (a capture's row versions);
 * otherwise a missing column or a null reads as not deleted (mirror files
 * written before deletes existed).
 */
export function deletedFlags(batch: Columns, where: string, required: boolean): Uint8Array {
  const out = new Uint8Array(batch.numRows);
  const column = batch.getChild(TOMBSTONE_COLUMN);
  if (!column) {
    if (required) throw new InvalidInputError(`${where} has no '${TOMBSTONE_COLUMN}' column; every row version says whether it is a delete (a Bool, never null)`);
    return out;
  }
  if (!DataType.isBool(column.type)) throw new InvalidInputError(`'${TOMBSTONE_COLUMN}' of ${where} is ${String(column.type)}; it must be Bool`);
  let pos = 0;
  for (const data of column.data) {
    const bits = data.values as Uint8Array;
    for (let i = 0; i < data.length; i++) {
      if (!data.getValid(i)) {
        if (required) throw new InvalidInputError(`row ${pos + i} of ${where} has a null '${TOMBSTONE_COLUMN}'; say true (a delete) or false`);
        continue;
      }
      const bit = data.offset + i;
      out[pos + i] = bits[bit >> 3]! & (1 << (bit & 7)) ? 1 : 0;
    }
    pos += data.length;
  }
  return out;
}
