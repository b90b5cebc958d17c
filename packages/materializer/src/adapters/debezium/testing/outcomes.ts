/** Assertion helpers for decoder tests (not part of the build). */
import type { DecodedChange } from '../changes.js';
import type { DeadLetter, DeadLetterReason } from '../dead-letter.js';
import type { DecodeOutcome } from '../decoder.js';

/** The change of an outcome that must have decoded; fails with the dead letter's message otherwise. */
export function changeOf<K extends DecodedChange['kind']>(outcome: DecodeOutcome, kind: K): Extract<DecodedChange, { kind: K }> {
  if (!outcome.ok) throw new Error(`expected a ${kind}, got a dead letter (${outcome.deadLetter.reason}): ${outcome.deadLetter.message}`);
  if (outcome.change.kind !== kind) throw new Error(`expected a ${kind}, got a ${outcome.change.kind}`);
  return outcome.change as Extract<DecodedChange, { kind: K }>;
}

/** The dead letter of an outcome that must have failed with `reason`. */
export function deadLetterOf(outcome: DecodeOutcome, reason: DeadLetterReason): DeadLetter {
  if (outcome.ok) throw new Error(`expected a ${reason} dead letter, got a ${outcome.change.kind}`);
  if (outcome.deadLetter.reason !== reason) {
    throw new Error(`expected a ${reason} dead letter, got ${outcome.deadLetter.reason}: ${outcome.deadLetter.message}`);
  }
  return outcome.deadLetter;
}

/** A row as a plain object (decoded rows have no prototype), for `toEqual`. */
export function plain(row: object | null): Record<string, unknown> | null {
  return row === null ? null : { ...(row as Record<string, unknown>) };
}
