/**
 * A file of Debezium JSON messages, one per line, as `kcat -C -f '%k\t%s\n'`
 * prints a topic (or `-f '%s\n'` without keys): for replays and tests.
 * A line is `<value>` or `<key>\t<value>`. JSON holds a tab only as `\t`
 * inside strings (the converter writes compact JSON), so a literal TAB
 * separates the key from the value; an empty value (or kcat's `-Z` NULL)
 * is a tombstone. Lines end in `\n` or `\r\n`.
 *
 * Each line decodes to exactly one change or one dead letter, so the
 * counts add up to the lines read, and each change's position carries its
 * file, line and the byte offset of the next line: pass it as
 * `resumeAfter` to continue after it.
 */
import type { ChangePosition, DecodedChange } from './changes.js';
import { DecodeTally, type DecodeCounts } from './counts.js';
import type { DeadLetterSink } from './dead-letter.js';
import type { DebeziumDecoder, DecodeOutcome } from './decoder.js';
import { readFileLines, type LineResume } from './file-lines.js';
import type { DebeziumMessage } from './message.js';

/** Options of {@link readDebeziumFile}. */
export interface DebeziumFileOptions {
  readonly decoder: DebeziumDecoder;
  /** Where undecodable lines go (with their file and line); flushed before the next change is yielded, and at the end. */
  readonly deadLetters: DeadLetterSink;
  /** The topic every line came from; without it each message's topic is inferred from its payload. */
  readonly topic?: string;
  /** Whether lines may carry keys: `auto` (default: a literal TAB ends the key), `never` (`%s` dumps: a TAB is then part of the value). */
  readonly keys?: 'auto' | 'never';
  /** Continue after this line (a change's `position.line` and `position.next`). */
  readonly resumeAfter?: LineResume;
  /** A longer line is a dead letter (default 64 MiB). */
  readonly maxLineBytes?: number;
  readonly signal?: AbortSignal;
}

/** The changes of a message file, with running counts; iterate it once. */
export class DebeziumFileReader implements AsyncIterable<DecodedChange> {
  readonly path: string;
  readonly #options: DebeziumFileOptions;
  readonly #tally = new DecodeTally();
  #last: LineResume | null = null;
  #started = false;

  constructor(path: string, options: DebeziumFileOptions) {
    this.path = path;
    this.#options = options;
  }

  /** Lines decoded so far, by kind, and dead letters by reason. */
  get counts(): DecodeCounts {
    return this.#tally.counts;
  }

  /** The last line handled (decoded or dead-lettered), to resume after; null before the first. */
  get position(): LineResume | null {
    return this.#last;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<DecodedChange> {
    if (this.#started) throw new Error(`DebeziumFileReader for ${this.path} is iterated twice; open it again (with resumeAfter) instead`);
    this.#started = true;
    const { decoder, deadLetters } = this.#options;
    const keys = this.#options.keys ?? 'auto';
    // Letters written since the last flush: flushed before the next change is handed out, so a position
    // committed after that change never runs ahead of a dead letter that is not yet durable.
    let unflushed = false;
    try {
      const { resumeAfter, maxLineBytes, signal } = this.#options;
      for await (const line of readFileLines(this.path, { resumeAfter, maxLineBytes, signal })) {
        const where = { file: this.path, line: line.line, next: line.next, topic: this.#options.topic ?? null };
        const outcome =
          line.bytes === null
            ? tooLong(where, line.length, this.#options.maxLineBytes)
            : decoder.decode({ ...where, ...splitLine(line.bytes, keys) });
        this.#tally.add(outcome);
        this.#last = { line: line.line, next: line.next };
        if (outcome.ok) {
          if (unflushed) await deadLetters.flush();
          unflushed = false;
          yield outcome.change;
        } else {
          unflushed = true;
          await deadLetters.write(outcome.deadLetter);
        }
      }
    } finally {
      if (unflushed) await deadLetters.flush();
    }
  }
}

/** Opens a message file for reading; nothing is read until it is iterated. */
export function readDebeziumFile(path: string, options: DebeziumFileOptions): DebeziumFileReader {
  return new DebeziumFileReader(path, options);
}

/** The position of the line a change came from, to resume after it; null for a change not read from a file. */
export function lineResume(position: ChangePosition): LineResume | null {
  return position.line !== null && position.next !== null ? { line: position.line, next: position.next } : null;
}

function splitLine(bytes: Buffer, keys: 'auto' | 'never'): Pick<DebeziumMessage, 'key' | 'value'> {
  const tab = keys === 'never' ? -1 : bytes.indexOf(0x09);
  return tab < 0 ? { key: null, value: part(bytes) } : { key: part(bytes.subarray(0, tab)), value: part(bytes.subarray(tab + 1)) };
}

/** Empty, or kcat's `-Z` spelling `NULL`, is no value. */
function part(bytes: Buffer | null): Uint8Array | null {
  if (bytes === null || bytes.length === 0) return null;
  if (bytes.length === 4 && bytes.toString('latin1') === 'NULL') return null;
  return bytes;
}

function tooLong(where: { file: string; line: number; topic: string | null }, length: number, limit = 64 * 1024 * 1024): DecodeOutcome {
  return {
    ok: false,
    deadLetter: {
      reason: 'bad-json',
      message: `line ${where.line} of ${where.file} is ${length} bytes, more than the ${limit}-byte limit (maxLineBytes); its text was not kept`,
      topic: where.topic,
      partition: null,
      offset: null,
      file: where.file,
      line: where.line,
      key: null,
      value: null,
      encoding: 'utf8',
    },
  };
}
