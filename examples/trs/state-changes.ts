/**
 * The difference between two states of the source: the rows of the later
 * state whose `updated_at` lies after the earlier state's instant. TRS never
 * deletes rows (a cancelled invoice is `void`), so these upserts alone move a
 * database from the earlier state to the later one.
 */
import { gather, InvalidInputError, readMicrosColumn } from '@asof/core';
import { makeData, RecordBatch, Struct, Table } from 'apache-arrow';
import { TRS_TABLES, type TrsTableName } from './arrow-schema.js';
import type { TrsState } from './state-at.js';

/** The rows of `to` changed after `from.asOfMicros` (see the module comment); `asOfMicros` is `to`'s. */
export function changesBetween(from: TrsState, to: TrsState): TrsState {
  if (from.asOfMicros > to.asOfMicros) {
    throw new InvalidInputError(`changes run forwards only: from ${from.asOfMicros} µs is after to ${to.asOfMicros} µs`);
  }
  const tables = {} as Record<TrsTableName, Table>;
  for (const name of TRS_TABLES) tables[name] = updatedAfter(to.tables[name], from.asOfMicros);
  return { asOfMicros: to.asOfMicros, tables };
}

/** The rows of `table` whose `updated_at` is after `since` (µs), in table order. */
export function updatedAfter(table: Table, since: bigint): Table {
  const { micros } = readMicrosColumn(table, 'updated_at');
  const take: number[] = [];
  for (let i = 0; i < micros.length; i++) if (micros[i]! > since) take.push(i);
  const rows = Int32Array.from(take);
  const children = table.schema.fields.map((field) => gather(table.getChild(field.name)!, rows).data[0]!);
  const data = makeData({ type: new Struct(table.schema.fields), length: rows.length, nullCount: 0, children });
  return new Table([new RecordBatch(table.schema, data)]);
}
