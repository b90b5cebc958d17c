import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';
import { forEachBounded } from './bounded.js';

describe('Backoff', () => {
  it('draws each delay uniformly below a cap that doubles from baseDelayMs up to maxDelayMs', () => {
    const top = new Backoff({ baseDelayMs: 50, maxDelayMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6, 7, 100].map((n) => top.delay(n))).toEqual([49, 99, 199, 399, 799, 999, 999, 999]);
    expect(new Backoff({ random: () => 0 }).delay(5)).toBe(0);
    const jittered = new Backoff({ baseDelayMs: 100, maxDelayMs: 100 });
    const delays = Array.from({ length: 200 }, () => jittered.delay(3));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(100);
    expect(new Set(delays).size).toBeGreaterThan(20);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const waiting = new Backoff({ baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 0.5 }).wait(1, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('forEachBounded', () => {
  it('keeps at most `limit` calls in flight and visits every item once', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachBounded([...Array(20).keys()], 3, async (item) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 1));
      seen.push(item);
      inFlight--;
    });
    expect(peak).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });

  it('starts nothing more after a failure and rethrows it', async () => {
    const started: number[] = [];
    await expect(
      forEachBounded([1, 2, 3, 4, 5], 1, async (item) => {
        started.push(item);
        if (item === 2) throw new Error('two');
      }),
    ).rejects.toThrow('two');
    expect(started).toEqual([1, 2]);
  });
});
