/**
 * Capped exponential backoff with full jitter (the AWS architecture blog's
 * "full jitter"): before retry `n` (1-based) wait a uniformly random time in
 * `[0, min(maxDelayMs, baseDelayMs * 2^(n-1)))`, so throttled writers spread
 * out instead of retrying in lockstep.
 */

/** How a store retries throttled or incomplete requests. */
export interface RetryOptions {
  /** Requests in a row that make no progress before giving up, the first included (default 10). */
  readonly maxAttempts?: number;
  /** Cap of the first retry's delay, ms (default 50). */
  readonly baseDelayMs?: number;
  /** Cap of any delay, ms (default 5,000). */
  readonly maxDelayMs?: number;
  /** Waits `ms` (tests inject a recorder); rejects if `signal` aborts. Default: a timer. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform in `[0, 1)` (default `Math.random`). */
  readonly random?: () => number;
}

/** {@link RetryOptions} with defaults applied. */
export class Backoff {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(options: RetryOptions = {}) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 10);
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 50);
    this.maxDelayMs = Math.max(this.baseDelayMs, options.maxDelayMs ?? 5000);
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
  }

  /** The delay before retry `retry` (1-based). */
  delay(retry: number): number {
    const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(Math.max(0, retry - 1), 30));
    return Math.floor(this.random() * cap);
  }

  /** Waits before retry `retry`. */
  wait(retry: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return this.sleep(this.delay(retry), signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}
