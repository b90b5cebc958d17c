/**
 * Errors raised by asof. Every error is an {@link AsofError} with a stable
 * `code` a caller can switch on and, where another error caused it, `cause`.
 * A subclass exists only where a caller would catch it differently.
 */

/** Stable machine-readable error codes. */
export type AsofErrorCode =
  | 'INVALID_DEFINITION'
  | 'INVALID_INPUT'
  | 'INVALID_TIMESTAMP'
  | 'FEATURE_NOT_FOUND'
  | 'SCHEMA_MISMATCH'
  | 'SOURCE_QUERY'
  | 'STORE_WRITE'
  | 'STORE_READ'
  | 'COMMIT_CONFLICT'
  | 'RETENTION'
  | 'LEASE_LOST'
  | 'ONLINE_MISMATCH'
  | 'SERVICE_UNAVAILABLE'
  | 'CONFIG';

/** Base class of every error asof throws on purpose. */
export class AsofError extends Error {
  /** Stable code, e.g. `INVALID_TIMESTAMP`. */
  readonly code: AsofErrorCode;

  constructor(code: AsofErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A definition (entity, source, feature view, service) is malformed. */
export class DefinitionError extends AsofError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_DEFINITION', message, options);
  }
}

/** Input data (a table, a column, an option) is not what the call needs. */
export class InvalidInputError extends AsofError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_INPUT', message, options);
  }
}

/**
 * A timestamp could not be read as a UTC instant: unparseable, out of range,
 * or without an offset (asof never guesses a time zone).
 */
export class InvalidTimestampError extends AsofError {
  /** The offending input, as given. */
  readonly input: unknown;

  constructor(input: unknown, reason: string) {
    super('INVALID_TIMESTAMP', `invalid timestamp ${describe(input)}: ${reason}`);
    this.input = input;
  }
}

/** A view or feature name does not exist; `suggestion` is the nearest known name. */
export class FeatureNotFoundError extends AsofError {
  readonly reference: string;
  readonly suggestion: string | undefined;

  constructor(reference: string, known: readonly string[], what = 'feature') {
    const suggestion = nearest(reference, known);
    super(
      'FEATURE_NOT_FOUND',
      `unknown ${what} '${reference}'` +
        (suggestion ? `; did you mean '${suggestion}'?` : known.length ? `; known: ${known.slice(0, 10).join(', ')}` : ''),
    );
    this.reference = reference;
    this.suggestion = suggestion;
  }
}

/** A source column was dropped or changed type since the definition was applied. */
export class SchemaMismatchError extends AsofError {
  readonly column: string;

  constructor(column: string, message: string) {
    super('SCHEMA_MISMATCH', message);
    this.column = column;
  }
}

/**
 * A commit lost an optimistic-concurrency race it cannot retry: another
 * writer committed a change that overlaps this one (e.g. both replaced the
 * same interval). Nothing this writer wrote became visible.
 */
export class CommitConflictError extends AsofError {
  /** The feature view (table) whose log was contended. */
  readonly view: string;
  /** The versions committed concurrently that conflict with this commit. */
  readonly conflictingVersions: readonly number[];

  constructor(view: string, conflictingVersions: readonly number[], reason: string) {
    super(
      'COMMIT_CONFLICT',
      conflictingVersions.length > 0
        ? `commit to '${view}' conflicts with concurrent version(s) ${conflictingVersions.join(', ')}: ${reason}`
        : `commit to '${view}' failed: ${reason}`,
    );
    this.view = view;
    this.conflictingVersions = Object.freeze([...conflictingVersions]);
  }
}

/**
 * The data asked for is older than what the retention policy keeps (or was
 * coarsened, or its files were vacuumed): answering would be silently wrong.
 */
export class RetentionError extends AsofError {
  readonly view: string;

  constructor(view: string, message: string) {
    super('RETENTION', message);
    this.view = view;
  }
}

/**
 * A lease (the lock that keeps two scheduled runs of one view apart) is no
 * longer held by the caller: it expired and another holder took it, or it
 * was released. Work done under it must stop; its commits stay safe because
 * every commit is itself atomic.
 */
export class LeaseLostError extends AsofError {
  /** The lease's name (a feature view). */
  readonly lease: string;

  constructor(lease: string, reason: string) {
    super('LEASE_LOST', `lease '${lease}' was lost: ${reason}`);
    this.lease = lease;
  }
}

/**
 * A store could not be read as its log promises (a committed file is
 * missing, a log entry is malformed): the store is damaged, not the input.
 */
export class StoreReadError extends AsofError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_READ', message, options);
  }
}

/**
 * A store write failed. `written` lists what was written (offline: files,
 * invisible until committed; online: entity keys now settled), `notWritten`
 * what may not have been (online: entity keys to write again).
 */
export class StoreWriteError extends AsofError {
  readonly written: readonly string[];
  readonly notWritten: readonly string[];

  constructor(message: string, written: readonly string[] = [], options?: { cause?: unknown; notWritten?: readonly string[] }) {
    super('STORE_WRITE', message, options);
    this.written = Object.freeze([...written]);
    this.notWritten = Object.freeze([...(options?.notWritten ?? [])]);
  }
}

/**
 * A service asof talks to (S3, DynamoDB) could not be reached: the
 * connection was refused, timed out or dropped, after the client's own
 * retries. Nothing is wrong with the input; a caller may retry later or
 * fix the endpoint. `cause` is the network error.
 */
export class ServiceUnavailableError extends AsofError {
  /** The service, e.g. `S3` or `DynamoDB`. */
  readonly service: string;
  /** The endpoint tried (a URL), or `AWS (region …)` for the service's own. */
  readonly endpoint: string;

  constructor(service: string, endpoint: string, message: string, options?: { cause?: unknown }) {
    super('SERVICE_UNAVAILABLE', message, options);
    this.service = service;
    this.endpoint = endpoint;
  }
}

/**
 * A statement against a source failed, or the source could not be reached.
 * Carries the SQL text and its bound parameters (drizzle's
 * `DrizzleQueryError`) so a failed run can be reproduced; `cause` is the
 * driver's error. The message names the statement but not the parameter
 * values, which may be sensitive.
 */
export class SourceQueryError extends AsofError {
  /** The statement as sent, with `?` placeholders. */
  readonly sql: string;
  /** The values bound to the placeholders, in order. */
  readonly params: readonly unknown[];

  constructor(message: string, sql: string, params: readonly unknown[] = [], options?: { cause?: unknown }) {
    super('SOURCE_QUERY', message, options);
    this.sql = sql;
    this.params = Object.freeze([...params]);
  }
}

function describe(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input);
  if (input instanceof Date) return `Date(${Number.isNaN(input.getTime()) ? 'Invalid' : input.toISOString()})`;
  return String(input);
}

/** The closest name by edit distance, if it is close enough to be a plausible typo. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
