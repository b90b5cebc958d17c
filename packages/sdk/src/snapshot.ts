import { Bool, Table, vectorFromArray, type Vector } from 'apache-arrow';
import {
  columnValues,
  InvalidInputError,
  microsVector,
  rowsToTable,
  sameValue,
  takeTable,
  type IoOptions,
  type JsRow,
  type KeyDType,
  type OfflineSnapshot,
  type OfflineStore,
} from '@asof/core';
import { retrieveFeatures, type RetrieveOptions } from './historical.js';
import { outputNames, type ViewRequest } from './plan.js';
import { filesInRange } from './view-rows.js';

const AT = '__asof_at';

/**
 * Every entity with a row in any of the views at or before `at` (and
 * known by `asKnownAt`), as a table of the join keys sorted ascending. All
 * views must share their join keys; otherwise the caller names entities.
 */
export async function allEntities(
  store: OfflineStore,
  views: readonly ViewRequest[],
  keys: Readonly<Record<string, KeyDType>>,
  at: bigint,
  asKnownAt: bigint | null,
  options: IoOptions & { readonly snapshots?: ReadonlyMap<string, OfflineSnapshot> } = {},
): Promise<Table> {
  const names = Object.keys(keys);
  const mismatch = views.find((v) => v.view.joinKeyNames.length !== names.length);
  if (mismatch) {
    const list = views.map((v) => `'${v.view.name}' (${v.view.joinKeyNames.join(', ')})`).join(', ');
    throw new InvalidInputError(`the views ${list} are about different entities; pass { entities } to say which to show`);
  }
  const seen = new Map<string, JsRow>();
  for (const { view } of views) {
    const snapshot = options.snapshots?.get(view.name) ?? (await store.snapshot(view.name, options));
    const files = filesInRange(snapshot, { start: null, end: at + 1n, asKnownAt });
    const scan = store.scan(view.name, {
      snapshot: { ...snapshot, files },
      eventTimeRange: { end: at + 1n },
      ...(asKnownAt !== null ? { asKnownAt } : {}),
      columns: names,
      signal: options.signal,
    });
    for await (const batch of scan) {
      const values = names.map((k) => columnValues(batch.getChild(k)!, k));
      for (let i = 0; i < batch.numRows; i++) {
        const id = values.map((v) => `${typeof v[i]}:${String(v[i])}`).join('\u0000');
        if (!seen.has(id)) seen.set(id, Object.fromEntries(names.map((k, j) => [k, values[j]![i]])));
      }
    }
  }
  const rows = [...seen.values()].sort((a, b) => {
    for (const k of names) {
      const x = a[k] as bigint | number | string;
      const y = b[k] as bigint | number | string;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
  return rowsToTable(rows, keys, names);
}

/** The features of every spine row at one instant `at` (µs): the spine's columns, then the features. */
export async function featuresAt(
  store: OfflineStore,
  spine: Table,
  views: readonly ViewRequest[],
  at: bigint,
  options: Omit<RetrieveOptions, 'timeColumn'>,
): Promise<Table> {
  const withTime = spine.assign(new Table({ [AT]: microsVector(new BigInt64Array(spine.numRows).fill(at)) }));
  const joined = await retrieveFeatures(store, withTime, views, { ...options, timeColumn: AT });
  return joined.select(joined.schema.fields.map((f) => f.name).filter((n) => n !== AT));
}

/** One feature's values at `t1` and `t2`, and per spine row whether they differ. */
export interface FeatureChange {
  /** The output name. */
  readonly name: string;
  readonly before: Vector;
  readonly after: Vector;
  /** 1 where the values differ (null to null is no change; NaN to NaN neither). */
  readonly changed: Uint8Array;
}

/** Per output feature, in request order: its values before and after, and which rows changed. */
export function featureChanges(before: Table, after: Table, views: readonly ViewRequest[]): FeatureChange[] {
  return outputNames(views).map((name) => {
    const a = before.getChild(name)!;
    const b = after.getChild(name)!;
    const x = columnValues(a, name);
    const y = columnValues(b, name);
    const changed = Uint8Array.from(x, (v, i) => (v === null ? y[i] !== null : !sameValue(v, y[i])) ? 1 : 0);
    return { name, before: a, after: b, changed };
  });
}

/**
 * Side by side, per spine row: each feature at `t1` (`name__t1`), at `t2`
 * (`name__t2`), and whether it changed (`name__changed`; null to null is
 * no change). Only rows where something changed unless `all`.
 */
export function compareSnapshots(spine: Table, changes: readonly FeatureChange[], all: boolean): Table {
  const columns: Record<string, Vector> = {};
  for (const field of spine.schema.fields) columns[field.name] = spine.getChild(field.name)!;
  const anyChange = new Uint8Array(spine.numRows);
  for (const { name, before, after, changed } of changes) {
    changed.forEach((c, i) => c && (anyChange[i] = 1));
    columns[`${name}__t1`] = before;
    columns[`${name}__t2`] = after;
    columns[`${name}__changed`] = vectorFromArray(Array.from(changed, (c) => c === 1), new Bool());
  }
  const table = new Table(columns);
  if (all) return table;
  const keep: number[] = [];
  anyChange.forEach((c, i) => c && keep.push(i));
  return takeTable(table, Int32Array.from(keep));
}
