/**
 * Every way a message can fail to decode becomes a dead letter with its
 * reason, where it was read and the raw message; nothing is dropped and
 * the counts say how many. Also the sinks and the counts themselves.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DefinitionError, InvalidInputError, StoreWriteError, csvSource, int64, mysqlQuery, mysqlTable, string, timestamp } from '@asof/core';
import {
  DEAD_LETTER_REASONS,
  DecodeTally,
  FileDeadLetterSink,
  MemoryDeadLetterSink,
  createDebeziumDecoder,
  decodeBatch,
  describeCounts,
  type DeadLetter,
  type DebeziumMessage,
} from './index.js';
import { changeOf, deadLetterOf } from './testing/outcomes.js';

const items = mysqlTable({
  name: 'items',
  table: 'items',
  primaryKey: ['id'],
  timestampField: 'updated_at',
  updatedAtField: 'updated_at',
  columns: { id: int64(), name: string(), updated_at: timestamp() },
});
const decoder = createDebeziumDecoder({ sources: [items], topicPrefix: 'shop', database: 'db', timestampUnits: { default: 'us' } });
const SOURCE = '{"version":"2.7.3.Final","connector":"mysql","name":"shop","ts_ms":1700000000000,"snapshot":"false","db":"db","table":"items","server_id":1,"gtid":null,"file":"mysql-bin.000001","pos":4,"row":0}';
const row = (id: unknown, name: unknown, updatedAt: unknown) => `{"id":${JSON.stringify(id)},"name":${JSON.stringify(name)},"updated_at":${JSON.stringify(updatedAt)}}`;
const event = (op: string, before: string | null, after: string | null, source = SOURCE) => `{"before":${before},"after":${after},"source":${source},"op":"${op}","ts_ms":1700000000001}`;
const msg = (value: string | null, key: string | null = '{"id":1}', topic = 'shop.db.items'): DebeziumMessage => ({ topic, key, value, partition: 2, offset: 17 });
const GOOD = event('c', null, row(1, 'a', 1700000000000000));

describe('dead letters, one per failure kind', () => {
  it('bad-json: text that is not JSON, bytes that are not UTF-8', () => {
    const letter = deadLetterOf(decoder.decode(msg('{"op":"c",')), 'bad-json');
    expect(letter).toEqual({
      reason: 'bad-json',
      message: expect.stringContaining('not JSON'),
      topic: 'shop.db.items',
      partition: 2,
      offset: 17,
      file: null,
      line: null,
      key: '{"id":1}',
      value: '{"op":"c",',
      encoding: 'utf8',
    } satisfies DeadLetter);
    const bytes = deadLetterOf(decoder.decode({ topic: 'shop.db.items', value: new Uint8Array([0x7b, 0xff, 0x7d]) }), 'bad-json');
    expect(bytes.message).toContain('not UTF-8');
    expect(bytes).toMatchObject({ encoding: 'base64', value: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64') });
    deadLetterOf(decoder.decode(msg(GOOD, '{"id":')), 'bad-json');
  });

  it('unknown-topic: another prefix, another database, a table no source reads', () => {
    expect(deadLetterOf(decoder.decode(msg(GOOD, null, 'other.db.items')), 'unknown-topic').message).toContain("prefix 'shop'");
    deadLetterOf(decoder.decode(msg(GOOD, null, 'shop.otherdb.items')), 'unknown-topic');
    expect(deadLetterOf(decoder.decode(msg(GOOD, null, 'shop.db.orders')), 'unknown-topic').message).toContain("no source reads table 'orders'");
    deadLetterOf(decoder.decode(msg(null, '{"id":1}', 'shop.db.orders')), 'unknown-topic');
    deadLetterOf(decoder.decode({ topic: null, value: '{"hello":"world"}' }), 'unknown-topic');
  });

  it("unmapped tables become counted 'ignored' changes when asked", () => {
    const lenient = createDebeziumDecoder({ sources: [items], topicPrefix: 'shop', unmappedTables: 'ignore', timestampUnits: { default: 'us' } });
    expect(changeOf(lenient.decode(msg(GOOD, null, 'shop.db.orders')), 'ignored').reason).toContain('db.orders');
    expect(changeOf(lenient.decode(msg(null, null, 'shop.db.orders')), 'tombstone').source).toBeNull();
  });

  it('bad-envelope: no op, no source block, no after for a create, no before for a delete, a topic the source block contradicts', () => {
    deadLetterOf(decoder.decode(msg('{"before":null,"after":{},"source":{}}')), 'bad-envelope');
    deadLetterOf(decoder.decode(msg('[1,2]')), 'bad-envelope');
    expect(deadLetterOf(decoder.decode(msg(`{"after":${row(1, 'a', 1)},"op":"c"}`)), 'bad-envelope').message).toContain('"source"');
    expect(deadLetterOf(decoder.decode(msg(event('c', null, null))), 'bad-envelope').message).toContain('needs "after"');
    expect(deadLetterOf(decoder.decode(msg(event('d', null, null))), 'bad-envelope').message).toContain('needs "before"');
    deadLetterOf(decoder.decode(msg(event('c', null, row(1, 'a', 1), SOURCE.replace('"pos":4', '"pos":"x"')))), 'bad-envelope');
    expect(deadLetterOf(decoder.decode(msg(event('c', null, row(1, 'a', 1), SOURCE.replace('"table":"items"', '"table":"orders"')))), 'bad-envelope').message).toContain('db.orders');
    deadLetterOf(decoder.decode(msg(event('c', null, row(1, 'a', 1)).replace('"op":"c"', '"op":"c","transaction":{"id":7}'))), 'bad-envelope');
  });

  it('unknown-op', () => {
    expect(deadLetterOf(decoder.decode(msg(event('m', null, null))), 'unknown-op').message).toContain('"m"');
  });

  it('bad-value: a value that does not fit its declared dtype', () => {
    expect(deadLetterOf(decoder.decode(msg(event('c', null, row(1, 42, 1)))), 'bad-value').message).toContain("column 'name' of source 'items' holds 42");
  });

  it('schema-mismatch: a declared column missing from the image', () => {
    const letter = deadLetterOf(decoder.decode(msg(event('c', null, '{"id":1,"updated_at":1}'))), 'schema-mismatch');
    expect(letter.message).toContain("column 'name' of source 'items' is missing");
  });

  it('missing-key: a null primary key (after, before, or a tombstone key)', () => {
    deadLetterOf(decoder.decode(msg(event('c', null, row(null, 'a', 1)), null)), 'missing-key');
    deadLetterOf(decoder.decode(msg(event('d', row(null, 'a', 1), null), null)), 'missing-key');
    deadLetterOf(decoder.decode(msg(null, '{"id":null}')), 'missing-key');
    deadLetterOf(decoder.decode(msg(null, '{"other":1}')), 'schema-mismatch');
  });

  it('missing-version-time: of an upsert, of a delete\'s before image', () => {
    expect(deadLetterOf(decoder.decode(msg(event('c', null, row(1, 'a', null)))), 'missing-version-time').message).toContain("'updated_at'");
    deadLetterOf(decoder.decode(msg(event('d', row(1, 'a', null), null))), 'missing-version-time');
  });

  it('key-mismatch: a message key that names another row', () => {
    expect(deadLetterOf(decoder.decode(msg(GOOD, '{"id":2}')), 'key-mismatch').message).toContain("'id'");
    deadLetterOf(decoder.decode(msg(GOOD, '"1"')), 'key-mismatch');
    // A key of other columns (message.key.columns) is not compared.
    changeOf(decoder.decode(msg(GOOD, '{"name":"zzz"}')), 'upsert');
  });

  it('version-not-advanced: an update that changes values without advancing the version time', () => {
    const same = decoder.decode(msg(event('u', row(1, 'a', 5), row(1, 'b', 5))));
    expect(deadLetterOf(same, 'version-not-advanced').message).toContain('equal to');
    deadLetterOf(decoder.decode(msg(event('u', row(1, 'a', 5), row(1, 'b', 4)))), 'version-not-advanced');
    // Earlier with the same values would still add a version before the one it repeats.
    expect(deadLetterOf(decoder.decode(msg(event('u', row(1, 'a', 5), row(1, 'a', 4)))), 'version-not-advanced').message).toContain('earlier than');
    // An update that changed only columns asof does not read, at the same time, is the same version again.
    changeOf(decoder.decode(msg(event('u', row(1, 'a', 5), row(1, 'a', 5)))), 'upsert');
    // Only the before image's key and time must decode; a bad other column matters only on a tie.
    changeOf(decoder.decode(msg(event('u', row(1, 42, 5), row(1, 'a', 6)))), 'upsert');
    deadLetterOf(decoder.decode(msg(event('u', row(1, 42, 5), row(1, 'a', 5)))), 'version-not-advanced');
    deadLetterOf(decoder.decode(msg(event('u', row(1, 'a', 'x'), row(1, 'a', 6)))), 'bad-value');
  });

  it('every reason is covered above', () => {
    expect(DEAD_LETTER_REASONS).toEqual([
      'bad-json',
      'unknown-topic',
      'bad-envelope',
      'unknown-op',
      'bad-value',
      'schema-mismatch',
      'missing-key',
      'missing-version-time',
      'key-mismatch',
      'version-not-advanced',
    ]);
  });
});

describe('decoder options', () => {
  it('refuses sources it cannot feed, and bad settings, at construction', () => {
    const noKey = mysqlTable({ name: 'n', table: 'n', timestampField: 'ts', columns: { ts: timestamp() } });
    expect(() => createDebeziumDecoder({ sources: [noKey], topicPrefix: 'p' })).toThrow(DefinitionError);
    const query = mysqlQuery({ name: 'q', sql: 'SELECT 1', timestampField: 'ts' });
    expect(() => createDebeziumDecoder({ sources: [query], topicPrefix: 'p' })).toThrow(/not a mysqlTable source/);
    const file = csvSource({ name: 'c', path: 'x.csv', timestampField: 'ts' });
    expect(() => createDebeziumDecoder({ sources: [file], topicPrefix: 'p' })).toThrow(DefinitionError);
    const notTime = mysqlTable({ name: 'w', table: 'w', primaryKey: ['id'], timestampField: 'id', columns: { id: int64() } });
    expect(() => createDebeziumDecoder({ sources: [notTime], topicPrefix: 'p' })).toThrow(/version-time column 'id'/);
    expect(() => createDebeziumDecoder({ sources: [items], topicPrefix: '' })).toThrow(InvalidInputError);
    expect(() => createDebeziumDecoder({ sources: [items, items], topicPrefix: 'p' })).toThrow(/listed twice/);
    expect(() => createDebeziumDecoder({ sources: [items], topicPrefix: 'p', timePrecisionMode: 'structured' as never })).toThrow(/structured|not supported/);
    expect(() => createDebeziumDecoder({ sources: [items], topicPrefix: 'p', topics: { x: 'nope' } })).toThrow(/not among the sources/);
    expect(() => createDebeziumDecoder({ sources: [items], topicPrefix: 'p', timestampUnits: { columns: { items: { name: 'us' } } } })).toThrow(/not a declared timestamp column/);
    const twin = mysqlTable({ ...items, name: 'items_again', table: 'items' } as never);
    expect(() => createDebeziumDecoder({ sources: [items, twin], topicPrefix: 'p' })).toThrow(/both read table 'items'/);
  });

  it('an explicit topic mapping routes a renamed topic (routing transforms)', () => {
    const routed = createDebeziumDecoder({ sources: [items], topicPrefix: 'shop', topics: { 'all-items': 'items' }, timestampUnits: { default: 'us' } });
    expect(changeOf(routed.decode(msg(GOOD, null, 'all-items')), 'upsert').source).toBe('items');
  });
});

describe('counts and sinks', () => {
  it('decodeBatch: the changes in order, every dead letter in the sink, counts that add up', async () => {
    const sink = new MemoryDeadLetterSink();
    const messages = [msg(GOOD), msg('nope'), msg(event('d', row(1, 'a', 1), null)), msg(null), msg(event('c', null, row(1, 42, 1))), msg(event('x', null, null))];
    const { changes, counts } = await decodeBatch(decoder, messages, sink);
    expect(changes.map((c) => c.kind)).toEqual(['upsert', 'delete', 'tombstone']);
    expect(sink.letters.map((l) => l.reason)).toEqual(['bad-json', 'bad-value', 'unknown-op']);
    expect(counts.messages).toBe(6);
    expect(counts.changes).toMatchObject({ upsert: 1, delete: 1, tombstone: 1, truncate: 0 });
    expect(counts.deadLetters).toBe(3);
    expect(counts.deadLettersByReason).toMatchObject({ 'bad-json': 1, 'bad-value': 1, 'unknown-op': 1, 'bad-envelope': 0 });
    expect(describeCounts(counts)).toBe('6 messages: 1 upsert, 1 delete, 1 tombstone, 3 dead letters (1 bad-json, 1 unknown-op, 1 bad-value)');
  });

  it('DecodeTally counts decimals read from doubles', () => {
    const tally = new DecodeTally();
    tally.add(decoder.decode(msg(GOOD)));
    expect(tally.counts.decimalsFromDoubles).toBe(0);
    expect(describeCounts(tally.counts)).toBe('1 message: 1 upsert, no dead letters');
  });

  describe('FileDeadLetterSink', () => {
    let dir = '';
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('appends one JSON object per line, across sinks, and keeps the raw message', async () => {
      dir = await mkdtemp(join(tmpdir(), 'asof-dlq-'));
      const path = join(dir, 'dead.jsonl');
      const first = new FileDeadLetterSink(path);
      await first.write(deadLetterOf(decoder.decode(msg('{"op":')), 'bad-json'));
      await first.close();
      const second = new FileDeadLetterSink(path);
      await second.write(deadLetterOf(decoder.decode({ ...msg(event('m', null, null)), offset: 18 }), 'unknown-op'));
      await second.flush();
      await second.close();
      const lines = (await readFile(path, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as DeadLetter);
      expect(lines.map((l) => [l.reason, l.offset, l.partition, l.topic])).toEqual([
        ['bad-json', 17, 2, 'shop.db.items'],
        ['unknown-op', 18, 2, 'shop.db.items'],
      ]);
      expect(lines[0]!.value).toBe('{"op":');
      await expect(second.write(lines[0]!)).rejects.toThrow(StoreWriteError);
    });

    it('a folder that does not exist is a StoreWriteError naming the file', async () => {
      const sink = new FileDeadLetterSink('/nonexistent-folder/dead.jsonl');
      await sink.write(deadLetterOf(decoder.decode(msg('x')), 'bad-json'));
      await expect(sink.flush()).rejects.toThrow(/dead-letter file \/nonexistent-folder\/dead.jsonl/);
    });
  });
});
