import { InvalidTimestampError } from '../errors.js';
import { toMillis, type DurationInput } from './duration.js';
import { floorDiv } from './civil.js';

/**
 * A `Date` that keeps microseconds. Row transforms receive timestamps as
 * Instants, so `row.issued_at` works wherever a `Date` does, while the
 * digits below the millisecond survive the round trip back to Arrow. Use
 * {@link plus} for arithmetic that keeps them (`new Date(d.getTime() + …)`
 * keeps only milliseconds).
 */
export class Instant extends Date {
  /** Epoch microseconds, exact. */
  readonly micros: bigint;

  constructor(micros: bigint) {
    super(Number(floorDiv(micros, 1000n)));
    if (Number.isNaN(this.getTime())) throw new InvalidTimestampError(micros, 'outside the range a Date can hold');
    this.micros = micros;
  }

  /**
   * Epoch milliseconds with the microseconds as a fraction, so `a > b`,
   * `a - b` and sorting see sub-millisecond differences (every µs instant
   * within ±285 years of 1970 stays distinct and ordered as a double).
   * `getTime()` stays whole milliseconds, as for any Date.
   */
  override valueOf(): number {
    return Number(this.micros) / 1000;
  }

  /** ISO-8601 UTC with microseconds. */
  override toISOString(): string {
    const ms = super.toISOString();
    const us = Number(((this.micros % 1000n) + 1000n) % 1000n);
    return `${ms.slice(0, -1)}${String(us).padStart(3, '0')}Z`;
  }

  override toJSON(): string {
    return this.toISOString();
  }
}

/** Epoch microseconds of a `Date` (exact for an {@link Instant}). */
export function dateMicros(date: Date): bigint {
  return date instanceof Instant ? date.micros : BigInt(date.getTime()) * 1000n;
}

/** `date + duration`, keeping microseconds: `plus(row.issued_at, '30d')`. */
export function plus(date: Date, duration: DurationInput): Instant {
  return new Instant(dateMicros(date) + BigInt(toMillis(duration)) * 1000n);
}

/** Whole days from `from` to `to` (floored; negative when `to` is earlier). */
export function daysBetween(from: Date, to: Date): number {
  return Number(floorDiv(dateMicros(to) - dateMicros(from), 86_400_000_000n));
}
