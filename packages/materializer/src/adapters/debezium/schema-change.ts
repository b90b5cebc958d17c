/**
 * Messages of the schema change topic (`<topic.prefix>`, key
 * `{"databaseName":…}`): the DDL the connector applied and, per table,
 * its structure afterwards (`tableChanges[]`: `type` CREATE/ALTER/DROP,
 * `id` `"db"."table"` (two, comma-separated, for a rename), `table` with
 * `primaryKeyColumnNames` and `columns[]` of `name`, `typeName`,
 * `typeExpression`, `length`, `scale`, `optional`). Each table a source
 * reads is compared with the source's declared columns through the MySQL
 * adapter's own type map, so drift is named as a batch extract would.
 */
import { dtypeToJson, type DecimalDType, type DType } from '@asof/core';
import { planColumn, type NativeType } from '../mysql/type-map.js';
import type { SchemaColumn, TableSchemaChange } from './changes.js';
import { undecodable } from './dead-letter.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json-parse.js';
import { metadataInteger } from './number-values.js';
import type { MappedSource, ResolvedOptions } from './options.js';
import { findSource } from './topics.js';

type Column = SchemaColumn;

/** The `tableChanges` of a schema change payload, each with its source and drift. */
export function readTableChanges(payload: JsonObject, options: ResolvedOptions): TableSchemaChange[] {
  const changes = payload.tableChanges ?? [];
  if (!Array.isArray(changes)) undecodable('bad-envelope', 'tableChanges of a schema change is not an array');
  const databaseName = typeof payload.databaseName === 'string' ? payload.databaseName : null;
  return changes.map((change, i) => readTableChange(change, i, databaseName, options));
}

function readTableChange(raw: JsonValue, i: number, databaseName: string | null, options: ResolvedOptions): TableSchemaChange {
  if (!isJsonObject(raw) || typeof raw.type !== 'string' || typeof raw.id !== 'string') {
    undecodable('bad-envelope', `tableChanges[${i}] of a schema change has no type or id`);
  }
  const ids = splitIds(raw.id);
  const [db, table] = ids[ids.length - 1]!;
  const renamedFrom = ids.length > 1 ? ids[0]![1] : null;
  const tableJson = isJsonObject(raw.table) ? raw.table : null;
  const columns = tableJson && Array.isArray(tableJson.columns) ? tableJson.columns.map((c, k) => readColumn(c, i, k)) : [];
  const primaryKey = tableJson && Array.isArray(tableJson.primaryKeyColumnNames) ? tableJson.primaryKeyColumnNames.filter((c): c is string => typeof c === 'string') : [];
  const dbName = db ?? databaseName;
  const source = findSource(dbName, table, options);
  const renamedSource = renamedFrom !== null ? findSource(ids[0]![0] ?? databaseName, renamedFrom, options) : null;
  const type = raw.type.toUpperCase();
  let drift: string[] = [];
  if (renamedSource && renamedSource !== source) drift = [`table '${renamedFrom}' was renamed to '${table}'`];
  else if (source && type === 'DROP') drift = ['table dropped'];
  else if (source && tableJson) drift = columnDrift(source, columns, primaryKey);
  return {
    type,
    db: dbName,
    table,
    renamedFrom,
    source: (renamedSource ?? source)?.name ?? null,
    primaryKey,
    columns,
    drift,
  };
}

/** `"db"."table"` (quoted or not), or two of them separated by a comma for a rename. */
function splitIds(id: string): [string | null, string][] {
  const groups: string[][] = [[]];
  let current = '';
  let quoted = false;
  for (let i = 0; i < id.length; i++) {
    const c = id[i]!;
    if (quoted) {
      if (c !== '"') current += c;
      else if (id[i + 1] === '"') (current += '"'), i++;
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '.') groups[groups.length - 1]!.push(current), (current = '');
    else if (c === ',') groups[groups.length - 1]!.push(current), groups.push([]), (current = '');
    else current += c;
  }
  groups[groups.length - 1]!.push(current);
  const ids = groups.map((g): [string | null, string] => (g.length === 1 ? [null, g[0]!.trim()] : [g[0]!.trim(), g[g.length - 1]!.trim()]));
  if (quoted || groups.some((g) => g.length > 2) || ids.some(([, table]) => table === '')) {
    undecodable('bad-envelope', `schema change table id ${JSON.stringify(id)} is not "db"."table"`);
  }
  return ids;
}

function readColumn(raw: JsonValue, i: number, k: number): Column {
  if (!isJsonObject(raw) || typeof raw.name !== 'string' || typeof raw.typeName !== 'string') {
    undecodable('bad-envelope', `tableChanges[${i}].table.columns[${k}] has no name or typeName`);
  }
  return {
    name: raw.name,
    typeName: raw.typeName,
    typeExpression: typeof raw.typeExpression === 'string' ? raw.typeExpression : null,
    length: metadataInteger(raw.length),
    scale: metadataInteger(raw.scale),
    optional: raw.optional === true,
  };
}

/** What no longer matches between a source's declared columns and a table's new structure. */
function columnDrift(source: MappedSource, columns: readonly Column[], primaryKey: readonly string[]): string[] {
  const drift: string[] = [];
  const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  source.columns.forEach((name, i) => {
    const column = byName.get(name.toLowerCase());
    if (!column) {
      drift.push(`column '${name}' was dropped (or renamed)`);
      return;
    }
    const dtype = planColumn(column.name, nativeOf(column), column.optional).dtype;
    const declared = source.dtypes[i]!;
    if (JSON.stringify(dtypeToJson(dtype)) !== JSON.stringify(dtypeToJson(declared))) {
      drift.push(`column '${name}' is now ${column.typeExpression ?? column.typeName} (${describe(dtype)}), declared ${describe(declared)}`);
    }
  });
  const declaredKey = source.source.primaryKey ?? [];
  if (primaryKey.length > 0 && (primaryKey.length !== declaredKey.length || primaryKey.some((c, k) => c.toLowerCase() !== declaredKey[k]!.toLowerCase()))) {
    drift.push(`primary key is now (${primaryKey.join(', ')}), declared (${declaredKey.join(', ')})`);
  }
  return drift;
}

/** A schema-history column as the MySQL adapter's native type. */
function nativeOf(column: Column): NativeType {
  const name = column.typeName.toLowerCase();
  const base = name.split(/\s+/)[0]!;
  const unsigned = /\bunsigned\b/.test(name) || /\bunsigned\b/i.test(column.typeExpression ?? '');
  if (base === 'bool' || base === 'boolean') return { base: 'tinyint', unsigned: false, precision: 1, scale: null, text: 'tinyint(1)' };
  const numeric = base === 'decimal' || base === 'numeric' || base === 'tinyint';
  return {
    base,
    unsigned,
    precision: numeric ? column.length : null,
    scale: base === 'decimal' || base === 'numeric' ? (column.scale ?? 0) : null,
    text: (column.typeExpression ?? column.typeName).toLowerCase(),
  };
}

function describe(dtype: DType): string {
  return dtype.kind === 'decimal' ? `decimal(${(dtype as DecimalDType).precision},${(dtype as DecimalDType).scale})` : dtype.kind;
}
