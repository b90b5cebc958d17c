/**
 * The message-file source: lines as `kcat -C -f '%k\t%s\n'` (or `'%s\n'`)
 * prints them, streamed, each decoded to one change or one dead letter,
 * and resumable after any line.
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '@asof/core';
import {
  MemoryDeadLetterSink,
  createDebeziumDecoder,
  lineResume,
  readDebeziumFile,
  writeDebeziumFile,
  type DecodedChange,
  type DebeziumFileOptions,
} from './index.js';
import { encodeEvent, encodeKey, topicOf, type EncodeSettings } from './testing/debezium-encoder.js';
import { plain } from './testing/outcomes.js';
import { TRS_TABLES, accounts, invoices, lineItems, skus } from './testing/trs-tables.js';

const settings: EncodeSettings = { prefix: 'trs', schemas: false, decimals: 'base64', time: 'adaptive_time_microseconds' };
const decoder = createDebeziumDecoder({ sources: [accounts, skus, invoices, lineItems], topicPrefix: 'trs', timestampUnits: { default: 'us' } });
const T0 = 1_718_000_000_000_000n;
const spec = TRS_TABLES.accounts;
const account = (id: bigint, name: string, at: bigint) => ({ account_id: id, company_name: name, contact_email: `${id}@x.test`, created_at: T0, updated_at: at });

/** kcat lines for accounts: creates 1..n, then a delete of account 1 and its tombstone. */
function accountMessages(n: number) {
  const out: { key: string | null; value: string | null }[] = [];
  for (let i = 1; i <= n; i++) {
    const row = account(BigInt(i), `company ${i}`, T0 + BigInt(i));
    out.push({ key: encodeKey(spec, settings, row), value: encodeEvent(spec, settings, 'c', null, row, { tsMs: 1_718_000_000_000 + i, pos: 100 * i }) });
  }
  const gone = account(1n, 'company 1', T0 + 1n);
  out.push({ key: encodeKey(spec, settings, gone), value: encodeEvent(spec, settings, 'd', gone, null, { tsMs: 1_718_000_009_000 }) });
  out.push({ key: encodeKey(spec, settings, gone), value: null });
  return out;
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'asof-dbz-file-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function readAll(path: string, options: Partial<DebeziumFileOptions> = {}) {
  const deadLetters = new MemoryDeadLetterSink();
  const reader = readDebeziumFile(path, { decoder, deadLetters, topic: topicOf(spec, settings), ...options });
  const changes: DecodedChange[] = [];
  for await (const change of reader) changes.push(change);
  return { changes, letters: deadLetters.letters, counts: reader.counts, position: reader.position };
}

describe('readDebeziumFile', () => {
  it('key<TAB>value lines: upserts, a delete, its tombstone (empty value), with file positions', async () => {
    const path = join(dir, 'keys.txt');
    expect(await writeDebeziumFile(path, accountMessages(3))).toBe(5);
    const { changes, letters, counts, position } = await readAll(path);
    expect(letters).toEqual([]);
    expect(changes.map((c) => c.kind)).toEqual(['upsert', 'upsert', 'upsert', 'delete', 'tombstone']);
    expect(changes.map((c) => c.position.line)).toEqual([1, 2, 3, 4, 5]);
    expect(changes[0]!.position).toMatchObject({ file: path, line: 1, topic: 'trs.trs.accounts', binlog: { pos: 100 } });
    expect(plain(changes[4]!.kind === 'tombstone' ? changes[4]!.key : null)).toEqual({ account_id: 1n });
    expect(counts).toMatchObject({ messages: 5, deadLetters: 0, changes: { upsert: 3, delete: 1, tombstone: 1 } });
    expect(position).toEqual(lineResume(changes[4]!.position));
  });

  it('value-only lines (%s), the topic inferred from each payload; an empty line is a keyless tombstone', async () => {
    const path = join(dir, 'values.txt');
    await writeDebeziumFile(path, accountMessages(2), { keys: false });
    const { changes } = await readAll(path, { topic: undefined });
    expect(changes.map((c) => [c.kind, c.position.topic])).toEqual([
      ['upsert', 'trs.trs.accounts'],
      ['upsert', 'trs.trs.accounts'],
      ['delete', 'trs.trs.accounts'],
      ['tombstone', null],
    ]);
  });

  it("CRLF line endings, kcat -Z's NULL, and no newline after the last line", async () => {
    const path = join(dir, 'crlf.txt');
    const [a, b] = accountMessages(2);
    await writeFile(path, `${a!.key}\t${a!.value}\r\n${b!.key}\tNULL\r\n\t${b!.value}`);
    const { changes, letters } = await readAll(path);
    expect(letters).toEqual([]);
    expect(changes.map((c) => c.kind)).toEqual(['upsert', 'tombstone', 'upsert']);
    expect(changes[0]!.kind === 'upsert' && changes[0]!.row.company_name).toBe('company 1');
  });

  it('a broken line becomes a dead letter with its file and line, and the rest is still read', async () => {
    const path = join(dir, 'broken.txt');
    const lines = accountMessages(3);
    await writeDebeziumFile(path, [lines[0]!, { key: '{"account_id":2}', value: '{"before":null,"after":{"acc' }, lines[2]!, { key: null, value: '{"op":"c"}' }, lines[3]!]);
    await appendFile(path, Buffer.concat([Buffer.from('\t{"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]));
    const { changes, letters, counts } = await readAll(path);
    expect(changes.map((c) => c.position.line)).toEqual([1, 3, 5]);
    expect(letters.map((l) => [l.reason, l.file, l.line])).toEqual([
      ['bad-json', path, 2],
      ['bad-envelope', path, 4],
      ['bad-json', path, 6],
    ]);
    expect(letters[0]!.value).toBe('{"before":null,"after":{"acc');
    expect(letters[0]!.key).toBe('{"account_id":2}');
    expect(letters[2]!.encoding).toBe('base64');
    expect(counts.messages).toBe(6);
    expect(counts.deadLetters).toBe(3);
  });

  it('a dead letter is durable before the next change is handed out (so a position committed after it is safe)', async () => {
    const path = join(dir, 'durable.txt');
    const lines = accountMessages(2);
    await writeDebeziumFile(path, [lines[0]!, { key: null, value: 'not json' }, lines[1]!]);
    const events: string[] = [];
    const sink = new (class extends MemoryDeadLetterSink {
      override async write(letter: Parameters<MemoryDeadLetterSink['write']>[0]) {
        events.push('write');
        return super.write(letter);
      }
      override async flush() {
        events.push('flush');
      }
    })();
    for await (const change of readDebeziumFile(path, { decoder, deadLetters: sink, topic: 'trs.trs.accounts' })) events.push(`change ${change.position.line}`);
    expect(events).toEqual(['change 1', 'write', 'flush', 'change 3']);
  });

  it('resumes after a line: the rest of the file, exactly once, numbered as before', async () => {
    const path = join(dir, 'resume.txt');
    await writeDebeziumFile(path, accountMessages(6), { lineEnding: '\r\n' });
    const all = await readAll(path);
    const third = lineResume(all.changes[2]!.position)!;
    const rest = await readAll(path, { resumeAfter: third });
    expect(rest.changes.map((c) => c.position.line)).toEqual([4, 5, 6, 7, 8]);
    expect(rest.changes).toEqual(all.changes.slice(3));
    const end = await readAll(path, { resumeAfter: all.position! });
    expect(end.changes).toEqual([]);
  });

  it('refuses a resume position that does not fit the file', async () => {
    const path = join(dir, 'short.txt');
    await writeDebeziumFile(path, accountMessages(1));
    await expect(readAll(path, { resumeAfter: { line: 9, next: 10_000_000 } })).rejects.toThrow(/only \d+ bytes/);
    await expect(readAll(path, { resumeAfter: { line: 1, next: 3 } })).rejects.toThrow(/does not start a line/);
    await expect(readAll(join(dir, 'missing.txt'))).rejects.toThrow(InvalidInputError);
  });

  it('a line past maxLineBytes is a dead letter without its text; the next line is read', async () => {
    const path = join(dir, 'long.txt');
    const [a, b] = accountMessages(2);
    await writeFile(path, `${a!.key}\t${a!.value}\n${'x'.repeat(5000)}\n${b!.key}\t${b!.value}\n`);
    const { changes, letters } = await readAll(path, { maxLineBytes: 4096 });
    expect(changes.map((c) => c.position.line)).toEqual([1, 3]);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ reason: 'bad-json', line: 2, value: null });
    expect(letters[0]!.message).toContain('5000 bytes');
  });

  it('streams a large file in bounded memory, with lines across read chunks', async () => {
    const path = join(dir, 'large.txt');
    const n = 20_000;
    await writeDebeziumFile(path, (function* () {
      for (const m of accountMessages(n)) yield m;
    })());
    let count = 0;
    let last: DecodedChange | null = null;
    const reader = readDebeziumFile(path, { decoder, deadLetters: new MemoryDeadLetterSink(), topic: 'trs.trs.accounts' });
    for await (const change of reader) {
      count++;
      last = change;
    }
    expect(count).toBe(n + 2);
    expect(reader.counts.deadLetters).toBe(0);
    expect(last?.position.line).toBe(n + 2);
  });

  it('is iterated once', async () => {
    const path = join(dir, 'once.txt');
    await writeDebeziumFile(path, accountMessages(1));
    const reader = readDebeziumFile(path, { decoder, deadLetters: new MemoryDeadLetterSink() });
    for await (const _ of reader) void _;
    await expect(async () => {
      for await (const _ of reader) void _;
    }).rejects.toThrow(/iterated twice/);
  });
});

describe('writeDebeziumFile', () => {
  it('refuses what cannot be one line', async () => {
    const path = join(dir, 'bad.txt');
    await expect(writeDebeziumFile(path, [{ key: null, value: '{"a":\n1}' }])).rejects.toThrow(/line break/);
    await expect(writeDebeziumFile(path, [{ key: '{"a":"\t"}', value: '{}' }])).rejects.toThrow(/TAB/);
  });

  it('writes objects as compact JSON with exact numbers', async () => {
    const path = join(dir, 'objects.txt');
    await writeDebeziumFile(path, [{ key: { account_id: 9223372036854775807n }, value: null }]);
    const { changes } = await readAll(path, { topic: 'trs.trs.accounts' });
    expect(changes).toHaveLength(1);
    expect(plain(changes[0]!.kind === 'tombstone' ? changes[0]!.key : null)).toEqual({ account_id: 9223372036854775807n });
  });
});
