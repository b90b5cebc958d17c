import { open } from 'node:fs/promises';
import { InvalidInputError } from '@asof/core';
import { toJsonText } from './json-text.js';

/** A message to write: key and value as JSON text (or values to write as compact JSON); a null value is a tombstone. */
export interface FileMessage {
  readonly key?: string | object | null;
  readonly value: string | object | null;
}

/** Options of {@link writeDebeziumFile}. */
export interface WriteDebeziumFileOptions {
  /** Write `<key>\t<value>` lines (`kcat -f '%k\t%s\n'`; default) or `<value>` only (`-f '%s\n'`). */
  readonly keys?: boolean;
  /** Line ending (default `\n`). */
  readonly lineEnding?: '\n' | '\r\n';
  /** Append to the file instead of replacing it. */
  readonly append?: boolean;
}

/**
 * Writes messages in the format {@link readDebeziumFile} reads (for tests
 * and replays), fsyncing at the end. Objects are written as compact JSON
 * with exact numbers (bigints as digits). A text holding a newline, or a
 * key holding a TAB, cannot be written as one line: an `InvalidInputError`.
 */
export async function writeDebeziumFile(path: string, messages: Iterable<FileMessage>, options: WriteDebeziumFileOptions = {}): Promise<number> {
  const keys = options.keys ?? true;
  const eol = options.lineEnding ?? '\n';
  const handle = await open(path, options.append ? 'a' : 'w');
  let count = 0;
  try {
    let buffer: string[] = [];
    for (const message of messages) {
      const value = text(message.value, count, 'value');
      if (keys) {
        const key = text(message.key ?? null, count, 'key');
        if (key.includes('\t')) throw new InvalidInputError(`writeDebeziumFile: message ${count}'s key holds a TAB, which would split the line`);
        buffer.push(`${key}\t${value}${eol}`);
      } else buffer.push(`${value}${eol}`);
      count++;
      if (buffer.length >= 1024) {
        await handle.appendFile(buffer.join(''), 'utf8');
        buffer = [];
      }
    }
    if (buffer.length > 0) await handle.appendFile(buffer.join(''), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return count;
}

function text(part: string | object | null, index: number, what: string): string {
  const out = part === null ? '' : typeof part === 'string' ? part : toJsonText(part);
  if (out.includes('\n') || out.includes('\r')) throw new InvalidInputError(`writeDebeziumFile: message ${index}'s ${what} holds a line break; write compact JSON`);
  return out;
}
