/**
 * A clock for scheduler tests (not part of the build): time moves only when
 * the test says, and every sleeper due by then wakes in order, with the
 * event loop drained in between so the code it wakes runs to its next sleep.
 * Pair it with in-memory stores: real I/O would outlast the draining.
 */
import type { Clock } from '../clock.js';

export class FakeClock implements Clock {
  private sleepers: { at: number; wake: () => void }[] = [];

  constructor(public ms = Date.parse('2024-03-01T00:00:00Z')) {}

  now(): number {
    return this.ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        at: this.ms + ms,
        wake: () => {
          signal?.removeEventListener('abort', sleeper.wake);
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', sleeper.wake, { once: true });
    });
  }

  /** Moves time forward by `ms`, waking sleepers one deadline at a time. */
  async advance(ms: number): Promise<void> {
    const target = this.ms + ms;
    for (;;) {
      await settle();
      const due = this.sleepers.filter((s) => s.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.ms = Math.max(this.ms, due.at);
      for (const s of this.sleepers.filter((s) => s.at <= this.ms)) s.wake();
    }
    this.ms = target;
    await settle();
  }
}

/** Lets every pending promise chain run to its next timer or sleep. */
export async function settle(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
