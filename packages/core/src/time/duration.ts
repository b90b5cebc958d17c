import { DefinitionError } from '../errors.js';

/**
 * A length of time: milliseconds as a number, a string such as `"90d"`,
 * `"12h"`, `"30m"`, `"45s"`, or an object `{ days: 90 }`.
 */
export type DurationInput =
  | number
  | `${number}${'d' | 'h' | 'm' | 's' | 'ms'}`
  | { readonly days?: number; readonly hours?: number; readonly minutes?: number; readonly seconds?: number };

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;

/** Converts a {@link DurationInput} to whole, positive milliseconds. */
export function toMillis(input: DurationInput, what = 'duration'): number {
  let ms: number;
  if (typeof input === 'number') ms = input;
  else if (typeof input === 'string') {
    const m = /^(\d+(?:\.\d+)?)(ms|d|h|m|s)$/.exec(input.trim());
    if (!m) throw new DefinitionError(`${what} ${JSON.stringify(input)} is not a duration; write e.g. "90d", "12h" or { days: 90 }`);
    ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  } else if (input && typeof input === 'object') {
    ms =
      (input.days ?? 0) * UNIT_MS.d +
      (input.hours ?? 0) * UNIT_MS.h +
      (input.minutes ?? 0) * UNIT_MS.m +
      (input.seconds ?? 0) * UNIT_MS.s;
  } else {
    throw new DefinitionError(`${what} must be a number of ms, a string like "90d" or an object like { days: 90 }`);
  }
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new DefinitionError(`${what} must be a positive whole number of milliseconds, got ${String(ms)}`);
  }
  return ms;
}

/**
 * A length of time for people: `365 days`, `1 day`, `12 hours`, `90 minutes`,
 * `45 s`, `250 ms`, in the largest unit that divides it exactly (or days with
 * a fraction, `1.5 days`, from a day up).
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms >= UNIT_MS.d) return ms % UNIT_MS.d === 0 ? plural(ms / UNIT_MS.d, 'day') : `${Number((ms / UNIT_MS.d).toFixed(2))} days`;
  if (ms % UNIT_MS.h === 0 && ms > 0) return plural(ms / UNIT_MS.h, 'hour');
  if (ms % UNIT_MS.m === 0 && ms > 0) return plural(ms / UNIT_MS.m, 'minute');
  if (ms % UNIT_MS.s === 0 && ms > 0) return `${ms / UNIT_MS.s} s`;
  return `${ms} ms`;
}
