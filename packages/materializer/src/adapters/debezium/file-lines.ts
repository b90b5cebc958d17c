/**
 * The lines of a message file, streamed with bounded memory: each line's
 * bytes (without its `\n` or `\r\n`), its 1-based number and the byte
 * offsets where it starts and where the next line starts, so a reader can
 * resume after any line without re-reading the file.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { InvalidInputError } from '@asof/core';

/** One line of a file. */
export interface FileLine {
  /** 1-based. */
  readonly line: number;
  /** The line's bytes without its terminator; null when it is longer than the limit (its bytes were not kept). */
  readonly bytes: Buffer | null;
  /** The length of the line in bytes (also when `bytes` is null). */
  readonly length: number;
  /** Byte offset of the line's start, and of the next line's start (the file's size after the last line). */
  readonly start: number;
  readonly next: number;
}

/** Where to start: after a line read before. */
export interface LineResume {
  readonly line: number;
  /** The byte offset of the line after it (`next` of that line). */
  readonly next: number;
}

/** Options of {@link readFileLines}. */
export interface FileLinesOptions {
  readonly resumeAfter?: LineResume;
  /** Lines longer than this many bytes are reported without their bytes (default 64 MiB). */
  readonly maxLineBytes?: number;
  readonly signal?: AbortSignal;
}

/** Streams the lines of `path`; a trailing line without `\n` is a line too. */
export async function* readFileLines(path: string, options: FileLinesOptions = {}): AsyncGenerator<FileLine> {
  const limit = options.maxLineBytes ?? 64 * 1024 * 1024;
  const start = await resumeOffset(path, options.resumeAfter);
  let lineNumber = options.resumeAfter?.line ?? 0;
  let lineStart = start;
  let offset = start;
  let parts: Buffer[] = [];
  let kept = 0;
  let length = 0;
  const stream = createReadStream(path, { start, highWaterMark: 1 << 20, signal: options.signal });
  const finish = (next: number): FileLine => {
    let bytes: Buffer | null = length > limit ? null : parts.length === 1 ? parts[0]! : Buffer.concat(parts, kept);
    if (bytes !== null && bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    const out: FileLine = { line: ++lineNumber, bytes, length, start: lineStart, next };
    parts = [];
    kept = 0;
    length = 0;
    lineStart = next;
    return out;
  };
  const keep = (piece: Buffer): void => {
    length += piece.length;
    if (length <= limit) {
      parts.push(piece);
      kept += piece.length;
    } else if (parts.length > 0) {
      // Past the limit: drop what was kept, only count the rest.
      parts = [];
      kept = 0;
    }
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (let nl = chunk.indexOf(0x0a, from); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
        keep(chunk.subarray(from, nl));
        from = nl + 1;
        yield finish(offset + from);
      }
      if (from < chunk.length) keep(chunk.subarray(from));
      offset += chunk.length;
    }
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw new InvalidInputError(`could not read message file ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (length > 0) yield finish(offset);
}

async function resumeOffset(path: string, resume: LineResume | undefined): Promise<number> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new InvalidInputError(`could not open message file ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!resume) return 0;
  const { line, next } = resume;
  if (!Number.isSafeInteger(line) || line < 0 || !Number.isSafeInteger(next) || next < 0) {
    throw new InvalidInputError(`resume position { line: ${line}, next: ${next} } for ${path} is not a line number and byte offset`);
  }
  if (next > size) {
    throw new InvalidInputError(
      `cannot resume ${path} after line ${line}: its next line starts at byte ${next}, but the file has only ${size} bytes (was it replaced or truncated?)`,
    );
  }
  if (next > 0 && next < size) {
    // A position this reader produced is always just past a '\n'; anything else means another file.
    const handle = await open(path, 'r');
    try {
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, next - 1);
      if (byte[0] !== 0x0a) {
        throw new InvalidInputError(`cannot resume ${path} after line ${line}: byte ${next} does not start a line (was the file replaced?)`);
      }
    } finally {
      await handle.close();
    }
  }
  return next;
}
