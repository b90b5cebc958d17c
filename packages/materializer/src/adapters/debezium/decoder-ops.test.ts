/**
 * Each kind of Debezium MySQL message, from the connector's documented
 * examples (testing/fixtures/mysql-docs.ts), with and without the JSON
 * converter's schema part.
 */
import { describe, expect, it } from 'vitest';
import { int32, mysqlTable, string, timestamp } from '@asof/core';
import { createDebeziumDecoder, endsTableSnapshot, SNAPSHOT_MARKERS, type DebeziumMessage } from './index.js';
import { parseJson } from './json-parse.js';
import { toJsonText } from './json-text.js';
import {
  DOCS_CREATE,
  DOCS_DELETE,
  DOCS_KEY,
  DOCS_PREFIX,
  DOCS_SCHEMA_CHANGE,
  DOCS_SCHEMA_CHANGE_KEY,
  DOCS_TOPIC,
  DOCS_TRUNCATE,
  DOCS_TX_BEGIN,
  DOCS_TX_END,
  DOCS_TX_EVENT,
  DOCS_UPDATE,
} from './testing/fixtures/mysql-docs.js';
import { changeOf, deadLetterOf, plain } from './testing/outcomes.js';

const customers = mysqlTable({
  name: 'customers',
  table: 'customers',
  primaryKey: ['id'],
  timestampField: 'updated_at',
  updatedAtField: 'updated_at',
  columns: { id: int32(), first_name: string(), last_name: string(), email: string(), updated_at: timestamp() },
});
const tableA = mysqlTable({
  name: 'a',
  table: 's1.a',
  primaryKey: ['pk'],
  timestampField: 'updated_at',
  updatedAtField: 'updated_at',
  columns: { pk: string(), aa: string(), updated_at: timestamp() },
});

const decoder = createDebeziumDecoder({ sources: [customers, tableA], topicPrefix: DOCS_PREFIX, timestampUnits: { default: 'us' } });

/** The payload alone: the same message with `schemas.enable=false`. */
function withoutSchema(text: string): string {
  const json = parseJson(text) as { payload: unknown };
  return toJsonText(json.payload);
}

const message = (value: string | null, extra: Partial<DebeziumMessage> = {}): DebeziumMessage => ({
  topic: DOCS_TOPIC,
  key: DOCS_KEY,
  value,
  partition: 3,
  offset: 41,
  ...extra,
});

describe.each([
  ['with the schema part', (t: string) => t],
  ['without it (schemas.enable=false)', withoutSchema],
])('the documented MySQL events %s', (_, shape) => {
  it('create (op c): the after image at its version time, the source block as the position', () => {
    const change = changeOf(decoder.decode(message(shape(DOCS_CREATE))), 'upsert');
    expect(change.op).toBe('c');
    expect(change.source).toBe('customers');
    expect(plain(change.row)).toEqual({ id: 1004, first_name: 'Anne', last_name: 'Kretchmar', email: 'annek@noanswer.org', updated_at: 1465491411000000n });
    expect(plain(change.key)).toEqual({ id: 1004 });
    expect(change.versionTime).toBe(1465491411000000n);
    expect(change.position).toEqual({
      topic: DOCS_TOPIC,
      partition: 3,
      offset: 41,
      file: null,
      line: null,
      next: null,
      binlog: { file: 'mysql-bin.000003', pos: 154, row: 0, gtid: null, serverId: 0, tsMs: 0, tsUs: 0, snapshot: 'false', db: 'inventory', table: 'customers' },
    });
    expect(change.transaction).toBeNull();
    expect(change.keyChange).toBeNull();
  });

  it('update (op u): the after image; the before image only checks that the key holds and time advances', () => {
    const change = changeOf(decoder.decode(message(shape(DOCS_UPDATE))), 'upsert');
    expect(change.op).toBe('u');
    expect(change.row.first_name).toBe('Anne Marie');
    expect(change.versionTime).toBe(1465581029100000n);
    expect(change.position.binlog).toMatchObject({ pos: 484, serverId: 223344, tsMs: 1465581029100 });
  });

  it('delete (op d): the key, at the later of source.ts and the before version', () => {
    const change = changeOf(decoder.decode(message(shape(DOCS_DELETE))), 'delete');
    expect(plain(change.key)).toEqual({ id: 1004 });
    expect(change.beforeVersionTime).toBe(1465581029100000n);
    expect(change.versionTime).toBe(1465581902300000n); // source.ts_us, later than the before version
  });

  it('truncate (op t, key null): its own kind at the source clock', () => {
    const change = changeOf(decoder.decode(message(shape(DOCS_TRUNCATE), { key: null })), 'truncate');
    expect(change).toMatchObject({ source: 'customers', op: 't', versionTime: 1465581029100000n });
  });
});

describe('deletes and tombstones', () => {
  it('a delete in the same second as the version it deletes is not ordered before it (the binlog clock has seconds)', () => {
    // MySQL without GTIDs stamps binlog events with whole seconds, so source.ts_ms may precede the row's own updated_at.
    const text = DOCS_DELETE.replace('"ts_ms":1465581902300,"ts_us":1465581902300000', '"ts_ms":1465581029000,"ts_us":1465581029000000');
    const change = changeOf(decoder.decode(message(text)), 'delete');
    expect(change.versionTime).toBe(1465581029100000n);
    expect(change.versionTime).toBe(change.beforeVersionTime);
  });

  it('without source.ts_us (connectors before 2.6) the delete uses source.ts_ms', () => {
    const payload = parseJson(withoutSchema(DOCS_DELETE)) as { source: Record<string, unknown> };
    delete payload.source.ts_us;
    delete payload.source.ts_ns;
    payload.source.ts_ms = 1465581902301;
    expect(changeOf(decoder.decode(message(toJsonText(payload))), 'delete').versionTime).toBe(1465581902301000n);
  });

  it('the tombstone after a delete: same key, null value', () => {
    const change = changeOf(decoder.decode(message(null)), 'tombstone');
    expect(change.source).toBe('customers');
    expect(plain(change.key)).toEqual({ id: 1004 });
  });

  it('a tombstone with a schemaless key, and one with no key at all', () => {
    expect(plain(changeOf(decoder.decode(message(null, { key: '{"id":1004}' })), 'tombstone').key)).toEqual({ id: 1004 });
    expect(changeOf(decoder.decode(message(null, { key: null })), 'tombstone').key).toBeNull();
  });

  it('a tombstone of unknown topic names its source from the key schema, or none', () => {
    expect(changeOf(decoder.decode(message(null, { topic: null })), 'tombstone').source).toBe('customers');
    const bare = changeOf(decoder.decode(message(null, { topic: null, key: '{"id":1004}' })), 'tombstone');
    expect(bare.source).toBeNull();
    expect(bare.position.topic).toBeNull();
  });
});

describe('a primary-key change: delete of the old key, tombstone, create of the new key', () => {
  const newKey = '{"schema":{"type":"struct","name":"mysql-server-1.inventory.customers.Key","optional":false,"fields":[{"field":"id","type":"int32","optional":false}]},"payload":{"id":2004}}';
  const create = DOCS_CREATE.replace('"id":1004', '"id":2004');

  it('decodes as three changes with the key headers', () => {
    const deleted = changeOf(decoder.decode(message(DOCS_DELETE, { headers: { '__debezium.newkey': newKey } })), 'delete');
    const tombstone = changeOf(decoder.decode(message(null)), 'tombstone');
    const created = changeOf(decoder.decode(message(create, { key: newKey, headers: { '__debezium.oldkey': DOCS_KEY } })), 'upsert');
    expect(plain(deleted.key)).toEqual({ id: 1004 });
    expect(deleted.keyChange?.header).toBe('__debezium.newkey');
    expect(plain(deleted.keyChange?.key as object)).toEqual({ id: 2004 });
    expect(plain(tombstone.key)).toEqual({ id: 1004 });
    expect(plain(created.key)).toEqual({ id: 2004 });
    expect(created.keyChange?.header).toBe('__debezium.oldkey');
    expect(plain(created.keyChange?.key as object)).toEqual({ id: 1004 });
  });

  it('keeps a header it cannot read as text (it only informs)', () => {
    const deleted = changeOf(decoder.decode(message(DOCS_DELETE, { headers: { '__debezium.newkey': 'Struct{id=2004}' } })), 'delete');
    expect(deleted.keyChange).toEqual({ header: '__debezium.newkey', key: 'Struct{id=2004}' });
  });

  it('an update that changes the key is refused (Debezium never sends one)', () => {
    const text = DOCS_UPDATE.replace('"after":{"id":1004', '"after":{"id":2004');
    deadLetterOf(decoder.decode(message(text, { key: null })), 'key-mismatch');
  });
});

describe('source.snapshot in all its forms', () => {
  const read = (snapshot: unknown) => {
    const payload = parseJson(withoutSchema(DOCS_CREATE)) as { op: string; source: Record<string, unknown> };
    payload.op = 'r';
    if (snapshot === undefined) delete payload.source.snapshot;
    else payload.source.snapshot = snapshot;
    return decoder.decode(message(toJsonText(payload)));
  };

  it.each(SNAPSHOT_MARKERS)('%s', (marker) => {
    const change = changeOf(read(marker), 'upsert');
    expect(change.op).toBe('r');
    expect(change.position.binlog?.snapshot).toBe(marker);
    expect(endsTableSnapshot(change)).toBe(marker === 'last' || marker === 'last_in_data_collection');
  });

  it('booleans (older connectors, the docs examples), null and absent', () => {
    expect(changeOf(read(true), 'upsert').position.binlog?.snapshot).toBe('true');
    expect(changeOf(read(false), 'upsert').position.binlog?.snapshot).toBe('false');
    expect(changeOf(read(null), 'upsert').position.binlog?.snapshot).toBe('false');
    expect(changeOf(read(undefined), 'upsert').position.binlog?.snapshot).toBe('false');
  });

  it('an unknown marker is a dead letter', () => {
    expect(deadLetterOf(read('maybe'), 'bad-envelope').message).toContain('source.snapshot "maybe"');
  });
});

describe('schema changes (the <topic.prefix> topic)', () => {
  const schemaMessage = (value: string): DebeziumMessage => ({ topic: DOCS_PREFIX, key: DOCS_SCHEMA_CHANGE_KEY, value });

  it('the documented ALTER: DDL, table structure, and no drift (a column was added)', () => {
    const change = changeOf(decoder.decode(schemaMessage(DOCS_SCHEMA_CHANGE)), 'schema-change');
    expect(change.databaseName).toBe('inventory');
    expect(change.ddl).toBe('ALTER TABLE customers ADD middle_name varchar(255) AFTER first_name');
    expect(change.position.binlog).toMatchObject({ file: 'mysql-bin.000003', pos: 570, snapshot: 'false' });
    expect(change.tables).toHaveLength(1);
    const [table] = change.tables;
    expect(table).toMatchObject({ type: 'ALTER', db: 'inventory', table: 'customers', source: 'customers', primaryKey: ['id'], renamedFrom: null });
    expect(table!.columns.map((c) => c.name)).toEqual(['id', 'first_name', 'middle_name', 'last_name', 'email']);
    // updated_at is not in the documented table: asof reports it as gone.
    expect(table!.drift).toEqual(["column 'updated_at' was dropped (or renamed)"]);
  });

  it('names drift of declared columns: a type change, a dropped table, a rename, another primary key', () => {
    const withUpdatedAt = DOCS_SCHEMA_CHANGE.replace(
      '{"name":"email","jdbcType":12,"nativeType":null,"typeName":"VARCHAR","typeExpression":"VARCHAR"',
      '{"name":"updated_at","jdbcType":93,"nativeType":null,"typeName":"DATETIME","typeExpression":"DATETIME","charsetName":null,"length":6,"scale":null,"position":6,"optional":false,"autoIncremented":false,"generated":false},{"name":"email","jdbcType":4,"nativeType":null,"typeName":"INT","typeExpression":"INT"',
    );
    const altered = changeOf(decoder.decode(schemaMessage(withUpdatedAt)), 'schema-change').tables[0]!;
    expect(altered.drift).toEqual(["column 'email' is now INT (int32), declared string"]);

    const dropped = DOCS_SCHEMA_CHANGE.replace('"type":"ALTER"', '"type":"DROP"').replace('"ddl":"ALTER TABLE customers ADD middle_name varchar(255) AFTER first_name"', '"ddl":"DROP TABLE customers"');
    expect(changeOf(decoder.decode(schemaMessage(dropped)), 'schema-change').tables[0]!.drift).toEqual(['table dropped']);

    const renamed = DOCS_SCHEMA_CHANGE.replace('"id":"\\"inventory\\".\\"customers\\""', '"id":"\\"inventory\\".\\"customers\\",\\"inventory\\".\\"clients\\""');
    const rename = changeOf(decoder.decode(schemaMessage(renamed)), 'schema-change').tables[0]!;
    expect(rename).toMatchObject({ table: 'clients', renamedFrom: 'customers', source: 'customers', drift: ["table 'customers' was renamed to 'clients'"] });

    const rekeyed = withUpdatedAt.replace('"primaryKeyColumnNames":["id"]', '"primaryKeyColumnNames":["email"]').replace('"typeName":"INT","typeExpression":"INT","charsetName":"utf8mb4"', '"typeName":"VARCHAR","typeExpression":"VARCHAR","charsetName":"utf8mb4"');
    expect(changeOf(decoder.decode(schemaMessage(rekeyed)), 'schema-change').tables[0]!.drift).toEqual(['primary key is now (email), declared (id)']);
  });

  it('a schema change of a table no source reads has no source and no drift', () => {
    const other = DOCS_SCHEMA_CHANGE.replace('"id":"\\"inventory\\".\\"customers\\""', '"id":"\\"inventory\\".\\"orders\\""');
    expect(changeOf(decoder.decode(schemaMessage(other)), 'schema-change').tables[0]).toMatchObject({ table: 'orders', source: null, drift: [] });
  });

  it('is recognised without a topic, and with a schema part', () => {
    const wrapped = `{"schema":{"type":"struct","fields":[],"optional":false,"name":"io.debezium.connector.mysql.SchemaChangeValue","version":1},"payload":${DOCS_SCHEMA_CHANGE}}`;
    expect(changeOf(decoder.decode({ topic: null, value: wrapped }), 'schema-change').position.topic).toBe(DOCS_PREFIX);
  });
});

describe('transaction metadata', () => {
  const tx = (value: string): DebeziumMessage => ({ topic: `${DOCS_PREFIX}.transaction`, key: '{"id":"0e4d5dcd-a33b-11ea-80f1-02010a22a99e:10"}', value });

  it('BEGIN and END markers of the transaction topic', () => {
    expect(changeOf(decoder.decode(tx(DOCS_TX_BEGIN)), 'transaction')).toMatchObject({
      status: 'BEGIN',
      id: '0e4d5dcd-a33b-11ea-80f1-02010a22a99e:10',
      tsMs: 1486500577125,
      eventCount: null,
      dataCollections: null,
    });
    expect(changeOf(decoder.decode(tx(DOCS_TX_END)), 'transaction')).toMatchObject({
      status: 'END',
      tsMs: 1486500577691,
      eventCount: 2,
      dataCollections: [
        { dataCollection: 's1.a', eventCount: 1 },
        { dataCollection: 's2.a', eventCount: 1 },
      ],
    });
  });

  it('the transaction block of a data event (numbers as the docs write them, as strings)', () => {
    const change = changeOf(decoder.decode({ topic: `${DOCS_PREFIX}.s1.a`, value: DOCS_TX_EVENT }), 'upsert');
    expect(change.transaction).toEqual({ id: '0e4d5dcd-a33b-11ea-80f1-02010a22a99e:10', totalOrder: 1, dataCollectionOrder: 1 });
    expect(change.position.binlog?.gtid).toBe('0e4d5dcd-a33b-11ea-80f1-02010a22a99e:10');
    expect(plain(change.row)).toEqual({ pk: '2', aa: '1', updated_at: 1580390884335000n });
  });

  it('a marker without a topic is recognised by its status', () => {
    expect(changeOf(decoder.decode({ topic: null, value: DOCS_TX_END }), 'transaction').position.topic).toBe(`${DOCS_PREFIX}.transaction`);
  });
});

describe('other messages', () => {
  it('heartbeats', () => {
    const change = changeOf(decoder.decode({ topic: `__debezium-heartbeat.${DOCS_PREFIX}`, key: '{"serverName":"mysql-server-1"}', value: '{"ts_ms":1465581902461}' }), 'heartbeat');
    expect(change.tsMs).toBe(1465581902461);
  });

  it('a data event without a topic takes it from its source block', () => {
    const change = changeOf(decoder.decode({ topic: null, value: withoutSchema(DOCS_CREATE) }), 'upsert');
    expect(change.position.topic).toBe(DOCS_TOPIC);
  });

  it('already-parsed JSON is accepted as well as text', () => {
    const change = changeOf(decoder.decode(message(JSON.parse(DOCS_CREATE) as never, { key: JSON.parse(DOCS_KEY) as never })), 'upsert');
    expect(change.versionTime).toBe(1465491411000000n);
  });

  it('UTF-8 bytes are accepted as well as text', () => {
    const change = changeOf(decoder.decode(message(null, { value: Buffer.from(DOCS_CREATE), key: Buffer.from(DOCS_KEY) })), 'upsert');
    expect(change.row.email).toBe('annek@noanswer.org');
  });
});
