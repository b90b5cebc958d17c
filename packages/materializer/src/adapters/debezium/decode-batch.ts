import type { DecodedChange } from './changes.js';
import { DecodeTally, type DecodeCounts } from './counts.js';
import type { DeadLetterSink } from './dead-letter.js';
import type { DebeziumDecoder } from './decoder.js';
import type { DebeziumMessage } from './message.js';

/** What {@link decodeBatch} gives: the changes in message order, and the counts. */
export interface DecodedBatch {
  readonly changes: readonly DecodedChange[];
  readonly counts: DecodeCounts;
}

/**
 * Decodes a micro-batch of messages (one poll of a consumer): the changes
 * in order, each undecodable message written to `deadLetters`, and the
 * counts. The letters are flushed before it returns, so the caller may
 * commit the batch's last position once it has applied the changes.
 */
export async function decodeBatch(decoder: DebeziumDecoder, messages: Iterable<DebeziumMessage>, deadLetters: DeadLetterSink): Promise<DecodedBatch> {
  const tally = new DecodeTally();
  const changes: DecodedChange[] = [];
  let letters = 0;
  for (const message of messages) {
    const outcome = decoder.decode(message);
    tally.add(outcome);
    if (outcome.ok) changes.push(outcome.change);
    else {
      letters++;
      await deadLetters.write(outcome.deadLetter);
    }
  }
  if (letters > 0) await deadLetters.flush();
  return { changes, counts: tally.counts };
}
