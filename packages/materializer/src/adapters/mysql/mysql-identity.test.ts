/**
 * `MySqlConnector.identity` against the real MariaDB: what it reads, that
 * every spelling of the same address and every user give the same source,
 * that it never holds a credential, and how the rule of
 * engine/source-identity/rule.ts judges what MariaDB really does on ALTER
 * TABLE and on re-creating tables.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Relation, SourceIdentity } from '@asof/core';
import { ensureServices } from '../../../../../test/helpers/services.js';
import { compareIdentities } from '../../engine/source-identity/rule.js';
import { MySqlConnector } from './connector.js';
import { createTestDatabase, type TestDatabase } from './testing/test-database.js';
import type { MySqlConnectorConfig } from './config.js';

let db: TestDatabase;
let other: TestDatabase;
const user = `asof_id_${randomBytes(4).toString('hex')}`;
const password = `pw-${randomBytes(12).toString('hex')}`;
const relations: readonly Relation[] = [{ table: 'accounts' }, { table: 'invoices' }];
const DDL = 'CREATE TABLE accounts (id BIGINT PRIMARY KEY, updated_at DATETIME(6)); CREATE TABLE invoices (id BIGINT PRIMARY KEY, updated_at DATETIME(6));';

/** The identity through a connector made from `config`, closed afterwards. */
async function identityOf(config: MySqlConnectorConfig, names: readonly Relation[] = relations): Promise<SourceIdentity> {
  const connector = new MySqlConnector(config);
  try {
    return await connector.identity({ relations: names });
  } finally {
    await connector.close();
  }
}

/** Waits until the server's clock is past the second the database's tables were stamped with (CREATE_TIME has whole seconds). */
async function nextServerSecond(database: TestDatabase): Promise<void> {
  const sql = 'SELECT NOW() > (SELECT MAX(CREATE_TIME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?)';
  for (;;) {
    const [rows] = await database.admin.query(sql, [database.name]);
    if (Number(Object.values((rows as Record<string, unknown>[])[0]!)[0]) === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  const env = ensureServices('mariadb');
  db = await createTestDatabase(env.ASOF_MYSQL_URL!);
  other = await createTestDatabase(env.ASOF_MYSQL_URL!);
  await db.admin.query(DDL);
  await other.admin.query(DDL);
  await db.admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; GRANT SELECT ON \`${db.name}\`.* TO '${user}'@'%'`);
});

afterAll(async () => {
  await db?.admin.query(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => undefined);
  await db?.drop();
  await other?.drop();
});

describe('MySqlConnector.identity (MariaDB)', () => {
  it('reads the server, the database and a UTC create time per table; queries and missing tables have no stamp', async () => {
    const identity = await identityOf(db.config(), [...relations, { table: 'nope' }, { schema: other.name, table: 'accounts' }]);
    expect(identity.kind).toBe('mysql');
    expect(identity.database).toBe(db.name);
    // MariaDB has no server_uuid; it has a host name, a port and a server id.
    expect(Object.keys(identity.server).sort()).toEqual(['hostname', 'port', 'server_id']);
    expect(identity.server.port).toBe(new URL(db.url).port);
    expect(identity.details?.version).toMatch(/MariaDB/);
    expect(identity.tables).toEqual({
      [`${db.name}.accounts`]: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      [`${db.name}.invoices`]: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      [`${db.name}.nope`]: null,
      [`${other.name}.accounts`]: expect.stringMatching(/Z$/),
    });
    const [rows] = await db.admin.query('SELECT CREATE_TIME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [db.name, 'accounts']);
    expect(identity.tables[`${db.name}.accounts`]).toBe(`${String((rows as { CREATE_TIME: string }[])[0]!.CREATE_TIME).replace(' ', 'T')}Z`);
    expect((await identityOf(db.config(), [{ sql: 'SELECT 1 AS x', name: 'q' }])).tables).toEqual({});
  });

  it('localhost, 127.0.0.1, the Unix socket and another user are the same source; no identity holds a user or password', async () => {
    const base = await identityOf(db.config());
    const url = new URL(db.url);
    const spellings: MySqlConnectorConfig[] = [
      { url: Object.assign(new URL(db.url), { hostname: 'localhost' }).href },
      { url: Object.assign(new URL(db.url), { username: user, password }).href },
      { host: 'localhost', port: Number(url.port), user, password, database: db.name },
      ...(process.env.ASOF_MYSQL_SOCKET ? [{ socketPath: process.env.ASOF_MYSQL_SOCKET, user, password, database: db.name }] : []),
    ];
    for (const config of spellings) {
      const identity = await identityOf(config);
      expect({ ...identity, address: '' }, JSON.stringify(config.host ?? config.socketPath ?? config.url)).toEqual({ ...base, address: '' });
      expect(compareIdentities(base, identity)).toEqual({ same: true, merged: identity, changes: [] });
      const text = JSON.stringify(identity);
      // The service account's name and password ('asof') are in every test database's name: the second user's are distinctive.
      for (const secret of [password, user]) expect(text).not.toContain(secret);
    }
    expect(base.address).toBe(`${url.hostname}:${url.port}`);
  });

  it('another database with the same schema on the same server is another source', async () => {
    const verdict = compareIdentities(await identityOf(db.config()), await identityOf(other.config()));
    expect(verdict).toEqual({ same: false, differences: [`database '${db.name}' ≠ '${other.name}'`] });
  });

  it('an ALTER TABLE (MariaDB re-stamps the table) is the same source; re-creating every table is not', async () => {
    const before = await identityOf(db.config());
    await nextServerSecond(db);
    await db.admin.query('ALTER TABLE invoices ADD COLUMN note VARCHAR(20) NULL');
    const altered = await identityOf(db.config());
    const verdict = compareIdentities(before, altered);
    expect(verdict.same).toBe(true);
    // MariaDB re-stamps on every ALTER (MySQL 8 may not for an instant one): either way the rule accepts it.
    if (altered.tables[`${db.name}.invoices`] !== before.tables[`${db.name}.invoices`]) {
      expect(verdict.same && verdict.changes).toEqual([expect.stringMatching(/^tables created again on the same server \(a schema migration\): .*invoices/)]);
    }
    await nextServerSecond(db);
    await db.admin.query(`DROP TABLE accounts, invoices; ${DDL}`);
    const recreated = compareIdentities(verdict.same ? verdict.merged : before, await identityOf(db.config()));
    expect(recreated.same).toBe(false);
    expect(!recreated.same && recreated.differences[0]).toMatch(/^every table both know was created again/);
  });
});
