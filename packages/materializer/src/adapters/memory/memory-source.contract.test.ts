/**
 * The source connector contract for the in-memory source: its tables are
 * a record another writer swaps tables into (each write a new Arrow
 * table), and its clock a counter that each write moves on; a connector
 * shows the tables as of its `asOf`, the clock when it was made.
 */
import { rowsToTable, tableToRows, type JsRow } from '@asof/core';
import type { Table } from 'apache-arrow';
import { describeSourceConnector } from '../../sources/source-connector.contract.js';
import { TableSourceConnector } from './table-connector.js';

/** 2024-06-01T00:00:00Z in µs: the clock's start. */
const START = 1_717_200_000_000_000n;

describeSourceConnector('in memory', async (specs) => {
  const tables: Record<string, Table> = {};
  const columns = (table: string) => specs[table]!.columns;
  for (const [name, spec] of Object.entries(specs)) tables[name] = rowsToTable([...spec.rows], spec.columns, Object.keys(spec.columns));
  let clock = START;
  const write = (table: string, rows: JsRow[]) => {
    tables[table] = rowsToTable(rows, columns(table), Object.keys(columns(table)));
    clock += 1n;
  };
  const key = (row: JsRow, table: string) => specs[table]!.primaryKey.map((k) => String(row[k])).join('\u0000');
  return {
    connect: () => new TableSourceConnector(tables, { name: 'contract', asOf: clock }),
    async insert(table, rows) {
      write(table, [...tableToRows(tables[table]!), ...rows]);
    },
    async remove(table, keys) {
      const gone = new Set(keys.map((k) => key(k, table)));
      write(table, tableToRows(tables[table]!).filter((row) => !gone.has(key(row, table))));
    },
    async dropColumn(table, column) {
      tables[table] = tables[table]!.select(Object.keys(columns(table)).filter((c) => c !== column));
      clock += 1n;
    },
    now: async () => clock,
    secrets: [],
    close: async () => {},
  };
});
