import { JsonNumber } from './json-parse.js';

/**
 * Compact JSON text of a parsed value, numbers exact: a {@link JsonNumber}
 * keeps its literal and a `bigint` prints its digits (where `JSON.stringify`
 * would throw). Used to keep a message that arrived already parsed as text
 * in a dead letter, and to write message files. Values with a `toJSON`
 * (a `Decimal`, a `Date`) are written as it returns; `undefined` members
 * are left out, as `JSON.stringify` does.
 */
export function toJsonText(value: unknown): string {
  return write(value, 0) ?? 'null';
}

function write(value: unknown, depth: number): string | undefined {
  if (depth > 512) throw new RangeError('toJsonText: nesting deeper than 512');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value instanceof JsonNumber) return value.text;
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return write(json.call(value), depth + 1);
  if (Array.isArray(value)) return `[${value.map((v) => write(v, depth + 1) ?? 'null').join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value as object)) {
    const text = write((value as Record<string, unknown>)[key], depth + 1);
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}
