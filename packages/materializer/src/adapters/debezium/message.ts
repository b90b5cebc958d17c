/**
 * A message as the decoder takes it: a Kafka record (topic, partition,
 * offset, key, value, headers) or a line of a message file. Keys and
 * values are raw text (or UTF-8 bytes) as the JSON converter wrote them,
 * or JSON a caller already parsed (an object; note that `JSON.parse` rounds
 * numbers past 2^53, which the decoder then refuses where it matters).
 */
import { UndecodableMessage } from './dead-letter.js';
import { JsonSyntaxError, parseJson, type JsonValue } from './json-parse.js';
import { toJsonText } from './json-text.js';

/** Raw message text or bytes, or already-parsed JSON (an object). */
export type MessagePart = string | Uint8Array | JsonValue;

/** One message to decode. */
export interface DebeziumMessage {
  /** The topic; null when unknown (a message file of mixed topics): the decoder infers it from the message. */
  readonly topic: string | null;
  /** The key; null or absent when the message has none. */
  readonly key?: MessagePart | null;
  /** The value; null is a tombstone. */
  readonly value: MessagePart | null;
  /** Kafka headers (`__debezium.newkey`, `__debezium.oldkey`), as text or bytes. */
  readonly headers?: Readonly<Record<string, string | Uint8Array | null>>;
  readonly partition?: number;
  readonly offset?: number;
  /** The message file, 1-based line and the byte offset of the next line, for a message read from a file. */
  readonly file?: string;
  readonly line?: number;
  readonly next?: number;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A part as text, or null; bytes that are not UTF-8 are a `bad-json` dead letter. */
export function partText(part: MessagePart | null | undefined, what: string): string | null {
  if (part === null || part === undefined) return null;
  if (typeof part === 'string') return part;
  if (part instanceof Uint8Array) {
    try {
      return UTF8.decode(part);
    } catch {
      throw new UndecodableMessage('bad-json', `the message ${what} is not UTF-8 text`);
    }
  }
  return null;
}

/** A part as parsed JSON (null for none); text that is not JSON is a `bad-json` dead letter. */
export function partJson(part: MessagePart | null | undefined, what: string): JsonValue {
  if (part === null || part === undefined) return null;
  const text = partText(part, what);
  if (text === null) return part as JsonValue;
  try {
    return parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new UndecodableMessage('bad-json', `the message ${what} is not JSON: ${error.message}`);
    throw error;
  }
}

/** A part as a dead letter keeps it: its text (bytes that are not UTF-8 as base64), or parsed JSON written back as text. */
export function rawPart(part: MessagePart | null | undefined): { text: string | null; base64: boolean } {
  if (part === null || part === undefined) return { text: null, base64: false };
  if (typeof part === 'string') return { text: part, base64: false };
  if (part instanceof Uint8Array) {
    try {
      return { text: UTF8.decode(part), base64: false };
    } catch {
      return { text: Buffer.from(part).toString('base64'), base64: true };
    }
  }
  return { text: toJsonText(part), base64: false };
}
