import { hostname } from 'node:os';
import { COMMIT_FORMAT, StoreReadError, type Commit, type WriterInfo } from '@asof/core';

const LIBRARY_VERSION = '0.1.0';

/** Who is writing, for the `writer` field of commits. */
export function writerInfo(name?: string): WriterInfo {
  return { library: '@asof/stores', version: LIBRARY_VERSION, host: hostname(), pid: process.pid, ...(name ? { name } : {}) };
}

/** A commit as stored: compact JSON, one document, a trailing newline. */
export function encodeCommit(commit: Commit): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(commit)}\n`);
}

/** Parses and checks a log entry; `where` names it in errors. */
export function decodeCommit(bytes: Uint8Array, view: string, version: number, where: string): Commit {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new StoreReadError(`log entry ${where} is not valid JSON`, { cause: error });
  }
  const c = doc as Partial<Commit> | null;
  const fail = (what: string): never => {
    throw new StoreReadError(`log entry ${where} is malformed: ${what}`);
  };
  if (typeof c !== 'object' || c === null) return fail('not an object');
  if (c.format !== COMMIT_FORMAT) return fail(`format ${JSON.stringify(c.format)} is not ${COMMIT_FORMAT} (written by a newer asof?)`);
  if (c.version !== version) return fail(`it says version ${String(c.version)}`);
  if (c.view !== view) return fail(`it says view ${JSON.stringify(c.view)}`);
  if (typeof c.commitId !== 'string' || typeof c.committedAt !== 'string') return fail('commitId or committedAt missing');
  if (!['append', 'replace', 'compact', 'retention'].includes(c.operation as string)) return fail(`unknown operation ${String(c.operation)}`);
  if (!Array.isArray(c.added) || !Array.isArray(c.removed)) return fail('added or removed is not a list');
  for (const f of c.added) {
    if (typeof f?.path !== 'string' || typeof f.minEventTs !== 'string' || typeof f.maxEventTs !== 'string' || typeof f.seq !== 'string') {
      return fail('an added file lacks path, seq or event-time stats');
    }
  }
  return Object.freeze(c as Commit);
}

/** µs decimal string → bigint. */
export function micros(text: string): bigint {
  return BigInt(text);
}
