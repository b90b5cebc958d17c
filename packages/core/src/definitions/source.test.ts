import { describe, expect, it } from 'vitest';
import { csvSource, DefinitionError, int64, isSource, mysqlQuery, mysqlTable, parquetSource, string, timestamp } from '@asof/core';

describe('sources', () => {
  it('describes a MySQL table with defaults', () => {
    const s = mysqlTable({ name: 'invoices', table: 'trs.invoices', timestampField: 'issued_at', updatedAtField: 'updated_at' });
    expect(s).toEqual({
      kind: 'mysql_table',
      name: 'invoices',
      table: 'trs.invoices',
      timestampField: 'issued_at',
      createdTimestampField: null,
      updatedAtField: 'updated_at',
      columns: null,
      primaryKey: null,
      description: undefined,
    });
    expect(isSource(s)).toBe(true);
    expect(Object.isFrozen(s)).toBe(true);
    expect(() => {
      (s as { table: string }).table = 'x';
    }).toThrow(TypeError);
  });

  it('keeps declared columns frozen and canonical', () => {
    const s = parquetSource({
      name: 'events',
      path: ' data/events/*.parquet ',
      timestampField: 'ts',
      createdTimestampField: 'loaded_at',
      columns: { id: int64(), ts: timestamp(), loaded_at: timestamp(), kind: string() },
    });
    expect(s.path).toBe('data/events/*.parquet');
    expect(Object.keys(s.columns!)).toEqual(['id', 'ts', 'loaded_at', 'kind']);
    expect(Object.isFrozen(s.columns)).toBe(true);
  });

  it('takes a primary key on every builder, frozen and not aliased', () => {
    const key = ['sku_id'];
    const columns = { sku_id: int64(), updated_at: timestamp() };
    const built = [
      mysqlTable({ name: 'skus', table: 'skus', timestampField: 'updated_at', primaryKey: key }),
      mysqlQuery({ name: 'skus', sql: 'SELECT * FROM skus', timestampField: 'updated_at', primaryKey: key, columns }),
      parquetSource({ name: 'skus', path: 'skus.parquet', timestampField: 'updated_at', primaryKey: key }),
      csvSource({ name: 'skus', path: 'skus.csv', timestampField: 'updated_at', primaryKey: key, columns }),
    ];
    key.push('other');
    for (const s of built) {
      expect(s.primaryKey).toEqual(['sku_id']);
      expect(Object.isFrozen(s.primaryKey)).toBe(true);
    }
    const composite = parquetSource({ name: 'lines', path: 'l.parquet', timestampField: 'ts', primaryKey: ['invoice_id', 'line_no'] });
    expect(composite.primaryKey).toEqual(['invoice_id', 'line_no']);
  });

  it('describes queries and CSV files', () => {
    expect(mysqlQuery({ name: 'paid', sql: ' SELECT * FROM invoices ', timestampField: 'paid_at' }).sql).toBe('SELECT * FROM invoices');
    expect(csvSource({ name: 'c', path: 'a.csv', timestampField: 'ts' }).delimiter).toBe(',');
    expect(csvSource({ name: 'c', path: 'a.csv', timestampField: 'ts', delimiter: ';' }).delimiter).toBe(';');
  });

  it.each([
    ['a bad name', () => mysqlTable({ name: 'Invoices', table: 'invoices', timestampField: 'ts' }), /source name "Invoices".*'invoices'/],
    ['no timestampField', () => mysqlTable({ name: 'i', table: 'invoices' } as never), /needs timestampField/],
    ['a blank timestampField', () => mysqlTable({ name: 'i', table: 'invoices', timestampField: ' ' }), /timestampField must be a column name/],
    ['created = event time', () => mysqlTable({ name: 'i', table: 't', timestampField: 'ts', createdTimestampField: 'ts' }), /must differ/],
    ['a bad table', () => mysqlTable({ name: 'i', table: 'in voices', timestampField: 'ts' }), /'schema.table'/],
    ['empty sql', () => mysqlQuery({ name: 'q', sql: '  ', timestampField: 'ts' }), /needs sql/],
    ['a trailing semicolon', () => mysqlQuery({ name: 'q', sql: 'SELECT 1;', timestampField: 'ts' }), /trailing ';'/],
    ['no path', () => parquetSource({ name: 'p', timestampField: 'ts' } as never), /needs path/],
    ['a long delimiter', () => csvSource({ name: 'c', path: 'a.csv', timestampField: 'ts', delimiter: '||' }), /single character/],
    ['empty columns', () => parquetSource({ name: 'p', path: 'x', timestampField: 'ts', columns: {} }), /non-empty record/],
    ['a non-dtype column', () => parquetSource({ name: 'p', path: 'x', timestampField: 'ts', columns: { ts: 'x' as never } }), /'ts' must map to a dtype/],
    ['an undeclared timestampField', () => parquetSource({ name: 'p', path: 'x', timestampField: 'ts', columns: { t: timestamp() } }), /'ts' is not among the declared columns/],
    ['an undeclared updatedAtField', () => mysqlTable({ name: 'i', table: 't', timestampField: 'ts', updatedAtField: 'u', columns: { ts: timestamp() } }), /'u' is not among/],
    ['no config', () => csvSource(null as never), /csvSource takes one config object/],
    ['an empty primaryKey', () => mysqlTable({ name: 'i', table: 't', timestampField: 'ts', primaryKey: [] }), /primaryKey must be a non-empty list/],
    ['a string primaryKey', () => mysqlTable({ name: 'i', table: 't', timestampField: 'ts', primaryKey: 'id' as never }), /primaryKey must be a non-empty list.*\['sku_id'\]/],
    ['a repeated primaryKey column', () => mysqlQuery({ name: 'q', sql: 'SELECT 1', timestampField: 'ts', primaryKey: ['id', 'id'] }), /lists 'id' twice/],
    ['a non-identifier primaryKey column', () => parquetSource({ name: 'p', path: 'x', timestampField: 'ts', primaryKey: ['sku id'] }), /"sku id" must be an identifier/],
    ['an undeclared primaryKey column', () => csvSource({ name: 'c', path: 'a.csv', timestampField: 'ts', primaryKey: ['id'], columns: { ts: timestamp() } }), /primaryKey column 'id' is not among the declared columns/],
  ])('rejects %s', (_, build, message) => {
    expect(build).toThrow(DefinitionError);
    expect(build).toThrow(message);
  });
});
