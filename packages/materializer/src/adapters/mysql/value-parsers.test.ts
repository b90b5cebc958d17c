/**
 * The pure parsers behind the MySQL type mapping, checked against
 * independent oracles (core's ISO parser, BigInt arithmetic) on random
 * inputs over MySQL's whole range.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMicros, parseIsoMicros } from '@asof/core';
import { formatWallMicros, parseDays, parseWallMicros, parseWallMicrosNumber, readDecimalWords, writeDecimalString } from './value-parsers.js';
import { wallClock } from './wall-clock.js';

const RUNS = process.env.CI ? 2000 : 500;
const MIN_US = parseIsoMicros('1000-01-01T00:00:00Z');
const MAX_US = parseIsoMicros('9999-12-31T23:59:59.999999Z');

/** MySQL's text for an instant read as UTC wall clock, with `fsp` fraction digits. */
function mysqlText(micros: bigint, fsp: number): string {
  const iso = formatMicros(micros); // YYYY-MM-DDTHH:MM:SS.ffffffZ
  return iso.slice(0, 10) + ' ' + iso.slice(11, 19) + (fsp > 0 ? '.' + iso.slice(20, 20 + fsp) : '');
}

describe('parseWallMicros', () => {
  it('reads every DATETIME(0..6) text exactly, before and after 1970', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: MIN_US, max: MAX_US }), fc.integer({ min: 0, max: 6 }), (micros, fsp) => {
        const step = 10n ** BigInt(6 - fsp);
        const truncated = micros - (((micros % step) + step) % step);
        const text = mysqlText(truncated, fsp);
        expect(parseWallMicros(text)).toBe(truncated);
        const fast = parseWallMicrosNumber(text);
        if (fast !== Infinity) expect(BigInt(fast)).toBe(truncated);
      }),
      { numRuns: RUNS },
    );
  });

  it('uses the exact number path only where doubles are exact', () => {
    expect(parseWallMicrosNumber('2300-01-01 00:00:00')).toBe(Infinity);
    expect(parseWallMicrosNumber('1600-01-01 00:00:00')).toBe(Infinity);
    expect(parseWallMicrosNumber('2200-01-01 00:00:00.000001')).toBe(Number(parseIsoMicros('2200-01-01T00:00:00.000001Z')));
    expect(parseWallMicros('9999-12-31 23:59:59.999999')).toBe(MAX_US);
  });

  it('returns null for zero and impossible dates', () => {
    for (const text of ['0000-00-00 00:00:00', '2024-00-10 00:00:00', '2024-01-00', '2023-02-29', '2024-02-30 00:00:00', '2024-13-01']) {
      expect(parseWallMicros(text), text).toBeNull();
    }
    expect(parseDays('2024-02-29')).toBe(Number(parseIsoMicros('2024-02-29T00:00:00Z') / 86_400_000_000n));
    expect(parseDays('1969-12-31')).toBe(-1);
  });

  it('formats wall-clock microseconds back to MySQL text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: MIN_US, max: MAX_US }), (micros) => {
        expect(parseWallMicros(formatWallMicros(micros))).toBe(micros);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('writeDecimalString', () => {
  const decimalText = (scaled: bigint, scale: number): string => {
    const negative = scaled < 0n;
    const digits = (negative ? -scaled : scaled).toString().padStart(scale + 1, '0');
    return (negative ? '-' : '') + (scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`);
  };

  it('stores every DECIMAL(38,s) value as its exact two-complement scaled integer', () => {
    const max = 10n ** 38n - 1n;
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: -max, max }), fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }), fc.bigInt({ min: -100000n, max: 100000n })),
        fc.integer({ min: 0, max: 38 }),
        (scaled, scale) => {
          const words = new Uint32Array(8);
          writeDecimalString(words, 1, decimalText(scaled, scale), scale);
          expect(readDecimalWords(words, 1)).toBe(scaled);
          expect(Array.from(words.subarray(0, 4))).toEqual([0, 0, 0, 0]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('pads missing fraction digits and keeps negative zero at zero', () => {
    const words = new Uint32Array(4);
    writeDecimalString(words, 0, '-0.00', 2);
    expect(readDecimalWords(words, 0)).toBe(0n);
    writeDecimalString(words, 0, '12.5', 3);
    expect(readDecimalWords(words, 0)).toBe(12500n);
    expect(() => writeDecimalString(words, 0, '1.2345', 2)).toThrow(RangeError);
  });
});

describe('wallClock', () => {
  it('round-trips instants through a fixed offset and an IANA zone', () => {
    const zones = [wallClock('+05:30'), wallClock('-03:00'), wallClock('America/New_York'), wallClock('Europe/Paris')];
    fc.assert(
      fc.property(fc.bigInt({ min: MIN_US, max: MAX_US }), fc.integer({ min: 0, max: 3 }), (instant, z) => {
        const clock = zones[z]!;
        const wall = clock.toWall(instant);
        // Every instant's wall reading maps back to it, except the later of a repeated hour ('compatible' takes the earlier).
        const back = clock.toInstant(wall);
        expect(back === instant || clock.toWall(back) === wall).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('knows UTC aliases and refuses nonsense', () => {
    expect(wallClock('UTC').isUtc).toBe(true);
    expect(wallClock('+00:00').isUtc).toBe(true);
    expect(() => wallClock('+15:00')).toThrow(/out of range/);
    expect(() => wallClock('Nowhere/Else')).toThrow(/unknown time zone/);
  });
});
