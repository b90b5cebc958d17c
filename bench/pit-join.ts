/**
 * Point-in-time join benchmark: asof's `pointInTimeJoin` against DuckDB's
 * ASOF JOIN on the same Parquet files (REFERENCE.md, "Point-in-time joins:
 * what is fast here").
 *
 *   pnpm bench                 # 5M spine x 10M rows over 100k entities
 *   pnpm bench --quick         # 500k x 1M over 10k entities
 *   tsx bench/pit-join.ts --spine 2M --rows 4M --entities 50k [--batch-rows 122880] [--regen]
 *   (env: PIT_SPINE, PIT_ROWS, PIT_ENTITIES)
 *
 * Each phase runs in its own Node process so its peak RSS is its own:
 *  gen    DuckDB writes spine.parquet and rows.parquet (cached per size).
 *  duckdb ASOF JOIN from the Parquet files with the created-time tie-break:
 *         dedup (entity, event_ts) keeping the greatest created_ts, then the
 *         last written row, since ASOF JOIN itself picks arbitrarily among
 *         ties; writes its result (ordered by spine row) for the check.
 *  asof   reads the same files into Arrow (through DuckDB's chunks; timed
 *         separately), runs pointInTimeJoin (timed alone), then compares
 *         every output row with DuckDB's result and prints both checksums.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { pointInTimeJoin } from '../packages/core/src/index.js';
import { Arrow } from '../test/helpers/arrow.js';
import { arg, count, emit, formatTable, peakRssMiB, runChild, timed, type BenchResult } from './lib/common.js';

const BENCH = 'pit-join';
const PHASE_PREFIX = 'PHASE_JSON ';

interface Config {
  readonly spine: number;
  readonly rows: number;
  readonly entities: number;
  readonly batchRows: number;
  readonly dir: string;
}

function config(): Config {
  const quick = arg('quick') !== undefined;
  const spine = count('spine', 'PIT_SPINE', quick ? 500_000 : 5_000_000);
  const rows = count('rows', 'PIT_ROWS', quick ? 1_000_000 : 10_000_000);
  const entities = count('entities', 'PIT_ENTITIES', quick ? 10_000 : 100_000);
  const batchRows = count('batch-rows', 'PIT_BATCH_ROWS', 122_880);
  const dir = arg('dir') ?? joinPath(tmpdir(), 'asof-bench', `pit-${spine}-${rows}-${entities}`);
  return { spine, rows, entities, batchRows, dir };
}

const files = (c: Config) => ({
  spine: joinPath(c.dir, 'spine.parquet'),
  rows: joinPath(c.dir, 'rows.parquet'),
  result: joinPath(c.dir, 'duckdb-result.parquet'),
});

async function openDuckDb(): Promise<{ conn: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

// ---------------------------------------------------------------- phases

async function phaseGen(c: Config): Promise<void> {
  const f = files(c);
  mkdirSync(c.dir, { recursive: true });
  const { conn, close } = await openDuckDb();
  const t0 = "TIMESTAMPTZ '2024-01-01 00:00:00+00'";
  // Event times on an hour grid over a year (~100 rows an entity at the default
  // size, so equal event times within an entity are common); created 0-3
  // minutes later (so ties on created time happen too); 1% null doubles.
  const [, rowsSeconds, rowsCpu] = await timed(() =>
    conn.run(`COPY (
      SELECT (hash(i, 1) % ${c.entities})::BIGINT AS entity_id,
             ${t0} + to_microseconds((hash(i, 2) % 8760)::BIGINT * 3600000000) AS event_ts,
             event_ts + to_microseconds((hash(i, 3) % 4)::BIGINT * 60000000) AS created_ts,
             (hash(i, 4) % 1000000)::BIGINT AS f_int,
             CASE WHEN hash(i, 5) % 100 = 0 THEN NULL ELSE ((hash(i, 6) % 1000000)::BIGINT / 1000.0)::DOUBLE END AS f_double
      FROM range(${c.rows}) t(i)
    ) TO ${sqlString(f.rows)} (FORMAT PARQUET)`),
  );
  // Spine times on a minute grid (1 in 60 lands exactly on an event hour); 5% of
  // spine entities have no rows at all.
  const [, spineSeconds, spineCpu] = await timed(() =>
    conn.run(`COPY (
      SELECT (hash(i, 7) % ${Math.ceil(c.entities * 1.05)})::BIGINT AS entity_id,
             ${t0} + to_microseconds((hash(i, 8) % (8760 * 60))::BIGINT * 60000000) AS ts
      FROM range(${c.spine}) t(i)
    ) TO ${sqlString(f.spine)} (FORMAT PARQUET)`),
  );
  close();
  emit({ bench: BENCH, step: 'generate rows.parquet (DuckDB COPY)', seconds: rowsSeconds, cpuSeconds: rowsCpu, rows: c.rows, peakRssMiB: peakRssMiB() });
  emit({ bench: BENCH, step: 'generate spine.parquet (DuckDB COPY)', seconds: spineSeconds, cpuSeconds: spineCpu, rows: c.spine, peakRssMiB: peakRssMiB() });
}

const DEDUPED_ROWS = (rowsFile: string) => `
  SELECT entity_id, event_ts, f_int, f_double
  FROM read_parquet(${sqlString(rowsFile)}, file_row_number = true)
  QUALIFY row_number() OVER (PARTITION BY entity_id, event_ts
                             ORDER BY created_ts DESC NULLS LAST, file_row_number DESC) = 1`;

async function phaseDuckDb(c: Config): Promise<void> {
  const f = files(c);
  const { conn, close } = await openDuckDb();
  const spineSql = `SELECT file_row_number AS sidx, entity_id, ts FROM read_parquet(${sqlString(f.spine)}, file_row_number = true)`;
  const [, plainSeconds, plainCpu] = await timed(() =>
    conn.run(`CREATE OR REPLACE TABLE res_plain AS
      SELECT s.sidx, s.entity_id, s.ts, r.f_int, r.f_double, r.event_ts AS feature_event_ts
      FROM (${spineSql}) s
      ASOF LEFT JOIN (SELECT entity_id, event_ts, f_int, f_double FROM read_parquet(${sqlString(f.rows)})) r
        ON s.entity_id = r.entity_id AND s.ts >= r.event_ts`),
  );
  await conn.run('DROP TABLE res_plain');
  const [, seconds, cpuSeconds] = await timed(() =>
    conn.run(`CREATE OR REPLACE TABLE res AS
      SELECT s.sidx, s.entity_id, s.ts, r.f_int, r.f_double, r.event_ts AS feature_event_ts
      FROM (${spineSql}) s
      ASOF LEFT JOIN (${DEDUPED_ROWS(f.rows)}) r
        ON s.entity_id = r.entity_id AND s.ts >= r.event_ts`),
  );
  const rss = peakRssMiB();
  await conn.run(`COPY (SELECT * FROM res ORDER BY sidx) TO ${sqlString(f.result)} (FORMAT PARQUET)`);
  const sums = (
    await conn.runAndReadAll(`SELECT count(f_int), sum(f_int)::HUGEINT, sum(round(f_double * 1000))::HUGEINT,
                                     sum(epoch_us(feature_event_ts))::HUGEINT FROM res`)
  ).getRows()[0]!;
  close();
  emit({ bench: BENCH, step: 'duckdb ASOF JOIN, no tie-break (arbitrary)', seconds: plainSeconds, cpuSeconds: plainCpu, rows: c.spine, note: 'not comparable: picks any row among equal event times' });
  emit({ bench: BENCH, step: 'duckdb ASOF JOIN + created-time dedup', seconds, cpuSeconds, rows: c.spine, peakRssMiB: rss, note: 'from Parquet' });
  process.stdout.write(PHASE_PREFIX + JSON.stringify({ duckdbSeconds: seconds, duckdbCpu: cpuSeconds, checksum: sums.map(String) }) + '\n');
}

interface LoadColumn {
  readonly name: string;
  readonly kind: 'int64' | 'ts' | 'f64';
  readonly nullable: boolean;
}

/** Streams a DuckDB query into flat typed arrays, then cuts them into Arrow record batches (zero-copy views). */
async function loadArrow(conn: DuckDBConnection, sql: string, columns: readonly LoadColumn[], n: number, batchRows: number): Promise<Arrow.Table> {
  const data = columns.map((col) => (col.kind === 'f64' ? new Float64Array(n) : new BigInt64Array(n)));
  const valid = columns.map((col) => (col.nullable ? new Uint8Array(n) : null));
  const result = await conn.stream(sql);
  let pos = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const len = chunk.rowCount;
    if (pos + len > n) throw new Error(`more rows than the ${n} counted`);
    columns.forEach((col, j) => {
      // The vectors keep their items in a typed array over DuckDB's memory; copy it out in one go.
      const vector = chunk.getColumnVector(j) as unknown as { items: BigInt64Array | Float64Array; validity: { itemValid(i: number): boolean } };
      (data[j] as BigInt64Array | Float64Array).set(vector.items as never, pos);
      const v = valid[j];
      if (v) for (let i = 0; i < len; i++) v[pos + i] = vector.validity.itemValid(i) ? 1 : 0;
    });
    pos += len;
  }
  if (pos !== n) throw new Error(`read ${pos} rows, expected ${n}`);
  const types = columns.map((col) =>
    col.kind === 'int64' ? new Arrow.Int64() : col.kind === 'f64' ? new Arrow.Float64() : new Arrow.Timestamp(Arrow.TimeUnit.MICROSECOND, 'UTC'),
  );
  const schema = new Arrow.Schema(columns.map((col, j) => new Arrow.Field(col.name, types[j]!, col.nullable)));
  const batches: Arrow.RecordBatch[] = [];
  for (let start = 0; start < n || (n === 0 && batches.length === 0); start += batchRows) {
    const end = Math.min(n, start + batchRows);
    const children = columns.map((_, j) => {
      const v = valid[j];
      let nullBitmap: Uint8Array | undefined;
      let nullCount = 0;
      if (v) {
        nullBitmap = new Uint8Array(((end - start + 63) & ~63) >> 3);
        for (let i = start; i < end; i++) {
          if (v[i]) nullBitmap[(i - start) >> 3]! |= 1 << ((i - start) & 7);
          else nullCount++;
        }
      }
      return Arrow.makeData({ type: types[j]!, length: end - start, data: data[j]!.subarray(start, end), nullBitmap, nullCount } as never);
    });
    batches.push(new Arrow.RecordBatch(schema, Arrow.makeData({ type: new Arrow.Struct(schema.fields), length: end - start, children, nullCount: 0 })));
    if (n === 0) break;
  }
  return new Arrow.Table(schema, batches);
}

interface Flat {
  readonly values: BigInt64Array | Float64Array;
  readonly valid: Uint8Array;
}

function flatten(vector: Arrow.Vector, float: boolean): Flat {
  const n = vector.length;
  const values = float ? new Float64Array(n) : new BigInt64Array(n);
  const valid = new Uint8Array(n);
  let pos = 0;
  for (const d of vector.data) {
    (values as Float64Array).set((d.values as Float64Array).subarray(0, d.length), pos);
    for (let i = 0; i < d.length; i++) valid[pos + i] = d.getValid(i) ? 1 : 0;
    pos += d.length;
  }
  return { values, valid };
}

async function phaseAsof(c: Config): Promise<void> {
  const f = files(c);
  let { conn, close } = await openDuckDb();
  const countOf = async (file: string) => Number((await conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(file)})`)).getRows()[0]![0]);
  const [[spine, rows], loadSeconds, loadCpu] = await timed(async () => {
    const nSpine = await countOf(f.spine);
    const nRows = await countOf(f.rows);
    const spine = await loadArrow(
      conn,
      `SELECT entity_id, ts FROM read_parquet(${sqlString(f.spine)})`,
      [{ name: 'entity_id', kind: 'int64', nullable: false }, { name: 'ts', kind: 'ts', nullable: false }],
      nSpine,
      c.batchRows,
    );
    const rows = await loadArrow(
      conn,
      `SELECT entity_id, event_ts, created_ts, f_int, f_double FROM read_parquet(${sqlString(f.rows)})`,
      [
        { name: 'entity_id', kind: 'int64', nullable: false },
        { name: 'event_ts', kind: 'ts', nullable: false },
        { name: 'created_ts', kind: 'ts', nullable: false },
        { name: 'f_int', kind: 'int64', nullable: false },
        { name: 'f_double', kind: 'f64', nullable: true },
      ],
      nRows,
      c.batchRows,
    );
    return [spine, rows] as const;
  });
  close(); // free DuckDB's buffers before the join, so the peak RSS below is the join's
  const loadRss = peakRssMiB();
  global.gc?.();

  const [out, joinSeconds, joinCpu] = await timed(() =>
    pointInTimeJoin(spine, rows, {
      keys: ['entity_id'],
      spineTime: 'ts',
      eventTime: 'event_ts',
      createdTime: 'created_ts',
      eventTimeAs: 'feature_event_ts',
    }),
  );
  const joinRss = peakRssMiB();

  // Compare every row with DuckDB's result (written ordered by spine row).
  ({ conn, close } = await openDuckDb());
  const names = out.schema.fields.map((x) => x.name).join(',');
  const expectedNames = 'entity_id,ts,f_int,f_double,feature_event_ts';
  const cols = {
    entity_id: flatten(out.getChild('entity_id')!, false),
    ts: flatten(out.getChild('ts')!, false),
    f_int: flatten(out.getChild('f_int')!, false),
    f_double: flatten(out.getChild('f_double')!, true),
    feature_event_ts: flatten(out.getChild('feature_event_ts')!, false),
  };
  const order = ['entity_id', 'ts', 'f_int', 'f_double', 'feature_event_ts'] as const;
  const result = await conn.stream(`SELECT ${order.join(', ')} FROM read_parquet(${sqlString(f.result)})`);
  let pos = 0;
  let mismatches = 0;
  const examples: string[] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    order.forEach((name, j) => {
      const vector = chunk.getColumnVector(j) as unknown as { items: BigInt64Array | Float64Array; validity: { itemValid(i: number): boolean } };
      const mine = cols[name];
      for (let i = 0; i < chunk.rowCount; i++) {
        const row = pos + i;
        const theirsValid = vector.validity.itemValid(i);
        const mineValid = mine.valid[row] === 1;
        const same = theirsValid === mineValid && (!theirsValid || Object.is(vector.items[i], mine.values[row]));
        if (!same) {
          mismatches++;
          if (examples.length < 5) {
            examples.push(`spine row ${row} ${name}: asof ${mineValid ? String(mine.values[row]) : 'null'}, duckdb ${theirsValid ? String(vector.items[i]) : 'null'}`);
          }
        }
      }
    });
    pos += chunk.rowCount;
  }
  close();
  if (pos !== out.numRows) {
    mismatches++;
    examples.push(`row count: asof ${out.numRows}, duckdb ${pos}`);
  }
  if (names !== expectedNames) {
    mismatches++;
    examples.push(`columns: ${names}, expected ${expectedNames}`);
  }
  const checksum = [0n, 0n, 0n, 0n];
  for (let i = 0; i < out.numRows; i++) {
    if (cols.f_int.valid[i]) {
      checksum[0]! += 1n;
      checksum[1]! += (cols.f_int.values as BigInt64Array)[i]!;
    }
    if (cols.f_double.valid[i]) checksum[2]! += BigInt(Math.round((cols.f_double.values as Float64Array)[i]! * 1000));
    if (cols.feature_event_ts.valid[i]) checksum[3]! += (cols.feature_event_ts.values as BigInt64Array)[i]!;
  }
  const batches = `${spine.batches.length}+${rows.batches.length} batches`;
  emit({ bench: BENCH, step: 'asof load Parquet → Arrow (via DuckDB chunks)', seconds: loadSeconds, cpuSeconds: loadCpu, rows: spine.numRows + rows.numRows, peakRssMiB: loadRss, note: batches });
  emit({ bench: BENCH, step: 'asof pointInTimeJoin (join alone)', seconds: joinSeconds, cpuSeconds: joinCpu, rows: spine.numRows, peakRssMiB: joinRss, note: 'Arrow in memory' });
  process.stdout.write(
    PHASE_PREFIX + JSON.stringify({ loadSeconds, joinSeconds, joinCpu, mismatches, examples, checksum: checksum.map(String) }) + '\n',
  );
}

// ---------------------------------------------------------------- driver

async function main(): Promise<void> {
  const c = config();
  const self = fileURLToPath(import.meta.url);
  const pass = ['--spine', String(c.spine), '--rows', String(c.rows), '--entities', String(c.entities), '--batch-rows', String(c.batchRows), '--dir', c.dir];
  if (loadavg()[0]! > availableParallelism()) {
    console.log(`note: load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores; wall times will be noisy, compare the CPU columns`);
  }
  console.log(`pit-join: ${c.spine.toLocaleString()} spine rows x ${c.rows.toLocaleString()} feature rows over ${c.entities.toLocaleString()} entities (${c.dir})`);
  const results: BenchResult[] = [];
  const f = files(c);
  if (arg('regen') !== undefined) rmSync(c.dir, { recursive: true, force: true });
  if (!existsSync(f.spine) || !existsSync(f.rows)) results.push(...(await runChild(self, ['--phase', 'gen', ...pass])).results);
  const duck = await runChild(self, ['--phase', 'duckdb', ...pass], PHASE_PREFIX);
  results.push(...duck.results);
  const asof = await runChild(self, ['--phase', 'asof', ...pass], PHASE_PREFIX);
  results.push(...asof.results);
  const d = duck.extra[0] as { duckdbSeconds: number; duckdbCpu: number; checksum: string[] };
  const a = asof.extra[0] as { loadSeconds: number; joinSeconds: number; joinCpu: number; mismatches: number; examples: string[]; checksum: string[] };
  const sameChecksum = JSON.stringify(d.checksum) === JSON.stringify(a.checksum);
  const verdict = a.mismatches === 0 && sameChecksum ? 'identical' : `DIFFERENT (${a.mismatches} cells)`;
  results.push({
    bench: BENCH,
    step: 'ratio asof join / duckdb',
    seconds: a.joinSeconds / d.duckdbSeconds,
    cpuSeconds: a.joinCpu / d.duckdbCpu,
    note:
      `wall and CPU ratios (x); wall with load: ${((a.joinSeconds + a.loadSeconds) / d.duckdbSeconds).toFixed(2)}x; ` +
      `results ${verdict}; load avg ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
  });
  if (process.env.BENCH_CHILD) for (const r of results) emit(r);
  console.log(`checksum [count(f_int), sum(f_int), sum(round(f_double*1000)), sum(feature_event_ts µs)]`);
  console.log(`  duckdb ${d.checksum.join(' ')}`);
  console.log(`  asof   ${a.checksum.join(' ')}`);
  for (const e of a.examples) console.log(`  mismatch: ${e}`);
  if (!process.env.BENCH_CHILD) console.log('\n' + formatTable(results));
  if (a.mismatches !== 0 || !sameChecksum) process.exitCode = 1;
}

const phase = arg('phase');
if (phase === 'gen') await phaseGen(config());
else if (phase === 'duckdb') await phaseDuckDb(config());
else if (phase === 'asof') await phaseAsof(config());
else if (phase === undefined) await main();
else throw new Error(`unknown --phase ${phase}`);
