import type { ScalarValue } from '../definitions/aggregation.js';
import { DefinitionError } from '../errors.js';
import type { ScalarJson } from './document.js';

/** Encodes a filter literal so JSON keeps it exactly (bigint and non-finite numbers are tagged). */
export function encodeScalar(value: ScalarValue): ScalarJson {
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) as 'NaN' | 'Infinity' | '-Infinity' };
  return value;
}

/** Reverses {@link encodeScalar}. */
export function decodeScalar(value: unknown, what: string): ScalarValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'object' && Object.keys(value).length === 1) {
    const tagged = value as { $bigint?: unknown; $number?: unknown };
    if (typeof tagged.$bigint === 'string' && /^-?\d+$/.test(tagged.$bigint)) return BigInt(tagged.$bigint);
    if (tagged.$number === 'NaN' || tagged.$number === 'Infinity' || tagged.$number === '-Infinity') return Number(tagged.$number);
  }
  throw new DefinitionError(`${what}: ${JSON.stringify(value)} is not a filter value; use a string, number, boolean, null or { "$bigint": "123" }`);
}
