/**
 * The source connector contract against the real MariaDB: each harness a
 * fresh database, written to by a connection of its own (another writer),
 * read by a user of its own with a random password (which no identity may
 * hold; the service account's 'asof' is in every test database's name).
 */
import { randomBytes } from 'node:crypto';
import { formatMicros, parseIsoMicros, type DType, type JsRow } from '@asof/core';
import { ensureServices } from '../../../../../test/helpers/services.js';
import { describeSourceConnector, type SourceTableSpec } from '../../sources/source-connector.contract.js';
import { MySqlConnector } from './connector.js';
import { quoteIdentifier as q } from './sql.js';
import { createTestDatabase } from './testing/test-database.js';

function sqlType(dtype: DType): string {
  switch (dtype.kind) {
    case 'int64':
      return 'BIGINT';
    case 'int32':
      return 'INT';
    case 'string':
      return 'VARCHAR(100)';
    case 'timestamp':
      return 'DATETIME(6)';
    case 'decimal': {
      const d = dtype as unknown as { precision: number; scale: number };
      return `DECIMAL(${d.precision},${d.scale})`;
    }
    case 'bool':
      return 'BOOLEAN';
    case 'float64':
      return 'DOUBLE';
    case 'date':
      return 'DATE';
    default:
      throw new Error(`no MySQL type for ${dtype.kind} in this harness`);
  }
}

/** A value as MySQL takes it bound: µs timestamps as UTC wall-clock text, bigints as text. */
function sqlValue(dtype: DType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (dtype.kind === 'timestamp') return formatMicros(value as bigint).replace('T', ' ').replace('Z', '');
  if (typeof value === 'bigint') return String(value);
  return value;
}

describeSourceConnector('mysql (MariaDB)', async (tables) => {
  const env = ensureServices('mariadb');
  const db = await createTestDatabase(env.ASOF_MYSQL_URL!);
  const specs = new Map<string, SourceTableSpec>(Object.entries(tables));
  const insert = async (table: string, rows: readonly JsRow[]) => {
    if (rows.length === 0) return;
    const columns = Object.entries(specs.get(table)!.columns);
    const placeholders = rows.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
    const values = rows.flatMap((row) => columns.map(([name, dtype]) => sqlValue(dtype, row[name])));
    await db.admin.query(`INSERT INTO ${q(table)} (${columns.map(([n]) => q(n)).join(', ')}) VALUES ${placeholders}`, values);
  };
  for (const [table, spec] of specs) {
    const columns = Object.entries(spec.columns).map(([name, dtype]) => `${q(name)} ${sqlType(dtype)}${spec.primaryKey.includes(name) ? ' NOT NULL' : ' NULL'}`);
    await db.admin.query(`CREATE TABLE ${q(table)} (${columns.join(', ')}, PRIMARY KEY (${spec.primaryKey.map(q).join(', ')}))`);
    await insert(table, spec.rows);
  }
  const user = `src_${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  await db.admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; CREATE USER '${user}'@'localhost' IDENTIFIED BY '${password}'; GRANT SELECT ON \`${db.name}\`.* TO '${user}'@'%'; GRANT SELECT ON \`${db.name}\`.* TO '${user}'@'localhost'`);
  const url = Object.assign(new URL(db.url), { username: user, password }).href;
  const connectors: MySqlConnector[] = [];
  return {
    connect: () => {
      const connector = new MySqlConnector({ url });
      connectors.push(connector);
      return connector;
    },
    insert,
    async remove(table, keys) {
      const pk = specs.get(table)!.primaryKey;
      for (const key of keys) {
        await db.admin.query(`DELETE FROM ${q(table)} WHERE ${pk.map((k) => `${q(k)} = ?`).join(' AND ')}`, pk.map((k) => sqlValue(specs.get(table)!.columns[k]!, key[k])));
      }
    },
    async dropColumn(table, column) {
      await db.admin.query(`ALTER TABLE ${q(table)} DROP COLUMN ${q(column)}`);
    },
    async now() {
      const [rows] = (await db.admin.query("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%fZ') AS t")) as unknown as [{ t: string }[]];
      return parseIsoMicros(rows[0]!.t);
    },
    secrets: [password, user],
    async close() {
      await Promise.all(connectors.map((c) => c.close()));
      await db.admin.query(`DROP USER IF EXISTS '${user}'@'%'; DROP USER IF EXISTS '${user}'@'localhost'`);
      await db.drop();
    },
  };
});
