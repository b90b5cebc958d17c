import { createHash } from 'node:crypto';
import { DefinitionError } from '../errors.js';

/**
 * JSON with object keys sorted at every level and no whitespace, so equal
 * content always gives the same text (and hash) whatever order the keys
 * were written in. Array order is kept: it is meaningful where arrays are used.
 * Properties whose value is `undefined` are dropped, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DefinitionError(`cannot hash the non-finite number ${value}; encode it first`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new DefinitionError(`cannot serialise a ${typeof value} into registry JSON`);
}

/** Hex sha256 of the canonical JSON of a value. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
