import { InvalidInputError, type CapturePosition } from '@asof/core';

/** A batch extract's position: its watermark, the greatest version time it has read from the source (µs, decimal text). */
export interface WatermarkPosition {
  readonly watermark: string;
}

/** The position of a batch extract that has read up to version time `micros`; `null` for none. */
export function watermarkPosition(micros: bigint | null): CapturePosition | null {
  return micros === null ? null : ({ watermark: String(micros) } satisfies WatermarkPosition);
}

/**
 * The watermark of a recorded position (`null` for none). A position of
 * another shape was recorded by another kind of capture (a change stream),
 * which a batch extract cannot resume from: refused, never guessed.
 */
export function readWatermark(position: CapturePosition | null, source: string): bigint | null {
  if (position === null) return null;
  const text = typeof position === 'object' && !Array.isArray(position) ? (position as { watermark?: unknown }).watermark : undefined;
  if (typeof text !== 'string' || !/^-?\d+$/.test(text)) {
    throw new InvalidInputError(
      `the mirror of source '${source}' records the capture position ${JSON.stringify(position)}, which is not a batch extract's watermark; ` +
        `it was fed by another kind of capture (a change stream): resume it with that capture`,
    );
  }
  return BigInt(text);
}
