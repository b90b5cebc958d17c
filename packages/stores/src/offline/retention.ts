import type { RecordBatch } from 'apache-arrow';
import {
  InvalidInputError,
  readMicrosVector,
  toEpochMicros,
  type DataFileEntry,
  type IoOptions,
  type OfflineSnapshot,
  type RetentionMark,
  type RetentionPolicy,
} from '@asof/core';
import { micros } from './commit-codec.js';
import { readDataFile, type DataFileTarget, type FileNamer } from './data-files.js';
import { CREATED_TS, EVENT_TS } from './file-stats.js';
import { rewriteFiles, type PlacedFile } from './rewrite.js';

/** What a retention run removes and writes, and the mark it records. */
export interface RetentionPlan {
  readonly removed: string[];
  readonly added: PlacedFile[];
  readonly mark: RetentionMark;
}

/** The cut-offs of a policy, in µs. */
export function retentionMark(policy: RetentionPolicy): RetentionMark {
  if (!Array.isArray(policy.keys) || policy.keys.length === 0) throw new InvalidInputError('a retention policy needs the entity key columns (keys)');
  if (!(policy.fullMs >= 0)) throw new InvalidInputError(`retention fullMs must be >= 0, got ${policy.fullMs}`);
  const coarseMs = policy.coarseMs === undefined || policy.coarseMs === Infinity ? null : policy.coarseMs;
  if (coarseMs !== null && !(coarseMs >= 0)) throw new InvalidInputError(`retention coarseMs must be >= 0, got ${coarseMs}`);
  const now = policy.now === undefined ? BigInt(Date.now()) * 1000n : toEpochMicros(policy.now);
  const fullFrom = now - BigInt(Math.round(policy.fullMs * 1000));
  const coarseFrom = coarseMs === null ? null : fullFrom - BigInt(Math.round(coarseMs * 1000));
  return {
    fullFrom: String(fullFrom),
    coarseFrom: coarseFrom === null ? null : String(coarseFrom),
    keys: [...policy.keys],
    policy: { fullMs: policy.fullMs, coarseMs },
  };
}

/**
 * Plans a retention run: files wholly before `coarseFrom` are dropped; in
 * each UTC month before `fullFrom`, only the last row per entity (greatest
 * `event_ts`, then `created_ts`, then the latest write) survives. Two passes
 * per month (find the winners, then rewrite), so memory is one row group
 * plus one entry per entity.
 */
export async function planRetention(
  target: DataFileTarget,
  namer: FileNamer,
  base: OfflineSnapshot,
  mark: RetentionMark,
  options: IoOptions,
): Promise<RetentionPlan | null> {
  const fullFrom = micros(mark.fullFrom);
  const coarseFrom = mark.coarseFrom === null ? null : micros(mark.coarseFrom);
  const removed: string[] = [];
  const added: PlacedFile[] = [];
  const months = new Map<string, DataFileEntry[]>();
  for (const f of base.files) {
    if (micros(f.minEventTs) >= fullFrom) continue;
    if (coarseFrom !== null && micros(f.maxEventTs) < coarseFrom) {
      removed.push(f.path);
      continue;
    }
    const month = f.partition.slice(0, 7);
    months.set(month, [...(months.get(month) ?? []), f]);
  }
  for (const files of months.values()) {
    const settled = files.every(
      (f) => f.coarse === true && micros(f.maxEventTs) < fullFrom && (coarseFrom === null || micros(f.minEventTs) >= coarseFrom),
    );
    if (settled) continue;
    const { winners, keptRows } = await findWinners(target, files, mark, fullFrom, coarseFrom, options);
    for (let fi = 0; fi < files.length; fi++) {
      const file = files[fi]!;
      if (keptRows[fi] === file.rows) continue;
      const chosen = winners.get(fi) ?? new Set<number>();
      const out = await rewriteFiles(
        target,
        namer,
        [file],
        (_batch, event, _index, offset) => {
          const keep = new Uint8Array(event.length);
          for (let i = 0; i < event.length; i++) keep[i] = event[i]! >= fullFrom || chosen.has(offset + i) ? 1 : 0;
          return keep;
        },
        { ...options, coarse: micros(file.maxEventTs) < fullFrom },
      );
      removed.push(file.path);
      if (out) added.push(out);
    }
  }
  return removed.length === 0 ? null : { removed, added, mark };
}

interface Best {
  event: bigint;
  created: bigint;
  file: number;
  row: number;
}

async function findWinners(
  target: DataFileTarget,
  files: readonly DataFileEntry[],
  mark: RetentionMark,
  fullFrom: bigint,
  coarseFrom: bigint | null,
  options: IoOptions,
): Promise<{ winners: Map<number, Set<number>>; keptRows: number[] }> {
  const best = new Map<string, Best>();
  const keptRows = files.map(() => 0);
  for (let fi = 0; fi < files.length; fi++) {
    let offset = 0;
    for await (const batch of readDataFile(target.objects, target.view, files[fi]!, options)) {
      const event = readMicrosVector(batch.getChild(EVENT_TS)!, EVENT_TS).micros;
      const created = readMicrosVector(batch.getChild(CREATED_TS)!, CREATED_TS);
      const keys = rowKeys(batch, mark.keys, files[fi]!.path);
      for (let i = 0; i < event.length; i++) {
        const e = event[i]!;
        if (e >= fullFrom) {
          keptRows[fi]!++;
          continue;
        }
        if (coarseFrom !== null && e < coarseFrom) continue;
        const c = created.valid && !created.valid[i] ? -(2n ** 63n) : created.micros[i]!;
        const b = best.get(keys[i]!);
        if (!b || e > b.event || (e === b.event && c >= b.created)) best.set(keys[i]!, { event: e, created: c, file: fi, row: offset + i });
      }
      offset += batch.numRows;
    }
  }
  const winners = new Map<number, Set<number>>();
  for (const b of best.values()) {
    let set = winners.get(b.file);
    if (!set) winners.set(b.file, (set = new Set()));
    set.add(b.row);
    keptRows[b.file]!++;
  }
  return { winners, keptRows };
}

function rowKeys(batch: RecordBatch, keys: readonly string[], where: string): string[] {
  const columns = keys.map((k) => {
    const v = batch.getChild(k);
    if (!v) throw new InvalidInputError(`retention key column '${k}' is not in ${where}`);
    return v;
  });
  const out = new Array<string>(batch.numRows);
  for (let i = 0; i < batch.numRows; i++) {
    out[i] = columns.map((c) => {
      const value = c.get(i) as unknown;
      return value === null ? '\u0000null' : typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
    }).join('\u0001');
  }
  return out;
}
