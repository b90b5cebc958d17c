import {
  AsofError,
  chooseRows,
  evaluateWindows,
  isAggregation,
  last,
  lookupRows,
  rowsToTable,
  tableToRows,
  takeTable,
  timestamp,
  bool,
  float64,
  int64,
  string,
  type ListDType,
  type Aggregation,
  type AnyFeatureView,
  type DType,
  type JsRow,
  type Source,
  TOMBSTONE_COLUMN,
} from '@asof/core';
import { Table } from 'apache-arrow';
import { latestVersions } from './latest-versions.js';
import type { LookupTally } from './lookup-tally.js';

/** Where a computation reads mirrored sources: every version up to the run's knowledge time. */
export type VersionReader = (source: Source) => Promise<Table | null>;

/** The output time column of computed feature rows. */
export const EVENT_TS = 'event_ts';

/**
 * A view's feature rows as of the knowledge time `knownAt`, computed from
 * the mirrored sources alone (never the clock): the source's latest row
 * versions, the lookups in order (dimensions as of each row's time), the
 * row transform (which may emit several rows: derived events), then either
 * the rows themselves (plain views) or exact windowed aggregations at every
 * change point. Output: join keys, `event_ts`, features; one row per
 * `(keys, event_ts)` (the later row wins a tie, as in the join).
 *
 * In a view with aggregations, a plain feature is the latest value of its
 * column over the entity's events (`last` over a lifetime window), so
 * every feature is defined at every change point.
 */
export async function computeViewRows(view: AnyFeatureView, read: VersionReader, knownAt: bigint): Promise<Table> {
  const events = await deriveEvents(view, await read(view.source), read, knownAt);
  return events ? aggregateEvents(view, events) : emptyRows(view);
}

/**
 * The rows a view aggregates, from some of its source's row versions (all
 * of them, or one bucket of primary keys): the latest version per key at
 * `knownAt` (a key whose latest version is a delete is gone, so whatever
 * it contributed is retracted), the lookups in order, then the transform.
 * `null` when nothing is left. Lookup sources are read whole through `read`; how each lookup
 * found its rows (at their time, from the earliest version, not at all) is
 * added to `tally`.
 */
export async function deriveEvents(view: AnyFeatureView, versions: Table | null, read: VersionReader, knownAt: bigint, tally?: LookupTally): Promise<Table | null> {
  let rows = versions ? latestVersions(versions, view.source, knownAt) : null;
  if (rows === null || rows.numRows === 0) return null;
  for (const [i, lookup] of view.lookups.entries()) {
    const dimension = await read(lookup.source);
    // A dimension row deleted by a row's `at` is absent then (mirrors carry the flag; a hand-made table may not).
    const deletes = dimension?.getChild(TOMBSTONE_COLUMN) ? { tombstone: TOMBSTONE_COLUMN } : {};
    const looked = lookupRows(rows, dimension ?? new Table(), lookup, deletes);
    tally?.add(i, looked.counts);
    rows = looked.table;
  }
  if (view.transform) rows = applyTransform(view, rows);
  return rows.numRows === 0 ? null : rows;
}

/** Feature rows from a view's rows: exact windows at every change point, or the rows themselves for a plain view. */
export function aggregateEvents(view: AnyFeatureView, rows: Table): Table {
  const aggregations: Record<string, Aggregation> = {};
  const plain: string[] = [];
  for (const [name, spec] of Object.entries(view.features)) {
    if (isAggregation(spec)) aggregations[name] = spec;
    else plain.push(name);
  }
  if (Object.keys(aggregations).length > 0) {
    for (const name of plain) aggregations[name] = last(name, { window: 'lifetime', type: view.features[name] as DType });
    const ordered = Object.fromEntries(view.featureNames.map((f) => [f, aggregations[f]!]));
    return evaluateWindows(rows, {
      keys: view.joinKeyNames,
      eventTime: view.eventTime,
      createdTime: view.createdTime ?? undefined,
      aggregations: ordered,
      outputTime: EVENT_TS,
    });
  }
  const columns = Object.fromEntries([
    ...view.joinKeyNames.map((k) => [k, rows.getChild(k)!]),
    [EVENT_TS, rows.getChild(view.eventTime)!],
    ...view.featureNames.map((f) => [f, rows.getChild(f)!]),
  ]);
  return lastPerPoint(new Table(columns), view.joinKeyNames);
}

/** Runs the view's row transform; a view rebuilt from registry JSON has only its text, so it needs the definitions module. */
function applyTransform(view: AnyFeatureView, rows: Table): Table {
  const fn = view.transform!.fn;
  if (!fn) {
    throw new AsofError(
      'CONFIG',
      `view '${view.name}' has a row transform, which the registry keeps as text only; pass --definitions <module> so the materializer can run it`,
    );
  }
  const out: JsRow[] = [];
  for (const row of tableToRows(rows)) {
    const result = fn(row);
    if (result === null || result === undefined) continue;
    if (Array.isArray(result)) out.push(...(result as JsRow[]));
    else out.push(result as JsRow);
  }
  const { types, fallbacks } = columnTypes(view);
  // A fallback only types a column that holds no value here, so a Decimal a filter compares with 1000 stays a decimal.
  for (const [name, dtype] of Object.entries(fallbacks)) if (!out.some((row) => row[name] !== null && row[name] !== undefined)) types[name] = dtype;
  return rowsToTable(out, types);
}

/**
 * The dtypes of a transform's output: `types` it must have (keys, times,
 * plain features, the inputs of sums, min, max, last and sets with a declared
 * type); `fallbacks` for columns that would otherwise be typed from nothing
 * (all null in a bucket), which keep buckets of a run consistent. Other
 * columns are inferred from their values.
 */
function columnTypes(view: AnyFeatureView): { types: Record<string, DType>; fallbacks: Record<string, DType> } {
  const types: Record<string, DType> = { ...(view.joinKeys as Record<string, DType>) };
  const fallbacks: Record<string, DType> = {};
  types[view.eventTime] = timestamp();
  if (view.createdTime) types[view.createdTime] = timestamp();
  for (const [name, spec] of Object.entries(view.features)) {
    if (!isAggregation(spec)) {
      types[name] = spec as DType;
      continue;
    }
    // Declared types keep buckets of a run consistent where values alone could not (an all-null column).
    // A float64 sum (the default) or an avg says nothing about its input, which may be a decimal: only a fallback.
    if (spec.column && (spec.fn === 'sum' || spec.fn === 'min' || spec.fn === 'max' || spec.fn === 'last')) {
      if (spec.fn === 'sum' && spec.dtype.kind === 'float64') fallbacks[spec.column] ??= float64();
      else types[spec.column] ??= spec.dtype;
    }
    if (spec.column && spec.fn === 'collect_set') types[spec.column] ??= (spec.dtype as ListDType<unknown>).item;
    if (spec.column && spec.fn === 'avg') fallbacks[spec.column] ??= float64();
    for (const p of spec.where) {
      const sample = Array.isArray(p.value) ? p.value[0] : p.value;
      const literal = typeof sample === 'bigint' ? int64() : typeof sample === 'number' ? float64() : typeof sample === 'string' ? string() : typeof sample === 'boolean' ? bool() : null;
      if (literal) fallbacks[p.column] ??= literal;
    }
  }
  for (const name of Object.keys(types)) delete fallbacks[name];
  return { types, fallbacks };
}

/** Keeps, per `(keys, event_ts)`, the last row: the row the point-in-time join would choose at that instant. */
function lastPerPoint(rows: Table, keys: readonly string[]): Table {
  const take = chooseRows(rows, rows, { keys, spineTime: EVENT_TS, eventTime: EVENT_TS });
  const keep: number[] = [];
  take.forEach((chosen, i) => chosen === i && keep.push(i));
  return keep.length === rows.numRows ? rows : takeTable(rows, Int32Array.from(keep));
}

/** A view's computed-row columns with no rows. */
export function emptyRows(view: AnyFeatureView): Table {
  const types: Record<string, DType> = { ...(view.joinKeys as Record<string, DType>), [EVENT_TS]: timestamp() };
  for (const [name, spec] of Object.entries(view.features)) types[name] = isAggregation(spec) ? spec.dtype : (spec as DType);
  return rowsToTable([], types, Object.keys(types));
}
