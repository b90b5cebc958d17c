/**
 * The time zone a source's DATETIME columns are written in. DATETIME holds
 * a wall-clock reading with no zone, so turning it into an instant needs one;
 * asof takes UTC unless told otherwise (TIMESTAMP columns need no zone: the
 * session runs at `+00:00`, so the server hands them over in UTC).
 */
import { InvalidInputError } from '@asof/core';

/** Converts between wall-clock microseconds in one zone and UTC instants. */
export interface WallClock {
  /** The zone as configured, for messages. */
  readonly name: string;
  readonly isUtc: boolean;
  /**
   * The instant of a wall-clock reading. In a daylight-saving gap (a time
   * that never happened) it moves forward by the gap; of two readings in a
   * repeated hour it takes the earlier: Temporal's `'compatible'` rule.
   */
  toInstant(wallMicros: bigint): bigint;
  /** The wall-clock reading of an instant. */
  toWall(instantMicros: bigint): bigint;
}

const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;
const US_PER_MINUTE = 60_000_000n;
const US_PER_MS = 1000n;
const DAY_MS = 86_400_000;

/** Parses a zone: `'UTC'`, a fixed offset such as `'+02:00'`, or an IANA name such as `'Europe/Paris'`. */
export function wallClock(zone: string): WallClock {
  if (zone === 'UTC' || zone === 'Z' || zone === 'Etc/UTC') return fixed(zone, 0);
  const m = OFFSET.exec(zone);
  if (m) {
    const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
    if (Math.abs(minutes) > 14 * 60) throw new InvalidInputError(`time zone offset ${zone} is out of range (-14:00..+14:00)`);
    return fixed(zone, minutes);
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch (cause) {
    throw new InvalidInputError(
      `unknown time zone ${JSON.stringify(zone)} for DATETIME columns; use 'UTC', an offset like '+02:00', or an IANA name like 'Europe/Paris'`,
      { cause },
    );
  }
  return iana(zone, format);
}

function fixed(name: string, minutes: number): WallClock {
  const offset = BigInt(minutes) * US_PER_MINUTE;
  return {
    name,
    isUtc: minutes === 0,
    toInstant: (wall) => wall - offset,
    toWall: (instant) => instant + offset,
  };
}

function iana(name: string, format: Intl.DateTimeFormat): WallClock {
  // Offsets change at most a few times a year: cache them per UTC hour.
  const cache = new Map<number, number>();
  const offsetMsAt = (epochMs: number): number => {
    const hour = Math.floor(epochMs / 3_600_000);
    let offset = cache.get(hour);
    if (offset === undefined) {
      offset = computeOffsetMs(format, hour * 3_600_000);
      if (cache.size > 100_000) cache.clear();
      cache.set(hour, offset);
    }
    return offset;
  };
  const toInstant = (wall: bigint): bigint => {
    const wallMs = Number(wall / US_PER_MS);
    const before = offsetMsAt(wallMs - DAY_MS);
    const after = offsetMsAt(wallMs + DAY_MS);
    // Candidates are wall - offset for the offsets in force around it; keep those that read back as wall.
    const candidates = (before === after ? [before] : [before, after])
      .map((o) => wall - BigInt(o) * US_PER_MS)
      .filter((instant) => instant + BigInt(offsetMsAt(Number(instant / US_PER_MS))) * US_PER_MS === wall)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // None: a gap (clocks jumped forward); shift by the offset before it, as Temporal's 'compatible' does.
    return candidates[0] ?? wall - BigInt(before) * US_PER_MS;
  };
  return {
    name,
    isUtc: false,
    toInstant,
    toWall: (instant) => instant + BigInt(offsetMsAt(Number(instant / US_PER_MS))) * US_PER_MS,
  };
}

function computeOffsetMs(format: Intl.DateTimeFormat, epochMs: number): number {
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const asUtc = Date.UTC(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear undoes that.
  const fixedYear = new Date(asUtc);
  fixedYear.setUTCFullYear(year);
  // epochMs is a whole hour, so the formatted seconds lose nothing.
  return fixedYear.getTime() - epochMs;
}
