/**
 * The Debezium MySQL decoder: one message in, one decoded change or one
 * dead letter out. Pure: no I/O, no clock, no state between messages.
 */
import type { BinlogPosition, ChangePosition, DecodedChange, DecodedRow, DecodedValue, KeyChange, TombstoneChange } from './changes.js';
import { sameValue, type ValueTally } from './column-values.js';
import { partSchema, rowSchema, unwrapEnvelope, type FieldSchema } from './connect-schema.js';
import { UndecodableMessage, undecodable, type DeadLetter } from './dead-letter.js';
import { readSourceBlock, readTransactionBlock } from './envelope-metadata.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json-parse.js';
import { partJson, partText, rawPart, type DebeziumMessage } from './message.js';
import { readHeartbeat, readTransactionMarker } from './metadata-topics.js';
import { resolveOptions, type DebeziumDecoderOptions, type MappedSource, type ResolvedOptions } from './options.js';
import { decodeImage, requireImage, requireKey, requireVersionTime, rowOf } from './row-image.js';
import { readTableChanges } from './schema-change.js';
import { routeTopic, tableTopic, type TopicRoute } from './topics.js';

/** What decoding one message gives: a change, or a dead letter saying why not. */
export type DecodeOutcome = { readonly ok: true; readonly change: DecodedChange } | { readonly ok: false; readonly deadLetter: DeadLetter };

const OPS = new Set(['c', 'u', 'd', 'r', 't']);

/** Decodes Debezium MySQL messages into the changes of asof sources; see the adapter README. */
export class DebeziumDecoder {
  readonly #options: ResolvedOptions;

  constructor(options: DebeziumDecoderOptions) {
    this.#options = resolveOptions(options);
  }

  /** The sources this decoder fills, by name. */
  get sources(): readonly string[] {
    return [...this.#options.sources.keys()];
  }

  /**
   * Decodes one message. A message that cannot be decoded is returned as a
   * dead letter, never thrown and never dropped; an error thrown is a
   * defect of the decoder itself.
   */
  decode(message: DebeziumMessage): DecodeOutcome {
    let topic = message.topic;
    try {
      const value = partJson(message.value, 'value');
      if (value === null) return { ok: true, change: this.#tombstone(message) };
      const { schema, payload } = unwrapEnvelope(value);
      topic ??= this.#inferTopic(payload);
      if (topic === null) undecodable('unknown-topic', 'the message does not say its topic and its payload does not tell; give the topic');
      return { ok: true, change: this.#decodeValue(message, topic, schema, payload) };
    } catch (error) {
      if (!(error instanceof UndecodableMessage)) throw error;
      const key = rawPart(message.key);
      const value = rawPart(message.value);
      return {
        ok: false,
        deadLetter: {
          reason: error.reason,
          message: error.message,
          topic,
          partition: message.partition ?? null,
          offset: message.offset ?? null,
          file: message.file ?? null,
          line: message.line ?? null,
          key: key.text,
          value: value.text,
          encoding: key.base64 || value.base64 ? 'base64' : 'utf8',
        },
      };
    }
  }

  #decodeValue(message: DebeziumMessage, topic: string, schema: JsonValue, payload: JsonValue): DecodedChange {
    const route = routeTopic(topic, this.#options);
    const at = (binlog: BinlogPosition | null): ChangePosition => position(message, topic, binlog);
    if (!isJsonObject(payload)) undecodable('bad-envelope', 'the message payload is not a JSON object');
    switch (route.kind) {
      case 'schema':
        return this.#schemaChange(payload, at);
      case 'transaction':
        return readTransactionMarker(payload, at(null));
      case 'heartbeat':
        return readHeartbeat(payload, at(null));
      case 'unknown':
        return undecodable('unknown-topic', `topic '${topic}' is not a table, schema change, transaction or heartbeat topic of prefix '${this.#options.topicPrefix}'`);
      case 'unmapped-table':
        if (this.#options.unmappedTables === 'ignore') return { kind: 'ignored', reason: `no source reads table ${route.db}.${route.table}`, position: at(null) };
        return undecodable(
          'unknown-topic',
          `no source reads table '${route.table}' of database '${route.db}' (topic '${topic}'); ` +
            `sources read ${[...this.#options.sources.values()].map((s) => s.table).join(', ')}` +
            "; add a source for it, leave it out of the connector's table.include.list, or pass unmappedTables: 'ignore'",
        );
      case 'table':
        return this.#dataEvent(message, route, partSchema(schema, 'the value schema'), payload, at);
    }
  }

  #dataEvent(
    message: DebeziumMessage,
    route: Extract<TopicRoute, { kind: 'table' }>,
    schema: FieldSchema | null,
    payload: JsonObject,
    at: (b: BinlogPosition | null) => ChangePosition,
  ): DecodedChange {
    const op = payload.op;
    if (typeof op !== 'string') undecodable('bad-envelope', 'the envelope has no "op"');
    if (!OPS.has(op)) undecodable('unknown-op', `op ${JSON.stringify(op)} is not one of c (create), u (update), d (delete), r (snapshot read), t (truncate)`);
    const source = route.source;
    const binlog = readSourceBlock(payload.source);
    if (route.db !== null && route.table !== null && (!sameName(binlog.db, route.db) || (binlog.table !== null && !sameName(binlog.table, route.table)))) {
      undecodable('bad-envelope', `the topic names table ${route.db}.${route.table} but the event's source block says ${binlog.db}.${binlog.table}`);
    }
    const transaction = readTransactionBlock(payload.transaction);
    const position = at(binlog);
    if (op === 't') return { kind: 'truncate', op, source: source.name, versionTime: sourceMicros(binlog), transaction, position };
    const fields = rowSchema(schema);
    const tally: ValueTally = { decimalsFromDoubles: 0 };
    const keyChange = this.#keyChange(message, source);
    if (op === 'd') {
      const needed = [...source.keyIndexes, source.versionIndex];
      const before = decodeImage(requireImage(payload, 'before', op), fields, source, this.#options, tally, '"before"', needed);
      requireKey(source, before, '"before"');
      const beforeVersionTime = requireVersionTime(source, before, '"before"');
      // The later of the source's clock and the deleted version's time: never ordered before the version it deletes.
      const ts = sourceMicros(binlog);
      const versionTime = ts > beforeVersionTime ? ts : beforeVersionTime;
      const key = rowOf(source, before, source.keyIndexes);
      this.#checkMessageKey(message, source, key);
      const decimalsFromDoubles = tally.decimalsFromDoubles;
      return { kind: 'delete', op, source: source.name, key, versionTime, beforeVersionTime, transaction, keyChange, decimalsFromDoubles, position };
    }
    const after = decodeImage(requireImage(payload, 'after', op), fields, source, this.#options, tally, '"after"');
    requireKey(source, after, '"after"');
    const versionTime = requireVersionTime(source, after, '"after"');
    if (op === 'u' && isJsonObject(payload.before)) this.#checkUpdate(payload.before, fields, source, after, versionTime);
    const key = rowOf(source, after, source.keyIndexes);
    this.#checkMessageKey(message, source, key);
    const row = rowOf(source, after);
    const decimalsFromDoubles = tally.decimalsFromDoubles;
    return { kind: 'upsert', op: op as 'c' | 'u' | 'r', source: source.name, row, key, versionTime, transaction, keyChange, decimalsFromDoubles, position };
  }

  /**
   * An update must keep its key (Debezium sends a key change as delete +
   * create) and advance its version time. Only the key and version time of
   * the before image must decode; the rest is compared only on a tie of
   * times, a column that does not decode counting as changed.
   */
  #checkUpdate(
    beforeImage: JsonObject,
    fields: ReadonlyMap<string, FieldSchema> | null,
    source: MappedSource,
    after: readonly (DecodedValue | null)[],
    versionTime: bigint,
  ): void {
    const tally = { decimalsFromDoubles: 0 };
    const needed = [...source.keyIndexes, source.versionIndex];
    const before = decodeImage(beforeImage, fields, source, this.#options, tally, '"before"', needed);
    for (const i of source.keyIndexes) {
      if (!sameValue(before[i]!, after[i]!)) {
        undecodable('key-mismatch', `an update changes primary-key column '${source.columns[i]}' of source '${source.name}'; Debezium sends a key change as a delete and a create`);
      }
    }
    const beforeTime = before[source.versionIndex];
    if (typeof beforeTime !== 'bigint' || versionTime > beforeTime) return;
    const changed =
      versionTime < beforeTime ||
      source.columns.some((_, i) => {
        if (needed.includes(i)) return false;
        try {
          return !sameValue(decodeImage(beforeImage, fields, source, this.#options, tally, '"before"', [i])[i]!, after[i]!);
        } catch (error) {
          if (error instanceof UndecodableMessage) return true;
          throw error;
        }
      });
    if (changed) {
      undecodable(
        'version-not-advanced',
        `an update of source '${source.name}' has version time ${versionTime} µs ('${source.columns[source.versionIndex]}'), ` +
          `${versionTime < beforeTime ? 'earlier than' : 'equal to'} its before image's ${beforeTime} µs${versionTime < beforeTime ? '' : ', with other values'}: ` +
          `it cannot be ordered after the version it replaces. The source must set '${source.columns[source.versionIndex]}' on every change (ON UPDATE CURRENT_TIMESTAMP(6))`,
      );
    }
  }

  /** The message key must agree with the row's primary key where it names the same columns. */
  #checkMessageKey(message: DebeziumMessage, source: MappedSource, key: DecodedRow): void {
    const parsed = partJson(message.key, 'key');
    if (parsed === null) return;
    const { schema, payload } = unwrapEnvelope(parsed);
    if (!isJsonObject(payload)) undecodable('key-mismatch', 'the message key is not a JSON object');
    const present = source.keyIndexes.filter((i) => memberPresent(payload, source.columns[i]!));
    if (present.length === 0) return; // message.key.columns chose other columns
    const values = decodeImage(payload, partSchema(schema, 'the key schema')?.fields ?? null, source, this.#options, { decimalsFromDoubles: 0 }, 'key', present);
    for (const i of present) {
      if (!sameValue(values[i]!, key[source.columns[i]!]!)) {
        undecodable('key-mismatch', `the message key's '${source.columns[i]}' differs from the row's primary key`);
      }
    }
  }

  #keyChange(message: DebeziumMessage, source: MappedSource): KeyChange | null {
    for (const header of ['__debezium.newkey', '__debezium.oldkey'] as const) {
      const raw = message.headers?.[header];
      if (raw === undefined || raw === null) continue;
      const text = partText(raw, `header ${header}`) ?? '';
      try {
        const { schema, payload } = unwrapEnvelope(partJson(text, `header ${header}`));
        if (isJsonObject(payload)) {
          const fields = partSchema(schema, `header ${header}`)?.fields ?? null;
          const values = decodeImage(payload, fields, source, this.#options, { decimalsFromDoubles: 0 }, `header ${header}`, source.keyIndexes);
          return { header, key: rowOf(source, values, source.keyIndexes) };
        }
      } catch (error) {
        if (!(error instanceof UndecodableMessage)) throw error;
      }
      // Informational only (the delete and the create apply as they are): keep a header we cannot read as its text.
      return { header, key: text };
    }
    return null;
  }

  #tombstone(message: DebeziumMessage): TombstoneChange {
    const keyJson = partJson(message.key, 'key');
    const unwrapped = keyJson === null ? { schema: null, payload: null } : unwrapEnvelope(keyJson);
    const schema = partSchema(unwrapped.schema, 'the key schema');
    const payload = unwrapped.payload;
    const topic = message.topic ?? keyTopic(schema);
    if (topic === null) return { kind: 'tombstone', source: null, key: null, position: position(message, null, null) };
    const route = routeTopic(topic, this.#options);
    const at = position(message, topic, null);
    if (route.kind === 'unmapped-table' && this.#options.unmappedTables === 'ignore') {
      return { kind: 'tombstone', source: null, key: null, position: at };
    }
    if (route.kind !== 'table') return undecodable('unknown-topic', `a tombstone on topic '${topic}', which is not a table topic any source reads`);
    if (payload === null) return { kind: 'tombstone', source: route.source.name, key: null, position: at };
    if (!isJsonObject(payload)) return undecodable('missing-key', 'the tombstone key is not a JSON object');
    const values = decodeImage(payload, schema?.fields ?? null, route.source, this.#options, { decimalsFromDoubles: 0 }, 'key', route.source.keyIndexes);
    requireKey(route.source, values, 'key');
    return { kind: 'tombstone', source: route.source.name, key: rowOf(route.source, values, route.source.keyIndexes), position: at };
  }

  #schemaChange(payload: JsonObject, at: (b: BinlogPosition | null) => ChangePosition): DecodedChange {
    const binlog = isJsonObject(payload.source) ? readSourceBlock(payload.source) : null;
    return {
      kind: 'schema-change',
      databaseName: typeof payload.databaseName === 'string' ? payload.databaseName : null,
      ddl: typeof payload.ddl === 'string' ? payload.ddl : null,
      tables: readTableChanges(payload, this.#options),
      position: at(binlog),
    };
  }

  /** The topic of a message that came without one, from what its payload is. */
  #inferTopic(payload: JsonValue): string | null {
    if (!isJsonObject(payload)) return null;
    const source = payload.source;
    if (typeof payload.op === 'string' && isJsonObject(source) && typeof source.db === 'string' && typeof source.table === 'string') {
      return tableTopic(source.db, source.table, this.#options);
    }
    if ((payload.status === 'BEGIN' || payload.status === 'END') && typeof payload.id === 'string') return this.#options.transactionTopic;
    if ('tableChanges' in payload || 'ddl' in payload) return this.#options.topicPrefix;
    if (Object.keys(payload).length === 1 && 'ts_ms' in payload) return this.#options.heartbeatTopic;
    return null;
  }
}

/** Creates a {@link DebeziumDecoder}; bad options are an `InvalidInputError` (a source that cannot be fed, a `DefinitionError`). */
export function createDebeziumDecoder(options: DebeziumDecoderOptions): DebeziumDecoder {
  return new DebeziumDecoder(options);
}

/** When the change was made at the source, µs: `source.ts_us` where the connector gives it, else `source.ts_ms`. */
function sourceMicros(binlog: BinlogPosition): bigint {
  return binlog.tsUs !== null ? BigInt(binlog.tsUs) : BigInt(binlog.tsMs) * 1000n;
}

function position(message: DebeziumMessage, topic: string | null, binlog: BinlogPosition | null): ChangePosition {
  return {
    topic,
    partition: message.partition ?? null,
    offset: message.offset ?? null,
    file: message.file ?? null,
    line: message.line ?? null,
    next: message.next ?? null,
    binlog,
  };
}

/** A key schema's name is `<prefix>.<db>.<table>.Key`: the topic of a tombstone that came without one. */
function keyTopic(schema: FieldSchema | null): string | null {
  const name = schema?.name;
  return name && name.endsWith('.Key') ? name.slice(0, -4) : null;
}

function sameName(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

function memberPresent(object: JsonObject, column: string): boolean {
  if (Object.hasOwn(object, column)) return true;
  const lower = column.toLowerCase();
  return Object.keys(object).some((k) => k.toLowerCase() === lower);
}
