import type { Table } from 'apache-arrow';
import { KeyDictionary } from './keys.js';

/** The entities of a table: a dense id per row (-1 for a null key) and the first row of each id. */
export interface KeyGroups {
  /** Per row, its entity's id `0 .. count - 1`, or -1 when a key is null. */
  readonly group: Int32Array;
  /** Per id, the first row with that key, in first-appearance order. */
  readonly first: Int32Array;
}

/**
 * Groups a table's rows by their key columns (integers by value, strings
 * by content), with typed arrays only: no per-row objects or `bigint`s.
 */
export function keyGroups(table: Table, keys: readonly string[]): KeyGroups {
  const dictionary = new KeyDictionary();
  const group = dictionary.encode(table, keys, { insert: true });
  const first = new Int32Array(dictionary.count).fill(-1);
  for (let i = 0; i < group.length; i++) {
    const g = group[i]!;
    if (g >= 0 && first[g] === -1) first[g] = i;
  }
  return { group, first };
}
