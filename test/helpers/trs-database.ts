/**
 * A fresh MariaDB database for one test file, loaded with a TRS state:
 * created on the test server (started by the project's scripts), dropped by
 * `drop()`. `url` is the `--source` URL of that database.
 */
import { randomBytes } from 'node:crypto';
import { createMySqlWritePool, type MySqlWritePool } from '@asof/materializer/mysql';
import { loadTrsIntoMySql } from '../../examples/trs/load-mysql.js';
import type { TrsState } from '../../examples/trs/state-at.js';
import { ensureServices } from './services.js';

/** A loaded test database and how to reach and remove it. */
export interface TrsDatabase {
  readonly name: string;
  readonly pool: MySqlWritePool;
  /** `mysql://…/<name>` */
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates a database named `<label>_<pid>_<random>` and loads `state` into it. */
export async function createTrsDatabase(label: string, state: TrsState): Promise<TrsDatabase> {
  const env = ensureServices('mariadb');
  const name = `${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = createMySqlWritePool({ url: env.ASOF_MYSQL_URL! });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const pool = createMySqlWritePool({ url: env.ASOF_MYSQL_URL!, database: name });
  await loadTrsIntoMySql(pool, state);
  const url = new URL(env.ASOF_MYSQL_URL!);
  url.pathname = `/${name}`;
  return {
    name,
    pool,
    url: url.href,
    async drop() {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}
