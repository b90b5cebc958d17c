import { describe, expect, it } from 'vitest';
import { formatDuration, toMillis } from './duration.js';

describe('formatDuration', () => {
  it('says a duration in the largest unit that divides it, days from a day up', () => {
    expect(formatDuration(toMillis('365d'))).toBe('365 days');
    expect(formatDuration(toMillis('1d'))).toBe('1 day');
    expect(formatDuration(toMillis('36h'))).toBe('1.5 days');
    expect(formatDuration(toMillis('12h'))).toBe('12 hours');
    expect(formatDuration(toMillis('1h'))).toBe('1 hour');
    expect(formatDuration(toMillis('90m'))).toBe('90 minutes');
    expect(formatDuration(toMillis('45s'))).toBe('45 s');
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(Infinity)).toBe('Infinity');
  });
});
