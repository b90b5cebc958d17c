/**
 * A content hash of a TRS state: SHA-256 over each table's name and its
 * canonical CSV lines (exact values, see write-files.ts). Equal hashes mean
 * byte-identical tables; determinism tests compare them.
 */
import { createHash } from 'node:crypto';
import { TRS_TABLES } from './arrow-schema.js';
import type { TrsState } from './state-at.js';
import { csvLines } from './write-files.js';

/** The hex SHA-256 of `state`'s four tables (the instant itself is not hashed). */
export function trsContentHash(state: TrsState): string {
  const hash = createHash('sha256');
  for (const name of TRS_TABLES) {
    hash.update(`## ${name}\n`);
    for (const line of csvLines(state.tables[name])) hash.update(line + '\n');
  }
  return hash.digest('hex');
}
