/**
 * An independent SQL oracle for the point-in-time join, in DuckDB (in
 * memory). The choice is a window function over every qualifying candidate,
 * ROW_NUMBER() OVER (PARTITION BY spine row ORDER BY event_ts DESC,
 * created_ts DESC NULLS LAST, row_index DESC): deterministic on ties, unlike
 * DuckDB's ASOF JOIN (REFERENCE.md). Times are loaded as BIGINT µs so the
 * comparison is exact at any instant. One connection is reused across calls;
 * call {@link closeDuckDbOracle} when done.
 */
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { OracleFeatureRow, OracleSpineRow } from './pit-oracle.js';

export type DuckKeyType = 'BIGINT' | 'VARCHAR';
export type DuckFeatureType = 'BIGINT' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN';

export interface DuckDbOracleInput {
  /** SQL type of each key column, in key order. */
  readonly keyTypes: readonly DuckKeyType[];
  readonly spine: readonly OracleSpineRow[];
  readonly rows: readonly OracleFeatureRow[];
  /** Output features (names as in `OracleFeatureRow.values`) and their SQL types, in output order. */
  readonly features: readonly { readonly name: string; readonly type: DuckFeatureType }[];
  readonly ttlMs?: number | undefined;
  /** Epoch µs. */
  readonly asKnownAt?: bigint | undefined;
}

export interface DuckDbOracleResult {
  readonly chosen: (number | null)[];
  readonly features: Record<string, unknown[]>;
  readonly eventTs: (bigint | null)[];
}

let connection: Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> | undefined;

async function connect(): Promise<DuckDBConnection> {
  connection ??= (async () => {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    return { instance, conn: await instance.connect() };
  })();
  return (await connection).conn;
}

/** Closes the shared connection (safe to call when none is open). */
export async function closeDuckDbOracle(): Promise<void> {
  if (!connection) return;
  const { instance, conn } = await connection;
  connection = undefined;
  conn.closeSync();
  instance.closeSync();
}

export async function duckDbOracle(input: DuckDbOracleInput): Promise<DuckDbOracleResult> {
  const conn = await connect();
  const keyCols = input.keyTypes.map((type, i) => ({ name: `k${i}`, type }));
  const featCols = input.features.map((f, i) => ({ name: `f${i}`, type: f.type, source: f.name }));

  await conn.run(
    `CREATE OR REPLACE TABLE spine (sidx BIGINT, ${keyCols.map((k) => `${k.name} ${k.type}`).join(', ')}, t BIGINT)`,
  );
  await conn.run(
    `CREATE OR REPLACE TABLE feat (ridx BIGINT, ${keyCols.map((k) => `${k.name} ${k.type}, `).join('')}` +
      `event_ts BIGINT, created_ts BIGINT, tomb BOOLEAN${featCols.map((f) => `, ${f.name} ${f.type}`).join('')})`,
  );

  const sa = await conn.createAppender('spine');
  input.spine.forEach((s, i) => {
    sa.appendBigInt(BigInt(i));
    keyCols.forEach((k, j) => appendValue(sa, k.type, s.keys[j] ?? null));
    appendValue(sa, 'BIGINT', s.t);
    sa.endRow();
  });
  sa.closeSync();

  const fa = await conn.createAppender('feat');
  input.rows.forEach((r, i) => {
    fa.appendBigInt(BigInt(i));
    keyCols.forEach((k, j) => appendValue(fa, k.type, r.keys[j] ?? null));
    appendValue(fa, 'BIGINT', r.eventTs);
    appendValue(fa, 'BIGINT', r.createdTs);
    fa.appendBoolean(r.tombstone);
    featCols.forEach((f) => appendValue(fa, f.type, (r.values[f.source] ?? null) as never));
    fa.endRow();
  });
  fa.closeSync();

  const conditions = [
    ...keyCols.map((k) => `s.${k.name} = f.${k.name}`),
    'f.event_ts <= s.t',
    ...(input.ttlMs === undefined ? [] : [`f.event_ts >= s.t - ${BigInt(Math.round(input.ttlMs * 1000))}`]),
    ...(input.asKnownAt === undefined ? [] : [`f.created_ts <= ${input.asKnownAt}`]),
  ];
  const sql = `
    WITH cand AS (
      SELECT s.sidx, f.ridx,
             ROW_NUMBER() OVER (PARTITION BY s.sidx
                                ORDER BY f.event_ts DESC, f.created_ts DESC NULLS LAST, f.ridx DESC) AS rn
      FROM spine s JOIN feat f ON ${conditions.join(' AND ')}
    )
    SELECT s.sidx, c.ridx, f.event_ts${featCols
      .map((col) => `, CASE WHEN f.tomb THEN NULL ELSE f.${col.name} END AS ${col.name}`)
      .join('')}
    FROM spine s
    LEFT JOIN cand c ON c.sidx = s.sidx AND c.rn = 1
    LEFT JOIN feat f ON f.ridx = c.ridx
    ORDER BY s.sidx`;
  const reader = await conn.runAndReadAll(sql);
  const rows = reader.getRows();
  const chosen: (number | null)[] = [];
  const eventTs: (bigint | null)[] = [];
  const features: Record<string, unknown[]> = {};
  for (const f of featCols) features[f.source] = [];
  rows.forEach((row, i) => {
    if (row[0] !== BigInt(i)) throw new Error(`duckdb oracle: row ${i} came back as spine row ${String(row[0])}`);
    chosen.push(row[1] === null ? null : Number(row[1]));
    eventTs.push(row[2] as bigint | null);
    featCols.forEach((f, j) => features[f.source]!.push(row[3 + j] ?? null));
  });
  if (rows.length !== input.spine.length) throw new Error('duckdb oracle: wrong row count');
  return { chosen, features, eventTs };
}

function appendValue(a: DuckDBAppender, type: DuckKeyType | DuckFeatureType, v: bigint | number | string | boolean | null): void {
  if (v === null) return a.appendNull();
  switch (type) {
    case 'BIGINT':
      return a.appendBigInt(v as bigint);
    case 'DOUBLE':
      return a.appendDouble(v as number);
    case 'VARCHAR':
      return a.appendVarchar(v as string);
    case 'BOOLEAN':
      return a.appendBoolean(v as boolean);
  }
}
