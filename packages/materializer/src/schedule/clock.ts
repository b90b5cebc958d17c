/**
 * Time as the scheduler sees it. The scheduler and the lease heartbeat only
 * read time and sleep through this, so tests drive them with a fake clock
 * instead of waiting.
 */
export interface Clock {
  /** Epoch ms. */
  now(): number;
  /** Resolves after `ms` (at once if `ms <= 0`), or early, without error, when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};
