import { chooseRows, conformBatch, gather, makeBatch, microsVector, readMicrosColumn, TIMESTAMP_US_UTC, TOMBSTONE_COLUMN, versionTimeOf, type Source } from '@asof/core';
import { Bool, Field, makeData, Schema, Table, type RecordBatch } from 'apache-arrow';
import { primaryKeyOf } from '../relation.js';
import { deletedFlags, keyStrings } from './version-ids.js';

/** What a snapshot read implies about the keys it lacks. */
export interface InferredDeletes {
  /** One delete version per key gone (mirror rows), or `null` for none. */
  readonly rows: RecordBatch | null;
  /** Keys the snapshot shows whose latest mirrored version is a delete at or after every version it shows of them. */
  readonly shadowed: number;
  /** The greatest version time among the deletes, `null` for none. */
  readonly upTo: bigint | null;
}

/**
 * The deletes a snapshot read at instant `at` implies: for every primary
 * key whose latest version in `versions` (every version mirrored plus the
 * ones this read adds: key columns, `event_ts`, `_asof_deleted`) is not a
 * delete and that the snapshot did not show (`shown`), a delete dated
 * `max(at, that version's time)`, so a delete is never older than what it
 * deletes (on a tie it wins: it is written after). Keys the snapshot shows
 * whose latest version is nevertheless a delete (re-created with a version
 * time before it) are counted in `shadowed`: they stay deleted until their
 * next version, and the run says so. The rows get `schema` (the columns
 * the append writes; null where a delete has no value) when given.
 */
export function inferDeletes(versions: Table | null, shown: ReadonlySet<string>, at: bigint, source: Source, schema: Schema | null): InferredDeletes {
  const none: InferredDeletes = { rows: null, shadowed: 0, upTo: null };
  if (!versions || versions.numRows === 0) return none;
  const pk = primaryKeyOf(source);
  const times = readMicrosColumn(versions, 'event_ts').micros;
  const flags = deletedFlags(versions, `the mirror of '${source.name}'`, false);
  const keys = keyStrings(versions, pk, `the mirror of '${source.name}'`);
  const latest = latestPerKey(versions, pk, times);
  const gone: number[] = [];
  const dates: bigint[] = [];
  let shadowed = 0;
  let upTo: bigint | null = null;
  for (const j of latest) {
    if (shown.has(keys[j]!)) {
      if (flags[j]) shadowed++;
      continue;
    }
    if (flags[j]) continue; // deleted already
    const d = times[j]! > at ? times[j]! : at;
    gone.push(j);
    dates.push(d);
    if (upTo === null || d > upTo) upTo = d;
  }
  if (gone.length === 0) return { ...none, shadowed };
  return { rows: deleteRows(versions, pk, Int32Array.from(gone), BigInt64Array.from(dates), versionTimeOf(source), schema, source.name), shadowed, upTo };
}

/** The index of each key's latest version (greatest `event_ts`; ties: the later row), once per key, in row order. */
function latestPerKey(versions: Table, pk: readonly string[], times: BigInt64Array): number[] {
  let max = times[0]!;
  for (const t of times) if (t > max) max = t;
  const spine = new Table({ ...Object.fromEntries(pk.map((k) => [k, versions.getChild(k)!])), __at: microsVector(new BigInt64Array(versions.numRows).fill(max)) });
  const take = chooseRows(spine, versions, { keys: pk, spineTime: '__at', eventTime: 'event_ts' });
  const chosen = new Uint8Array(versions.numRows);
  for (const j of take) if (j >= 0) chosen[j] = 1;
  const out: number[] = [];
  chosen.forEach((c, j) => c && out.push(j));
  return out;
}

/** Delete versions: the keys of rows `take`, the version time (and `event_ts`, `created_ts`) `dates`, `_asof_deleted` true. */
function deleteRows(versions: Table, pk: readonly string[], take: Int32Array, dates: BigInt64Array, versionColumn: string, schema: Schema | null, source: string): RecordBatch {
  const n = take.length;
  const keyFields = pk.map((k) => versions.schema.fields.find((f) => f.name === k)!);
  const flag = makeData({ type: new Bool(), length: n, nullCount: 0, data: new Uint8Array(((n + 63) & ~63) >> 3).fill(0xff) });
  const fields = [
    ...keyFields,
    ...(pk.includes(versionColumn) ? [] : [new Field(versionColumn, TIMESTAMP_US_UTC, true)]),
    new Field(TOMBSTONE_COLUMN, new Bool(), true),
    new Field('event_ts', TIMESTAMP_US_UTC, false),
    new Field('created_ts', TIMESTAMP_US_UTC, true),
  ];
  const columns = [
    ...pk.map((k) => gather(versions.getChild(k)!, take).data[0]!),
    ...(pk.includes(versionColumn) ? [] : [microsVector(dates.slice()).data[0]!]),
    flag,
    microsVector(dates).data[0]!,
    // A separate buffer for each column: arrow's IPC writer mis-writes one Data shared by two columns.
    microsVector(dates.slice()).data[0]!,
  ];
  const own = makeBatch(new Schema(fields), columns, n);
  return schema ? conformBatch(own, schema, `the deletes inferred for '${source}'`) : own;
}
