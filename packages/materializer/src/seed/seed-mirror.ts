import {
  AsofError,
  columnValues,
  conformBatch,
  filterRows,
  formatMicros,
  makeBatch,
  microsVector,
  readMicrosColumn,
  sameValue,
  TOMBSTONE_COLUMN,
  versionTimeOf,
  type Commit,
  type OfflineStore,
  type Source,
} from '@asof/core';
import { Field, Schema, type RecordBatch, type Table } from 'apache-arrow';
import { mirrorName, readMirror } from '../engine/mirror/mirror-read.js';
import { primaryKeyOf } from '../engine/relation.js';
import { SeedFileError } from './seed-file-error.js';

/** What {@link seedMirror} did. */
export interface SeedResult {
  readonly source: string;
  /** Rows in the file. */
  readonly rows: number;
  /** Versions appended to the mirror. */
  readonly added: number;
  /** Versions the mirror already had, identical: skipped. */
  readonly alreadyMirrored: number;
  /** The mirror commit, `null` when every version was there already. */
  readonly commit: Commit | null;
}

/**
 * Appends a source's row versions from a file (see `readSeedFile`) to its
 * mirror (`_source.<name>`), as one commit, so lookups find history the
 * source no longer shows (prices before the first extract). A version is
 * its primary key and version time, as for an extract: one the mirror has
 * already, with the same values, is skipped; one with other values, two
 * rows of the file with one version, a null key or version time, or a
 * version newer than what the materializer has seen of the source (seed
 * history; newer versions come from the source) is a {@link SeedFileError},
 * and nothing is written. The commit records no watermark, so incremental
 * extracts go on from where they were; views that read the source record
 * the mirror version they were computed from, so the next run recomputes them.
 */
export async function seedMirror(store: OfflineStore, source: Source, rows: Table, options: { readonly file: string; readonly signal?: AbortSignal }): Promise<SeedResult> {
  const { file, signal } = options;
  const declared = Object.keys(source.columns ?? {});
  const pk = primaryKeyOf(source);
  const versionColumn = versionTimeOf(source);
  for (const column of [...pk, versionColumn]) {
    if (!declared.includes(column)) throw new AsofError('CONFIG', `source '${source.name}' does not declare its ${pk.includes(column) ? 'primary key' : 'version time'} column '${column}'; declare it to seed the source`);
  }
  const times = readMicrosColumn(rows, versionColumn);
  const keyValues = pk.map((k) => columnValues(rows.getChild(k)!, k));
  for (let i = 0; i < rows.numRows; i++) {
    for (const [c, k] of pk.entries()) if (keyValues[c]![i] === null) throw new SeedFileError(file, { row: i + 1, column: k }, 'is empty; every version needs its primary key');
    if (times.valid && !times.valid[i]) throw new SeedFileError(file, { row: i + 1, column: versionColumn }, "is empty; every version needs its version time");
  }
  const id = (i: number, keys: readonly unknown[][], micros: BigInt64Array) => `${keys.map((values) => String(values[i])).join('\u0000')}\u0000${micros[i]}`;

  const snapshot = await store.snapshot(mirrorName(source), { signal });
  const watermark = (snapshot.watermark as { versionTime?: string } | null)?.versionTime;
  if (watermark !== undefined) {
    const seen = BigInt(watermark);
    for (let i = 0; i < rows.numRows; i++) {
      if (times.micros[i]! > seen) {
        throw new SeedFileError(
          file,
          { row: i + 1, column: versionColumn },
          `${formatMicros(times.micros[i]!)} is after the newest version asof has seen of '${source.name}' (${formatMicros(seen)}); seed only history, newer versions come from the source`,
        );
      }
    }
  }
  const inFile = new Map<string, number>();
  for (let i = 0; i < rows.numRows; i++) {
    const key = id(i, keyValues, times.micros);
    const earlier = inFile.get(key);
    if (earlier !== undefined) throw new SeedFileError(file, { row: i + 1 }, `repeats the version of row ${earlier + 1} (same ${[...pk, versionColumn].join(', ')})`);
    inFile.set(key, i);
  }

  const mirrored = await readMirror(store, source, { signal });
  const keep = new Uint8Array(rows.numRows).fill(1);
  let alreadyMirrored = 0;
  if (mirrored) {
    const existing = indexVersions(mirrored, pk, id);
    const values = declared.map((c) => [c, columnValues(rows.getChild(c)!, c), columnValues(mirrored.getChild(c)!, c)] as const);
    for (let i = 0; i < rows.numRows; i++) {
      const j = existing.get(id(i, keyValues, times.micros));
      if (j === undefined) continue;
      for (const [column, mine, theirs] of values) {
        if (sameValue(mine[i] ?? null, theirs[j] ?? null) || (mine[i] === null && theirs[j] === null)) continue;
        throw new SeedFileError(
          file,
          { row: i + 1, column },
          `the mirror already has this version of '${source.name}' (${pk.map((k, c) => `${k} ${String(keyValues[c]![i])}`).join(', ')} at ${formatMicros(times.micros[i]!)}) with ${column} ${String(theirs[j])}, the file says ${String(mine[i])}; a seed cannot change a version the source showed`,
        );
      }
      keep[i] = 0;
      alreadyMirrored++;
    }
  }
  const added = rows.numRows - alreadyMirrored;
  if (added === 0) return { source: source.name, rows: rows.numRows, added: 0, alreadyMirrored, commit: null };
  // A column the source holds as NOT NULL (the mirror's schema says so) must have a value in every new version.
  for (const field of mirrored?.schema.fields ?? []) {
    const column = rows.getChild(field.name);
    if (field.nullable || !column || column.nullCount === 0) continue;
    for (let i = 0; i < rows.numRows; i++) {
      if (keep[i] && !column.isValid(i)) throw new SeedFileError(file, { row: i + 1, column: field.name }, `is empty, but the source never holds NULL there`);
    }
  }

  const batches: RecordBatch[] = [];
  let offset = 0;
  for (const part of rows.batches) {
    const kept = filterRows(part, keep.subarray(offset, offset + part.numRows));
    offset += part.numRows;
    if (kept.numRows > 0) batches.push(mirrorBatch(kept, versionColumn, mirrored, file));
  }
  const writer = store.beginWrite(mirrorName(source), { partitioning: 'month', writerName: `seed ${file}` });
  try {
    for (const batch of batches) await writer.writeBatch(batch, { signal });
    const commit = await writer.commit({ operation: 'append', signal });
    if (commit.readVersion !== snapshot.version) await checkRace(store, source, rows, keep, declared, pk, id, commit, signal);
    return { source: source.name, rows: rows.numRows, added, alreadyMirrored, commit };
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw error;
  }
}

/** The mirror's versions by id; deletes are not versions a seed could repeat (a seed holds rows, never deletes). */
function indexVersions(mirrored: Table, pk: readonly string[], id: (i: number, keys: readonly unknown[][], micros: BigInt64Array) => string): Map<string, number> {
  const keys = pk.map((k) => columnValues(mirrored.getChild(k)!, k));
  const micros = readMicrosColumn(mirrored, 'event_ts').micros;
  const deleted = deletedRows(mirrored);
  const out = new Map<string, number>();
  for (let j = 0; j < mirrored.numRows; j++) if (!deleted[j]) out.set(id(j, keys, micros), j);
  return out;
}

function deletedRows(mirrored: Table): boolean[] {
  const flags = mirrored.getChild(TOMBSTONE_COLUMN);
  return Array.from({ length: mirrored.numRows }, (_, j) => flags?.get(j) === true);
}

/**
 * The rows as mirror rows: `event_ts = created_ts =` the version time (as an
 * extract writes them), in the mirror's schema when it has one (source
 * columns the definitions do not declare are null there).
 */
function mirrorBatch(rows: RecordBatch, versionColumn: string, mirrored: Table | null, file: string): RecordBatch {
  const micros = readMicrosColumn(rows as unknown as Table, versionColumn).micros;
  const time = microsVector(micros).data[0]!;
  const created = microsVector(micros.slice()).data[0]!;
  const fields = rows.schema.fields.filter((f) => f.name !== 'event_ts' && f.name !== 'created_ts');
  const schema = new Schema([...fields.map((f) => f.clone({ nullable: true })), new Field('event_ts', time.type, false), new Field('created_ts', time.type, true)]);
  const own = makeBatch(schema, [...fields.map((f) => rows.getChild(f.name)!.data[0]!), time, created], rows.numRows);
  if (!mirrored) return own;
  try {
    return conformBatch(own, mirrored.schema, `seed file ${file}`);
  } catch (error) {
    throw new SeedFileError(file, {}, (error as Error).message, { cause: error });
  }
}

/**
 * A run mirrored versions between the check above and the seed's commit:
 * if one of them is a version the seed also added, with other values, the
 * mirror now holds two readings of one version. The commit cannot be taken
 * back, so this says so loudly (identical duplicates are harmless: a
 * version is read once).
 */
async function checkRace(
  store: OfflineStore,
  source: Source,
  rows: Table,
  keep: Uint8Array,
  declared: readonly string[],
  pk: readonly string[],
  id: (i: number, keys: readonly unknown[][], micros: BigInt64Array) => string,
  commit: Commit,
  signal?: AbortSignal,
): Promise<void> {
  const mirrored = (await readMirror(store, source, { signal }))!;
  const keys = pk.map((k) => columnValues(mirrored.getChild(k)!, k));
  const micros = readMicrosColumn(mirrored, 'event_ts').micros;
  const mine = new Map<string, number>();
  const fileKeys = pk.map((k) => columnValues(rows.getChild(k)!, k));
  const fileTimes = readMicrosColumn(rows, versionTimeOf(source)).micros;
  for (let i = 0; i < rows.numRows; i++) if (keep[i]) mine.set(id(i, fileKeys, fileTimes), i);
  const values = declared.map((c) => [columnValues(rows.getChild(c)!, c), columnValues(mirrored.getChild(c)!, c)] as const);
  const deleted = deletedRows(mirrored);
  for (let j = 0; j < mirrored.numRows; j++) {
    if (deleted[j]) continue;
    const i = mine.get(id(j, keys, micros));
    if (i === undefined) continue;
    if (values.every(([a, b]) => sameValue(a[i] ?? null, b[j] ?? null) || (a[i] == null && b[j] == null))) continue;
    throw new AsofError(
      'COMMIT_CONFLICT',
      `seed of '${source.name}' committed as mirror version ${commit.version}, but a run mirrored the version of file row ${i + 1} at the same time with other values; ` +
        `the mirror now holds both: check the file against the source`,
    );
  }
}
