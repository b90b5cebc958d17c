/**
 * The `schema` part the JSON converter writes with `schemas.enable=true`: a
 * Kafka Connect schema as JSON (`{"type":"struct","fields":[{"type":"int64",
 * "optional":false,"name":"io.debezium.time.MicroTimestamp","version":1,
 * "field":"updated_at"}, …]}`). Only what decoding needs is read: each
 * field's type, logical name and parameters.
 */
import { isJsonObject, type JsonObject, type JsonValue } from './json-parse.js';
import { undecodable } from './dead-letter.js';

/** One field's schema. */
export interface FieldSchema {
  /** Connect type: `int8` … `int64`, `float`, `double`, `boolean`, `string`, `bytes`, `struct`, `array`, `map`. */
  readonly type: string;
  /** Logical type name, e.g. `org.apache.kafka.connect.data.Decimal`; null for a plain type. */
  readonly name: string | null;
  /** Schema parameters (`scale`, `connect.decimal.precision`, `allowed`…), all strings. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly optional: boolean;
  /** A struct's fields by name. */
  readonly fields: ReadonlyMap<string, FieldSchema> | null;
}

/**
 * Splits a converter message into its schema (as JSON, read with
 * {@link readFieldSchema} where a decoder needs it) and payload. With
 * schemas enabled the converter writes exactly `{"schema":…,"payload":…}`;
 * any other value is a bare payload.
 */
export function unwrapEnvelope(json: JsonValue): { schema: JsonValue; payload: JsonValue } {
  if (isJsonObject(json) && 'payload' in json && 'schema' in json && Object.keys(json).length === 2) {
    return { schema: json.schema ?? null, payload: json.payload ?? null };
  }
  return { schema: null, payload: json };
}

/** The schema of a message part, read; null when it has none. */
export function partSchema(schema: JsonValue, where: string): FieldSchema | null {
  return schema === null ? null : readFieldSchema(schema, where);
}

/** Reads one schema object. A malformed one makes the message a `bad-envelope` dead letter. */
export function readFieldSchema(json: JsonValue, where: string): FieldSchema {
  if (!isJsonObject(json) || typeof json.type !== 'string') undecodable('bad-envelope', `${where} is not a Kafka Connect schema (no "type")`);
  const parameters: Record<string, string> = {};
  if (json.parameters !== undefined && json.parameters !== null) {
    if (!isJsonObject(json.parameters)) undecodable('bad-envelope', `${where}.parameters is not an object`);
    for (const [k, v] of Object.entries(json.parameters)) if (typeof v === 'string') parameters[k] = v;
  }
  let fields: Map<string, FieldSchema> | null = null;
  if (json.type === 'struct') {
    if (!Array.isArray(json.fields)) undecodable('bad-envelope', `${where} is a struct without "fields"`);
    fields = new Map();
    for (const f of json.fields) {
      if (!isJsonObject(f) || typeof f.field !== 'string') undecodable('bad-envelope', `${where}.fields has an entry without "field"`);
      fields.set(f.field, readFieldSchema(f, `${where}.${f.field}`));
    }
  }
  return {
    type: json.type,
    name: typeof json.name === 'string' ? json.name : null,
    parameters,
    optional: json.optional === true,
    fields,
  };
}

/** The schema of the row image (`after`, else `before`) of an envelope schema, null when there is none. */
export function rowSchema(envelope: FieldSchema | null): ReadonlyMap<string, FieldSchema> | null {
  const fields = envelope?.fields;
  if (!fields) return null;
  return (fields.get('after') ?? fields.get('before'))?.fields ?? null;
}

/** A field's schema by column name: exact, else case-insensitive (MySQL column names are). */
export function fieldOf(fields: ReadonlyMap<string, FieldSchema> | null, column: string): FieldSchema | null {
  if (!fields) return null;
  const exact = fields.get(column);
  if (exact) return exact;
  const lower = column.toLowerCase();
  for (const [name, schema] of fields) if (name.toLowerCase() === lower) return schema;
  return null;
}

/** A payload object's member by column name: exact, else case-insensitive; `undefined` when absent. */
export function memberOf(object: JsonObject, column: string): JsonValue | undefined {
  if (Object.hasOwn(object, column)) return object[column];
  const lower = column.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}
