/**
 * A message the decoder could not turn into a change. It is never dropped:
 * it goes to a {@link DeadLetterSink} with the reason, where it was read and
 * the raw message, and the run's counts say how many there were.
 */

/** Why a message became a dead letter. */
export type DeadLetterReason =
  /** Not JSON (or, in a message file, not UTF-8, or a line past the size limit). */
  | 'bad-json'
  /** The topic maps to no source (or a message file did not say, and the message does not tell). */
  | 'unknown-topic'
  /** JSON, but not a Debezium message of its topic: a missing or mistyped `op`, `source`, `before`, `after`, `payload` field. */
  | 'bad-envelope'
  /** An `op` other than c, u, d, r, t. */
  | 'unknown-op'
  /** A value that does not fit its column's declared dtype (out of range, lossy, unparseable, ambiguous). */
  | 'bad-value'
  /** The message's column is missing, or its schema gives it another type than the declared dtype. */
  | 'schema-mismatch'
  /** A primary-key column is null or missing. */
  | 'missing-key'
  /** The version-time column is null or missing (of `after`, or of a delete's `before`). */
  | 'missing-version-time'
  /** The message key disagrees with the row's primary key, or an update changes the primary key. */
  | 'key-mismatch'
  /** An update whose version time does not advance past its `before` image's, so it cannot be ordered after it. */
  | 'version-not-advanced';

/** Every {@link DeadLetterReason}, in a stable order for counts. */
export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = Object.freeze([
  'bad-json',
  'unknown-topic',
  'bad-envelope',
  'unknown-op',
  'bad-value',
  'schema-mismatch',
  'missing-key',
  'missing-version-time',
  'key-mismatch',
  'version-not-advanced',
]);

/** One undecodable message, as a dead-letter file line holds it. */
export interface DeadLetter {
  readonly reason: DeadLetterReason;
  /** What is wrong and what to do, naming the column and value where there is one. */
  readonly message: string;
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: number | null;
  readonly file: string | null;
  readonly line: number | null;
  /** The raw key and value as received (parsed input is written back as JSON text); null when absent. */
  readonly key: string | null;
  readonly value: string | null;
  /** How `key` and `value` are written: as text, or as base64 of bytes that were not UTF-8. */
  readonly encoding: 'utf8' | 'base64';
}

/**
 * Where dead letters go. `write` must keep them in order; `flush` makes
 * every letter written so far durable: call it before committing a
 * position past a dead letter, or a crash could lose the letter while the
 * position says the message was handled.
 */
export interface DeadLetterSink {
  write(letter: DeadLetter): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** A sink that keeps dead letters in memory (tests, small replays). */
export class MemoryDeadLetterSink implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  #closed = false;

  async write(letter: DeadLetter): Promise<void> {
    if (this.#closed) throw new Error('MemoryDeadLetterSink: write after close');
    this.letters.push(letter);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.#closed = true;
  }
}

/** Thrown inside the decoder for a message that cannot be decoded; caught and turned into a {@link DeadLetter}. */
export class UndecodableMessage extends Error {
  readonly reason: DeadLetterReason;

  constructor(reason: DeadLetterReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Throws an {@link UndecodableMessage}. */
export function undecodable(reason: DeadLetterReason, message: string): never {
  throw new UndecodableMessage(reason, message);
}
