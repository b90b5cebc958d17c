/**
 * DynamoDB's documented size accounting for items (attribute name bytes
 * plus value bytes; a number about one byte per two significant digits plus
 * one; a list or map 3 bytes plus 1 per element plus the elements). Every
 * online store measures items this way, so a timeline is split the same
 * way on DynamoDB and on the embedded store.
 */
import type { StoredValue } from './item-codec.js';

const utf8 = new TextEncoder();

/** UTF-8 bytes of a string. */
export function textBytes(s: string): number {
  // ASCII (every attribute name and most keys) needs no encoding pass.
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return utf8.encode(s).length;
  return s.length;
}

/** The size DynamoDB bills for an item. */
export function itemBytes(item: Readonly<Record<string, StoredValue>>): number {
  let total = 0;
  for (const name in item) total += textBytes(name) + valueBytes(item[name]!);
  return total;
}

/** The size of one value, as an attribute or a list element (the element's own byte not included). */
export function valueBytes(v: StoredValue): number {
  if (v.S !== undefined) return textBytes(v.S);
  if (v.N !== undefined) return numberBytes(v.N);
  if (v.B !== undefined) return v.B.length;
  if (v.L !== undefined) {
    let sum = 3;
    for (const item of v.L) sum += 1 + valueBytes(item);
    return sum;
  }
  return 1; // BOOL, NULL
}

function numberBytes(n: string): number {
  const mantissa = n.replace(/^-/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, mantissa.length) / 2) + 1 + (n.startsWith('-') ? 1 : 0);
}
