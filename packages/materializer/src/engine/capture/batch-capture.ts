import {
  InvalidInputError,
  readMicrosColumn,
  TOMBSTONE_COLUMN,
  versionTimeOf,
  type Capture,
  type CapturePosition,
  type ChangeBatch,
  type SourceChanges,
  type Source,
  type SourceConnector,
  type SourceSession,
} from '@asof/core';
import { Bool, Field, makeData, RecordBatch, Schema, Struct, type Table } from 'apache-arrow';
import { relationOf } from '../relation.js';
import { readWatermark, watermarkPosition } from './batch-position.js';

/** How a batch extract reads one source. */
export interface BatchCaptureSource {
  readonly source: Source;
  /** `full`: every row (a snapshot read); `incremental`: the rows whose version time is past the position's watermark less the overlap. */
  readonly mode: 'full' | 'incremental';
  /** The position the source's mirror last recorded (`positionOf`), `null` before its first commit: then `incremental` reads in full. */
  readonly position: CapturePosition | null;
}

/** Options of {@link batchCapture}. */
export interface BatchCaptureOptions {
  /** Re-read this far below the watermark (late commits with an older version time); default 5 minutes. */
  readonly overlapMs?: number;
  readonly batchSize?: number;
}

/** The default overlap of incremental extracts. */
export const DEFAULT_OVERLAP_MS = 5 * 60_000;

/**
 * The batch-extract capture: one unit per run, every source read inside
 * one consistent snapshot of the connector, so the tables agree. A full
 * read is a `snapshot` (it ends with `snapshot-end` at the session's
 * {@link SourceSession.snapshotTime}, so the mirror can infer deletes
 * where the source vouches for an instant); an incremental read is
 * `changes` by watermark with the overlap, and cannot see deletes. A
 * source's position is its watermark: the greatest version time read.
 */
export function batchCapture(connector: SourceConnector, sources: readonly BatchCaptureSource[], options: BatchCaptureOptions = {}): Capture {
  return {
    run: (apply, runOptions = {}) =>
      connector.snapshot(
        async (session) => {
          // Read before any extract: the instant this snapshot shows, which dates the deletes a full read implies.
          const full = sources.some((s) => readsInFull(s));
          const at = full && session.snapshotTime ? await session.snapshotTime({ signal: runOptions.signal }) : null;
          await apply({ sources: sources.map((s) => batchChanges(session, s, at, options)) });
        },
        { signal: runOptions.signal },
      ),
  };
}

/**
 * One source's changes read from `session`: a full extract (`snapshot`,
 * ending at `at`) or a watermark extract (`changes`). Each `read` runs the
 * extract again in the same session, so a re-read yields the same rows.
 */
export function batchChanges(session: SourceSession, plan: BatchCaptureSource, at: bigint | null, options: BatchCaptureOptions = {}): SourceChanges {
  const { source } = plan;
  const since = readWatermark(plan.position, source.name);
  const full = readsInFull(plan);
  const overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
  const versionColumn = versionTimeOf(source);
  const relation = relationOf(source);
  let readUpTo: bigint | null = null;
  return {
    source,
    kind: full ? 'snapshot' : 'changes',
    versionsAfter: full ? null : since! - BigInt(Math.round(overlapMs * 1000)),
    async *read(readOptions = {}): AsyncIterable<ChangeBatch> {
      const common = { batchSize: options.batchSize, signal: readOptions.signal, expectedColumns: source.columns ?? undefined };
      const batches = full ? session.extract(relation, common) : session.extractChanges(relation, { ...common, watermarkColumn: versionColumn, since: since!, overlapMs });
      let upTo: bigint | null = null;
      for await (const batch of batches) {
        upTo = greatest(batch, versionColumn, upTo);
        yield { kind: 'versions', rows: withLiveFlag(batch, source) };
      }
      readUpTo = upTo;
      if (full) yield { kind: 'snapshot-end', at };
    },
    position(recorded) {
      // Never behind what the mirror recorded: whoever committed last, the watermark only moves forward.
      const before = readWatermark(recorded, source.name);
      return watermarkPosition(before === null || (readUpTo !== null && readUpTo > before) ? readUpTo : before);
    },
  };
}

function readsInFull(plan: BatchCaptureSource): boolean {
  return plan.mode === 'full' || plan.position === null;
}

/** The greatest non-null version time of a batch, or `upTo` if none is greater. */
function greatest(batch: RecordBatch, column: string, upTo: bigint | null): bigint | null {
  const { micros, valid } = readMicrosColumn(batch as unknown as Table, column);
  let max = upTo;
  for (let i = 0; i < micros.length; i++) if ((!valid || valid[i]) && (max === null || micros[i]! > max)) max = micros[i]!;
  return max;
}

/** The extract's rows as row versions: `_asof_deleted` false on every row (an extract only sees rows that exist). */
function withLiveFlag(batch: RecordBatch, source: Source): RecordBatch {
  if (batch.schema.fields.some((f) => f.name === TOMBSTONE_COLUMN)) {
    throw new InvalidInputError(
      `source '${source.name}' has a column named '${TOMBSTONE_COLUMN}', which asof's source mirrors reserve for deletes; ` +
        `rename it in the source, or read the source through a query that leaves it out or renames it`,
    );
  }
  const flags = makeData({ type: new Bool(), length: batch.numRows, nullCount: 0, data: new Uint8Array(((batch.numRows + 63) & ~63) >> 3) });
  const schema = new Schema([...batch.schema.fields, new Field(TOMBSTONE_COLUMN, new Bool(), false)], batch.schema.metadata);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children: [...batch.schema.fields.map((_, i) => batch.getChildAt(i)!.data[0]!), flags] }));
}
