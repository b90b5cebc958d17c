/**
 * Errors raised by asof. Every error is an {@link AsofError} with a stable
 * `code` a caller can switch on and, where another error caused it, `cause`.
 * A subclass exists only where a caller would catch it differently.
 */
import { describeSourceIdentity, type SourceIdentity } from './interfaces/source-identity.js';

/** Stable machine-readable error codes. */
export type AsofErrorCode =
  | 'INVALID_DEFINITION'
  | 'INVALID_INPUT'
  | 'INVALID_TIMESTAMP'
  | 'FEATURE_NOT_FOUND'
  | 'SCHEMA_MISMATCH'
  | 'SOURCE_QUERY'
  | 'SOURCE_MISMATCH'
  | 'STORE_WRITE'
  | 'STORE_READ'
  | 'COMMIT_CONFLICT'
  | 'RETENTION'
  | 'LEASE_LOST'
  | 'ONLINE_MISMATCH'
  | 'ONLINE_STALE'
  | 'COVERAGE'
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
 * An entity key is outside its declared type (DESIGN §3): an int64 past
 * 2^63, a fraction, a string for an integer key, a null. A subclass of
 * {@link InvalidInputError}, so a caller can find the offending row and drop
 * or fix it. Never wrapped, rounded or matched against another key.
 */
export class InvalidKeyError extends InvalidInputError {
  /** The key column. */
  readonly column: string;
  /** The row (0-based) of the first bad key; `null` when the whole column has the wrong type (or the caller gave no row). */
  readonly row: number | null;
  /** The offending value as given (`undefined` for a column-type error). */
  readonly value: unknown;
  /** The key's declared dtype kind: `int64`, `int32` or `string`. */
  readonly keyType: string;

  constructor(message: string, details: { column: string; row: number | null; value?: unknown; keyType: string }) {
    super(message);
    this.column = details.column;
    this.row = details.row;
    this.value = details.value;
    this.keyType = details.keyType;
  }
}

/**
 * A request reaches past what the store has computed (DESIGN §5): times
 * outside every interval a view was materialized over, or later than the
 * knowledge time it is complete to. Raised instead of the warning under
 * `strict`, with the warning's message.
 */
export class CoverageError extends AsofError {
  /** The feature view. */
  readonly view: string;
  /** `uncovered` (outside every computed interval) or `past-knowledge` (after the knowledge time). */
  readonly kind: string;

  constructor(view: string, kind: string, message: string) {
    super('COVERAGE', message);
    this.view = view;
    this.kind = kind;
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

  constructor(view: string, conflictingVersions: readonly number[], reason: string, options?: { message?: string; cause?: unknown }) {
    super(
      'COMMIT_CONFLICT',
      options?.message ??
        (conflictingVersions.length > 0
          ? `commit to '${view}' conflicts with concurrent version(s) ${conflictingVersions.join(', ')}: ${reason}`
          : `commit to '${view}' failed: ${reason}`),
      options?.cause !== undefined ? { cause: options.cause } : undefined,
    );
    this.view = view;
    this.conflictingVersions = Object.freeze([...conflictingVersions]);
  }
}

/**
 * Another run committed to a view (or source mirror) first, after the
 * snapshot this writer computed its commit from: a diff against version N
 * (the rows that differ from what N shows) cannot move past a winner that
 * changed the rows, or it would duplicate or undo the winner's work. The
 * caller recomputes against the new snapshot, or re-runs. Nothing this
 * writer wrote became visible.
 */
export class ConcurrentCommitError extends CommitConflictError {
  /** The version the losing commit was computed against. */
  readonly readVersion: number;
  /** The first version another run committed after `readVersion`. */
  readonly committedVersion: number;

  constructor(view: string, readVersion: number, winners: readonly number[], detail: string, options?: { cause?: unknown; message?: string }) {
    const first = winners[0] ?? readVersion + 1;
    super(view, winners, detail, {
      ...options,
      message:
        options?.message ??
        `another run committed version ${first} of '${view}' first (${detail}); this commit was computed against ` +
          `version ${readVersion} and was not applied: re-run to build on it`,
    });
    this.readVersion = readVersion;
    this.committedVersion = first;
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

/**
 * The source a run is connected to is not the one the root was built from
 * (another database, or the same name re-created elsewhere). Nothing was
 * extracted. Carries both identities (which hold no credentials) and what
 * differs, so a caller can show them or decide to re-base.
 */
export class SourceMismatchError extends AsofError {
  /** The identity the root records. */
  readonly recorded: SourceIdentity;
  /** The identity of the source the run is connected to. */
  readonly connected: SourceIdentity;
  /** What differs, one phrase each (`database 'a' ≠ 'b'`). */
  readonly differences: readonly string[];

  constructor(root: string, recorded: SourceIdentity, connected: SourceIdentity, differences: readonly string[]) {
    super(
      'SOURCE_MISMATCH',
      `root ${root} was built from ${describeSourceIdentity(recorded)}, but this run is connected to ${describeSourceIdentity(connected)}: ` +
        `${differences.join('; ')}. Nothing was extracted. Use a new --root for another database; if it holds the same data at a new ` +
        `address (a migration, a restore, a failover to a new cluster), re-base this root on it with one run given --rebase-source ` +
        `(asof materialize-incremental --rebase-source; rebaseSource: true in code), which re-reads every source in full`,
    );
    this.recorded = recorded;
    this.connected = connected;
    this.differences = Object.freeze([...differences]);
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
