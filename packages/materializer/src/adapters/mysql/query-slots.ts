/**
 * Bounds how many statements run against the source at once. A slot is held
 * for the whole life of a streaming query (until its last row is read or it
 * is stopped), not just until its first row, so a slow consumer cannot let
 * more queries pile onto the source.
 */
import pLimit from 'p-limit';

/** A counting semaphore over p-limit whose waits can be aborted. */
export interface QuerySlots {
  /** Resolves with a `release` function once a slot is free; rejects with `signal.reason` if aborted first. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Statements running now. */
  readonly active: number;
  /** Statements waiting for a slot. */
  readonly waiting: number;
}

/** Creates a pool of `concurrency` slots. */
export function createQuerySlots(concurrency: number): QuerySlots {
  const limit = pLimit(concurrency);
  return {
    get active() {
      return limit.activeCount;
    },
    get waiting() {
      return limit.pendingCount;
    },
    acquire(signal) {
      signal?.throwIfAborted();
      return new Promise((resolve, reject) => {
        let settled = false;
        const onAbort = (): void => {
          if (settled) return;
          settled = true;
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        void limit(
          () =>
            new Promise<void>((done) => {
              signal?.removeEventListener('abort', onAbort);
              // Aborted while queued: hand the slot straight back.
              if (settled) return done();
              settled = true;
              let released = false;
              resolve(() => {
                if (released) return;
                released = true;
                done();
              });
            }),
        );
      });
    },
  };
}
