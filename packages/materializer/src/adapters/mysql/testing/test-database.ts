/**
 * A throw-away database on the test MariaDB (not part of the build): each
 * test file gets its own, so files run in parallel without seeing each
 * other's tables, and drops it at the end.
 */
import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import type { MySqlConnectorConfig } from '../config.js';

/** A fresh database and an admin connection to it. */
export interface TestDatabase {
  readonly name: string;
  /** `mysql://…/<name>`. */
  readonly url: string;
  /** Raw mysql2 connection on the database (multiple statements allowed), for DDL and writes. */
  readonly admin: Connection;
  /** Opens another raw connection on the database (e.g. a concurrent writer). */
  connect(): Promise<Connection>;
  /** Connector settings for this database, with overrides. */
  config(overrides?: MySqlConnectorConfig): MySqlConnectorConfig;
  /** Drops the database and closes the admin connection. */
  drop(): Promise<void>;
}

/** Creates `asof_test_<random>` on the server `url` points at. */
export async function createTestDatabase(url: string): Promise<TestDatabase> {
  const name = `asof_test_${randomBytes(5).toString('hex')}`;
  const base = new URL(url);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  const options = {
    host: base.hostname,
    port: Number(base.port || 3306),
    user: decodeURIComponent(base.username),
    password: decodeURIComponent(base.password),
    multipleStatements: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z',
    charset: 'utf8mb4',
  } as const;
  const bootstrap = await createConnection(options);
  await bootstrap.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await bootstrap.end();
  const connect = async (): Promise<Connection> => {
    const c = await createConnection({ ...options, database: name });
    await c.query("SET time_zone = '+00:00'");
    return c;
  };
  const admin = await connect();
  return {
    name,
    url: dbUrl.toString(),
    admin,
    connect,
    config: (overrides = {}) => ({ url: dbUrl.toString(), ...overrides }),
    async drop() {
      try {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await admin.end();
      }
    },
  };
}
