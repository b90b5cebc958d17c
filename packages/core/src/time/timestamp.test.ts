import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTimestampError } from '../errors.js';
import { formatMicros, parseIsoMicros, toEpochMicros } from './timestamp.js';

const RUNS = process.env.CI ? 1000 : 300;

describe('toEpochMicros', () => {
  it('reads an ISO string with Z, with an offset, and with fractional seconds', () => {
    expect(toEpochMicros('1970-01-01T00:00:00Z')).toBe(0n);
    expect(toEpochMicros('1970-01-01T01:00:00+01:00')).toBe(0n);
    expect(toEpochMicros('1970-01-01T00:00:00.000001Z')).toBe(1n);
    expect(toEpochMicros('2024-02-29T12:30:00.5-0230')).toBe(BigInt(Date.UTC(2024, 1, 29, 15, 0, 0, 500)) * 1000n);
  });

  it('rejects a string without an offset, never guessing a zone', () => {
    expect(() => toEpochMicros('2024-03-01T12:00:00')).toThrow(InvalidTimestampError);
    expect(() => toEpochMicros('2024-03-01T12:00:00')).toThrow(/no UTC offset/);
    expect(() => toEpochMicros('2024-03-01')).toThrow(/date alone/);
  });

  it('rejects impossible dates and sub-microsecond digits', () => {
    expect(() => toEpochMicros('2023-02-29T00:00:00Z')).toThrow(/does not exist/);
    expect(() => toEpochMicros('2024-01-01T24:00:00Z')).toThrow(/out of range/);
    expect(() => toEpochMicros('2024-01-01T00:00:00.0000001Z')).toThrow(/sub-microsecond/);
    expect(toEpochMicros('2024-01-01T00:00:00.123456000Z')).toBe(toEpochMicros('2024-01-01T00:00:00.123456Z'));
  });

  it('takes Dates, epoch ms numbers and epoch µs bigints', () => {
    expect(toEpochMicros(new Date(1500))).toBe(1_500_000n);
    expect(toEpochMicros(-1500)).toBe(-1_500_000n);
    expect(toEpochMicros(42n)).toBe(42n);
    expect(() => toEpochMicros(new Date(NaN))).toThrow(InvalidTimestampError);
    expect(() => toEpochMicros(Number.NaN)).toThrow(InvalidTimestampError);
  });

  it('handles years before 1970, year 1 and year 9999 exactly', () => {
    expect(toEpochMicros('1969-12-31T23:59:59.999999Z')).toBe(-1n);
    expect(toEpochMicros('0001-01-01T00:00:00Z')).toBe(-62_135_596_800_000_000n);
    expect(toEpochMicros('9999-12-31T23:59:59.999999Z')).toBe(253_402_300_799_999_999n);
    expect(formatMicros(253_402_300_799_999_999n)).toBe('9999-12-31T23:59:59.999999Z');
    expect(formatMicros(-62_135_596_800_000_000n)).toBe('0001-01-01T00:00:00.000000Z');
  });

  it('agrees with Date.parse on random instants (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9998-12-31T23:59:59Z'), noInvalidDate: true }), fc.integer({ min: -14 * 60, max: 14 * 60 }), (d, offset) => {
        // Oracle: JS Date, shifted so the local wall clock carries the offset.
        const local = new Date(d.getTime() + offset * 60_000).toISOString().slice(0, 23);
        const sign = offset < 0 ? '-' : '+';
        const abs = Math.abs(offset);
        const text = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        expect(parseIsoMicros(text)).toBe(BigInt(d.getTime()) * 1000n);
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trips formatMicros → parseIsoMicros for any int64-range instant of years 1..9999 (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -62_135_596_800_000_000n, max: 253_402_300_799_999_999n }), (us) => {
        expect(parseIsoMicros(formatMicros(us))).toBe(us);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('Instant', async () => {
  const { Instant, plus, daysBetween } = await import('./instant.js');
  it('keeps microseconds through arithmetic and back to epoch micros', () => {
    const t = new Instant(1_700_000_000_123_456n);
    expect(t.getTime()).toBe(1_700_000_000_123);
    expect(t.toISOString()).toBe('2023-11-14T22:13:20.123456Z');
    expect(toEpochMicros(t)).toBe(1_700_000_000_123_456n);
    expect(toEpochMicros(plus(t, '30d'))).toBe(1_700_000_000_123_456n + 30n * 86_400_000_000n);
    expect(daysBetween(t, plus(t, { days: 30, hours: 23 }))).toBe(30);
    expect(new Instant(-1n).toISOString()).toBe('1969-12-31T23:59:59.999999Z');
    // Comparisons and differences see microseconds, which plain Dates would drop.
    const a = new Instant(1_700_000_000_000_001n);
    const b = new Instant(1_700_000_000_000_000n);
    expect(a > b).toBe(true);
    expect(+a - +b).toBeCloseTo(0.001, 4);
    expect(new Date(a).getTime()).toBe(1_700_000_000_000);
  });
});
