/**
 * Brute-force oracle for the point-in-time join (DESIGN §3), written from
 * the contract alone: plain objects, nested loops, BigInt microseconds.
 * It is deliberately slow and obvious; the property tests compare the real
 * join against it.
 */

/** A join-key value: integers as `bigint` (any Arrow int width), strings as `string`. */
export type OracleKey = bigint | string;

export interface OracleSpineRow {
  /** One value per key column; `null` never matches. */
  readonly keys: readonly (OracleKey | null)[];
  /** The instant asked about, epoch µs; `null` → every feature null. */
  readonly t: bigint | null;
}

export interface OracleFeatureRow {
  readonly keys: readonly (OracleKey | null)[];
  /** Event time, epoch µs (`null` never qualifies). */
  readonly eventTs: bigint | null;
  /** Created time, epoch µs; `null` sorts lowest and never passes `asKnownAt`. */
  readonly createdTs: bigint | null;
  /** `true` marks a delete. */
  readonly tombstone: boolean;
  /** Feature values by column name. */
  readonly values: Readonly<Record<string, unknown>>;
}

export interface OracleOptions {
  /** Time to live in ms; absent = unbounded. */
  readonly ttlMs?: number | undefined;
  /** Epoch µs; only rows with a non-null `createdTs <= asKnownAt` qualify. */
  readonly asKnownAt?: bigint | undefined;
}

export interface OracleResult {
  /** Per spine row, the index of the chosen feature row, or `null`. */
  readonly chosen: (number | null)[];
  /** Per spine row, whether features are null because of a tombstone. */
  readonly deleted: boolean[];
  /** Per feature column, per spine row, the output value. */
  readonly features: Record<string, unknown[]>;
  /** Per spine row, the chosen row's event time (null when nothing chosen). */
  readonly eventTs: (bigint | null)[];
}

/** Index of the chosen row for every spine row (`null` where nothing qualifies). */
export function oracleChoose(
  spine: readonly OracleSpineRow[],
  rows: readonly OracleFeatureRow[],
  options: OracleOptions = {},
): (number | null)[] {
  const ttlUs = options.ttlMs === undefined ? undefined : BigInt(Math.round(options.ttlMs * 1000));
  const out: (number | null)[] = [];
  for (const s of spine) {
    let best: number | null = null;
    if (s.t !== null && s.keys.every((k) => k !== null)) {
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r]!;
        if (!sameKeys(s.keys, row.keys)) continue;
        if (row.eventTs === null) continue;
        if (row.eventTs > s.t) continue;
        if (ttlUs !== undefined && row.eventTs < s.t - ttlUs) continue;
        if (options.asKnownAt !== undefined && (row.createdTs === null || row.createdTs > options.asKnownAt)) continue;
        if (best === null || beats(row, r, rows[best]!, best)) best = r;
      }
    }
    out.push(best);
  }
  return out;
}

/** The full expected output: chosen rows, their feature values (null on tombstones) and event times. */
export function pitOracle(
  spine: readonly OracleSpineRow[],
  rows: readonly OracleFeatureRow[],
  featureNames: readonly string[],
  options: OracleOptions = {},
): OracleResult {
  const chosen = oracleChoose(spine, rows, options);
  const features: Record<string, unknown[]> = {};
  for (const name of featureNames) features[name] = [];
  const deleted: boolean[] = [];
  const eventTs: (bigint | null)[] = [];
  for (const r of chosen) {
    const row = r === null ? null : rows[r]!;
    const isDeleted = row !== null && row.tombstone;
    deleted.push(isDeleted);
    eventTs.push(row === null ? null : row.eventTs);
    for (const name of featureNames) {
      const v = row === null || isDeleted ? null : row.values[name];
      features[name]!.push(v === undefined ? null : v);
    }
  }
  return { chosen, deleted, features, eventTs };
}

/** `a` (at input index `ia`) is preferred over `b`: later event, then later created (null lowest), then later write. */
function beats(a: OracleFeatureRow, ia: number, b: OracleFeatureRow, ib: number): boolean {
  if (a.eventTs! !== b.eventTs!) return a.eventTs! > b.eventTs!;
  const ca = a.createdTs;
  const cb = b.createdTs;
  if (ca !== cb) {
    if (ca === null) return false;
    if (cb === null) return true;
    return ca > cb;
  }
  return ia > ib;
}

function sameKeys(a: readonly (OracleKey | null)[], b: readonly (OracleKey | null)[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === null || y === null || x === undefined || y === undefined) return false;
    if (typeof x !== typeof y || x !== y) return false;
  }
  return true;
}
