import { open, type FileHandle } from 'node:fs/promises';
import { StoreWriteError } from '@asof/core';
import type { DeadLetter, DeadLetterSink } from './dead-letter.js';
import { toJsonText } from './json-text.js';

/**
 * Dead letters appended to a file, one JSON object per line
 * (`{"reason":…,"message":…,"topic":…,"partition":…,"offset":…,"file":…,"line":…,"key":…,"value":…}`).
 * The file is created if missing and never truncated, so runs add to it.
 * `flush()` and `close()` fsync it; a failed write is a `StoreWriteError`
 * naming the file.
 */
export class FileDeadLetterSink implements DeadLetterSink {
  readonly path: string;
  #handle: Promise<FileHandle> | null = null;
  #pending: string[] = [];
  // Every file operation runs after the previous one, so letters land in the order they were written.
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(path: string) {
    this.path = path;
  }

  async write(letter: DeadLetter): Promise<void> {
    if (this.#closed) throw new StoreWriteError(`dead-letter file ${this.path} is closed; open a new FileDeadLetterSink`);
    this.#pending.push(`${toJsonText(letter)}\n`);
    // Small batches: a replay with many bad lines does not make one write per line.
    if (this.#pending.length >= 256) await this.#drain();
  }

  async flush(): Promise<void> {
    await this.#drain();
    if (this.#handle) await this.#io('fsync', async (h) => h.sync());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    if (this.#handle) await this.#io('close', async (h) => h.close());
  }

  async #drain(): Promise<void> {
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    await this.#io('append to', async (h) => void (await h.appendFile(text, 'utf8')));
  }

  #io(what: string, fn: (handle: FileHandle) => Promise<void>): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        this.#handle ??= open(this.path, 'a');
        await fn(await this.#handle);
      } catch (error) {
        throw new StoreWriteError(
          `could not ${what} the dead-letter file ${this.path}: ${(error as Error).message}; check that its folder exists and is writable`,
          [],
          { cause: error },
        );
      }
    };
    const next = this.#queue.then(run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
