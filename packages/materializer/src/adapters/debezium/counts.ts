import { CHANGE_KINDS, type ChangeKind } from './changes.js';
import { DEAD_LETTER_REASONS, type DeadLetterReason } from './dead-letter.js';
import type { DecodeOutcome } from './decoder.js';

/** How many messages a run decoded, by kind, and how many became dead letters, by reason. */
export interface DecodeCounts {
  readonly messages: number;
  readonly changes: Readonly<Record<ChangeKind, number>>;
  readonly deadLetters: number;
  readonly deadLettersByReason: Readonly<Record<DeadLetterReason, number>>;
  /** Decimal values read from doubles (accepted with `acceptLossyDecimals`). */
  readonly decimalsFromDoubles: number;
}

/** Adds up {@link DecodeOutcome}s. `messages` always equals the changes plus the dead letters. */
export class DecodeTally {
  #messages = 0;
  #changes = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  #dead = Object.fromEntries(DEAD_LETTER_REASONS.map((r) => [r, 0])) as Record<DeadLetterReason, number>;
  #deadTotal = 0;
  #doubles = 0;

  /** Counts one outcome. */
  add(outcome: DecodeOutcome): void {
    this.#messages++;
    if (outcome.ok) {
      this.#changes[outcome.change.kind]++;
      const change = outcome.change;
      if (change.kind === 'upsert' || change.kind === 'delete') this.#doubles += change.decimalsFromDoubles;
    } else {
      this.#dead[outcome.deadLetter.reason]++;
      this.#deadTotal++;
    }
  }

  /** The counts so far (a copy). */
  get counts(): DecodeCounts {
    return {
      messages: this.#messages,
      changes: { ...this.#changes },
      deadLetters: this.#deadTotal,
      deadLettersByReason: { ...this.#dead },
      decimalsFromDoubles: this.#doubles,
    };
  }
}

/** One line summing up counts, e.g. `1,204 messages: 1,180 upserts, 20 deletes, 4 dead letters (3 bad-value, 1 bad-json)`. */
export function describeCounts(counts: DecodeCounts): string {
  const parts = CHANGE_KINDS.filter((k) => counts.changes[k] > 0).map((k) => `${counts.changes[k].toLocaleString('en-US')} ${plural(k, counts.changes[k])}`);
  const dead = DEAD_LETTER_REASONS.filter((r) => counts.deadLettersByReason[r] > 0).map((r) => `${counts.deadLettersByReason[r]} ${r}`);
  const letters =
    counts.deadLetters === 0
      ? 'no dead letters'
      : `${counts.deadLetters.toLocaleString('en-US')} dead letter${counts.deadLetters === 1 ? '' : 's'} (${dead.join(', ')})`;
  return `${counts.messages.toLocaleString('en-US')} message${counts.messages === 1 ? '' : 's'}: ${[...parts, letters].join(', ')}`;
}

const WORDS: Record<ChangeKind, string> = {
  upsert: 'upsert',
  delete: 'delete',
  truncate: 'truncate',
  tombstone: 'tombstone',
  'schema-change': 'schema change',
  transaction: 'transaction marker',
  heartbeat: 'heartbeat',
  ignored: 'ignored event',
};

function plural(kind: ChangeKind, n: number): string {
  return n === 1 ? WORDS[kind] : `${WORDS[kind]}s`;
}
