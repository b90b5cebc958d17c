import {
  formatHtmlTable,
  formatTable,
  rowsToTable,
  type DType,
  type FormatHtmlOptions,
  type JsRow,
  type KeyDType,
  type OnlineFeatureStatus,
  type OnlineStore,
  type TimeInput,
} from '@asof/core';
import { FeatureTable } from './feature-table.js';
import { INSPECT, inspectRich, JUPYTER_DISPLAY, jupyterBundle } from './notebook-display.js';
import type { ViewRequest } from './plan.js';

/** An online store, or where to find one: `lmdb:<dir>`, `dynamodb://<table>`, or `none`. */
export type OnlineOption = OnlineStore | string;

/**
 * What `getOnlineFeatures` returns: one row per requested entity, in
 * order (the entity's columns, then each feature by output name, `null`
 * unless present), and per row the status of each feature.
 */
export class OnlineFeatures<R = JsRow, S = Record<string, OnlineFeatureStatus>> {
  /** @internal */
  constructor(
    /** The rows, in request order. */
    readonly rows: readonly R[],
    /** Per row, feature output name -> `present` | `missing` | `expired` | `stale` (past the published horizon). */
    readonly statuses: readonly S[],
    private readonly dtypes: Readonly<Record<string, DType>>,
  ) {}

  /** The rows as a {@link FeatureTable}. */
  toTable(): FeatureTable<R> {
    return new FeatureTable<R>(rowsToTable(this.rows as unknown as JsRow[], this.dtypes));
  }

  /** A text table of the rows. */
  toString(): string {
    return formatTable(this.toTable());
  }

  /** An HTML table of the rows; a feature that is not `present` shows its status beside its null. */
  toHTML(options?: Omit<FormatHtmlOptions, 'note'>): string {
    const statuses = this.statuses as readonly Readonly<Record<string, OnlineFeatureStatus | undefined>>[];
    return formatHtmlTable(this.toTable(), {
      ...options,
      note: (row, column) => {
        const status = statuses[row]?.[column];
        return status === undefined || status === 'present' ? null : status;
      },
    });
  }

  /** `util.inspect` (and so `console.log`): the text table; in a tslab cell, the HTML table. */
  [INSPECT](depth: number | null, options?: { depth?: number | null }): string {
    return inspectRich(this, depth, options);
  }

  /** The MIME bundle Deno's Jupyter kernel displays. */
  [JUPYTER_DISPLAY](): Record<string, string> {
    return jupyterBundle(this);
  }
}

/**
 * Reads each view's features for every entity (one batched read per view,
 * the views in parallel, all at one instant) and merges them by output name.
 */
export async function lookupOnline(
  online: OnlineStore,
  views: readonly ViewRequest[],
  keys: Readonly<Record<string, KeyDType>>,
  entities: readonly JsRow[],
  options: { at?: TimeInput; signal?: AbortSignal },
): Promise<OnlineFeatures> {
  const rows: JsRow[] = entities.map((e) => ({ ...e }));
  const statuses: Record<string, OnlineFeatureStatus>[] = entities.map(() => ({}));
  const dtypes: Record<string, DType> = { ...keys };
  // One instant for every view, so "now" is the same now in each.
  const at = options.at ?? new Date();
  const reads = await Promise.all(
    views.map(({ view, features }) =>
      online.read(view, entities.map((e) => Object.fromEntries(view.joinKeyNames.map((k) => [k, e[k]]))), { features, at, signal: options.signal }),
    ),
  );
  views.forEach(({ features, names, dtypes: featureTypes }, v) => {
    const read = reads[v]!;
    read.rows.forEach((row, i) => {
      Object.assign(rows[i]!, row.key);
      features.forEach((f, j) => {
        rows[i]![names[j]!] = row.status[f] === 'present' ? (row.values[f] ?? null) : null;
        statuses[i]![names[j]!] = row.status[f]!;
      });
    });
    features.forEach((f, j) => (dtypes[names[j]!] = featureTypes[f]!));
  });
  return new OnlineFeatures(rows, statuses, dtypes);
}
