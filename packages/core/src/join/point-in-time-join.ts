import { DataType, Field, makeData, RecordBatch, Schema, Struct, Table, type Vector } from 'apache-arrow';
import { gather } from '../arrow/gather.js';
import { KeyDictionary, NO_KEY } from '../arrow/keys.js';
import { microsVector, readMicrosColumn, type MicrosColumn } from '../arrow/time-column.js';
import { InvalidInputError } from '../errors.js';
import { toEpochMicros } from '../time/timestamp.js';
import type { PointInTimeJoinOptions } from './options.js';
import { groupAndSort } from './group-sort.js';
import { toOrderKeys } from './time-order.js';

/**
 * Joins feature rows onto a spine, point in time (DESIGN §3). For each spine
 * row `(keys, t)` it picks, among rows with the same keys and
 * `t - ttl <= event_ts <= t` (and `created_ts <= asKnownAt` when given), the
 * one with the greatest event time, then created time, then input position.
 * The result has one row per spine row, in spine order: the spine's columns
 * untouched, then the chosen row's feature columns (null where no row
 * qualifies, where the chosen value is null, or where it is a tombstone).
 *
 * Cost: O(m log m) to order the rows per key, O(n log k) for the lookups
 * (k rows per key), memory O(n + m); no per-row objects.
 */
export function pointInTimeJoin(spine: Table, rows: Table, options: PointInTimeJoinOptions): Table {
  validateOptions(options);
  const plan = planColumns(spine, rows, options);
  const take = chooseRows(spine, rows, options);
  const gathered: Vector[] = plan.features.map((name) => gather(rows.getChild(name)!, take));
  const fields = plan.features.map((name, i) => new Field(plan.prefix + name, gathered[i]!.type, true, rows.schema.fields.find((f) => f.name === name)!.metadata));
  if (options.eventTimeAs) {
    const times = readMicrosColumn(rows, options.eventTime);
    const chosen = gatherMicros(times, take);
    gathered.push(microsVector(chosen.micros, chosen.valid));
    fields.push(new Field(options.eventTimeAs, gathered[gathered.length - 1]!.type, true));
  }
  return assemble(spine, fields, gathered);
}

/**
 * For each spine row, the index of the chosen feature row, or -1. Exposed
 * for callers that gather columns themselves (several views, online checks).
 */
export function chooseRows(spine: Table, rows: Table, options: PointInTimeJoinOptions): Int32Array {
  validateOptions(options);
  const { keys } = options;
  const dictionary = new KeyDictionary();
  const rowGroup = dictionary.encode(rows, keys, { insert: true }, 'feature rows');
  const spineGroup = dictionary.encode(spine, keys, { insert: false }, 'spine');
  const spineTime = readMicrosColumn(spine, options.spineTime);
  const eventTime = readMicrosColumn(rows, options.eventTime);
  if (eventTime.valid) {
    const row = eventTime.valid.indexOf(0);
    throw new InvalidInputError(`feature row ${row} has a null '${options.eventTime}'; every feature row needs an event time`);
  }
  const createdTime = options.createdTime ? readMicrosColumn(rows, options.createdTime) : null;
  const knownAt = options.asKnownAt === undefined ? null : toEpochMicros(options.asKnownAt);
  const ttlMicros = options.ttl === undefined ? null : BigInt(options.ttl) * 1000n;

  const columns = [spineTime, eventTime, createdTime ?? { micros: new BigInt64Array(0), valid: null }];
  const order = toOrderKeys(columns, knownAt === null ? [] : [knownAt], ttlMicros === null ? [] : [{ column: 0, minus: ttlMicros }]);
  const [t, event, created] = order.columns as [Float64Array, Float64Array, Float64Array];
  const lowerBound = ttlMicros === null ? null : order.shifted[0]!;
  const k = knownAt === null ? null : order.scalars[0]!;

  // Rows the caller may not see (created after asKnownAt, or never known) leave the candidate set.
  if (k !== null) {
    for (let j = 0; j < rowGroup.length; j++) if (!createdTime || !(created[j]! <= k)) rowGroup[j] = NO_KEY;
  }
  const { start, order: sorted, event: sortedEvent } = groupAndSort(rowGroup, dictionary.count, event, createdTime ? created : null);
  const tombstone = options.tombstone ? readTombstones(rows, options.tombstone) : null;

  // Visit spine rows key by key, so each key's row segment stays in cache
  // across its lookups (a counting sort of the spine by key; O(n)).
  const n = spine.numRows;
  const groups = dictionary.count;
  const spineStart = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) {
    const g = spineGroup[i]!;
    if (g >= 0) spineStart[g + 1]!++;
  }
  for (let g = 0; g < groups; g++) spineStart[g + 1]! += spineStart[g]!;
  const spineCursor = spineStart.slice(0, groups);
  const spineOrder = new Int32Array(spineStart[groups]!);
  for (let i = 0; i < n; i++) {
    const g = spineGroup[i]!;
    if (g >= 0) spineOrder[spineCursor[g]!++] = i;
  }
  const take = new Int32Array(n).fill(-1);
  for (let g = 0; g < groups; g++) {
    const first = start[g]!;
    const end = start[g + 1]!;
    if (first === end) continue;
    for (let q = spineStart[g]!; q < spineStart[g + 1]!; q++) {
      const i = spineOrder[q]!;
      const ti = t[i]!;
      if (ti !== ti) continue;
      // Last position in the key's segment with event <= t: binary search.
      let lo = first;
      let hi = end;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sortedEvent[mid]! <= ti) lo = mid + 1;
        else hi = mid;
      }
      if (lo === first) continue;
      const p = lo - 1;
      if (lowerBound !== null && sortedEvent[p]! < lowerBound[i]!) continue;
      const row = sorted[p]!;
      if (tombstone && tombstone[row]) continue;
      take[i] = row;
    }
  }
  return take;
}

function validateOptions(options: PointInTimeJoinOptions): void {
  if (options.keys.length === 0) throw new InvalidInputError('pointInTimeJoin needs at least one join key');
  if (options.ttl !== undefined && (!Number.isSafeInteger(options.ttl) || options.ttl < 0)) {
    throw new InvalidInputError(`ttl must be a whole number of milliseconds >= 0, got ${options.ttl}`);
  }
  if (options.asKnownAt !== undefined && !options.createdTime) {
    throw new InvalidInputError('asKnownAt needs createdTime: the rows column that says when each row became known');
  }
}

/** The tombstone flags of `rows` (1 for `true`; null and `false` are 0); the column must be Bool. */
export function readTombstones(rows: Table, name: string): Uint8Array {
  const column = rows.getChild(name);
  if (!column) throw new InvalidInputError(`tombstone column '${name}' not found in the feature rows`);
  if (!DataType.isBool(column.type)) {
    throw new InvalidInputError(`tombstone column '${name}' must be Bool, got ${String(column.type)}`);
  }
  const out = new Uint8Array(column.length);
  let pos = 0;
  for (const data of column.data) {
    const bits = data.values as Uint8Array;
    for (let i = 0; i < data.length; i++) {
      const bit = data.offset + i;
      out[pos + i] = data.getValid(i) && bits[bit >> 3]! & (1 << (bit & 7)) ? 1 : 0;
    }
    pos += data.length;
  }
  return out;
}

interface ColumnPlan {
  readonly features: string[];
  readonly prefix: string;
}

function planColumns(spine: Table, rows: Table, options: PointInTimeJoinOptions): ColumnPlan {
  const reserved = new Set([...options.keys, options.eventTime, options.createdTime, options.tombstone].filter(Boolean));
  const available = rows.schema.fields.map((f) => f.name);
  const features = options.features ? [...options.features] : available.filter((name) => !reserved.has(name));
  for (const name of features) {
    if (!available.includes(name)) {
      throw new InvalidInputError(`feature column '${name}' not found in the feature rows; they have ${available.join(', ')}`);
    }
  }
  const prefix = options.prefix ?? '';
  const spineNames = new Set(spine.schema.fields.map((f) => f.name));
  const outNames = [...features.map((f) => prefix + f), ...(options.eventTimeAs ? [options.eventTimeAs] : [])];
  const seen = new Set<string>();
  for (const name of outNames) {
    if (spineNames.has(name) || seen.has(name)) {
      throw new InvalidInputError(
        `output column '${name}' would collide with ${spineNames.has(name) ? 'a spine column' : 'another output column'}; ` +
          `pass a 'prefix' (e.g. "view__") or pick columns with 'features'`,
      );
    }
    seen.add(name);
  }
  return { features, prefix };
}

function gatherMicros(times: MicrosColumn, take: Int32Array): MicrosColumn {
  const micros = new BigInt64Array(take.length);
  const valid = new Uint8Array(take.length);
  for (let i = 0; i < take.length; i++) {
    const j = take[i]!;
    if (j >= 0) {
      micros[i] = times.micros[j]!;
      valid[i] = 1;
    }
  }
  return { micros, valid };
}

/** Appends single-chunk columns to the spine, slicing them along the spine's record batches. */
export function assemble(spine: Table, fields: readonly Field[], columns: readonly Vector[]): Table {
  const schema = new Schema([...spine.schema.fields, ...fields], spine.schema.metadata);
  if (spine.batches.length === 0) {
    const children = schema.fields.map((f, i) => (i < spine.numCols ? makeData({ type: f.type, length: 0 } as never) : columns[i - spine.numCols]!.data[0]!));
    return new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 0, nullCount: 0, children }))]);
  }
  let offset = 0;
  const batches = spine.batches.map((batch) => {
    const children = [
      ...batch.data.children,
      ...columns.map((c) => c.data[0]!.slice(offset, batch.numRows)),
    ];
    offset += batch.numRows;
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children }));
  });
  return new Table(schema, batches);
}
