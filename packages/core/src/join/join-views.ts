import { Field, type Table, type Vector } from 'apache-arrow';
import { gather } from '../arrow/gather.js';
import { InvalidInputError } from '../errors.js';
import type { TimeInput } from '../time/timestamp.js';
import { assemble, chooseRows } from './point-in-time-join.js';

/** One feature view's rows, as {@link joinViews} takes them. */
export interface ViewRows {
  /** The view's name; used to qualify colliding feature names as `view__feature`. */
  readonly name: string;
  readonly rows: Table;
  /** Join keys (same names in the spine). */
  readonly keys: readonly string[];
  readonly eventTime: string;
  readonly createdTime?: string;
  /** TTL in ms; absent = unbounded. */
  readonly ttl?: number;
  readonly tombstone?: string;
  /** Feature columns to output; default all non-key, non-time columns. */
  readonly features: readonly string[];
}

/** Options of {@link joinViews}. */
export interface JoinViewsOptions {
  readonly spineTime: string;
  readonly asKnownAt?: TimeInput;
  /**
   * `auto` (default): a feature keeps its own name unless another view or
   * the spine has the same name, then it becomes `view__feature`.
   * `qualified`: every feature is `view__feature`.
   */
  readonly naming?: 'auto' | 'qualified';
}

/** Separator of qualified output names (`view__feature`): valid in SQL and JS identifiers. */
export const QUALIFIER = '__';

/**
 * Joins several feature views onto one spine, point in time, each with its
 * own keys, TTL and time columns: one {@link chooseRows} per view, then one
 * output table with the spine's columns followed by every view's features.
 */
export function joinViews(spine: Table, views: readonly ViewRows[], options: JoinViewsOptions): Table {
  const names = outputNames(spine, views, options.naming ?? 'auto');
  const fields: Field[] = [];
  const columns: Vector[] = [];
  views.forEach((view, v) => {
    const take = chooseRows(spine, view.rows, {
      keys: view.keys,
      spineTime: options.spineTime,
      eventTime: view.eventTime,
      createdTime: view.createdTime,
      ttl: view.ttl,
      asKnownAt: options.asKnownAt,
      tombstone: view.tombstone,
    });
    view.features.forEach((feature, f) => {
      const source = view.rows.getChild(feature);
      if (!source) {
        throw new InvalidInputError(`view '${view.name}' has no column '${feature}' in its rows`);
      }
      const column = gather(source, take);
      columns.push(column);
      fields.push(new Field(names[v]![f]!, column.type, true));
    });
  });
  return assemble(spine, fields, columns);
}

function outputNames(spine: Table, views: readonly ViewRows[], naming: 'auto' | 'qualified'): string[][] {
  const uses = new Map<string, number>();
  for (const f of spine.schema.fields) uses.set(f.name, (uses.get(f.name) ?? 0) + 1);
  for (const view of views) for (const f of view.features) uses.set(f, (uses.get(f) ?? 0) + 1);
  const seen = new Set(spine.schema.fields.map((f) => f.name));
  return views.map((view) =>
    view.features.map((feature) => {
      const name = naming === 'qualified' || (uses.get(feature) ?? 0) > 1 ? `${view.name}${QUALIFIER}${feature}` : feature;
      if (seen.has(name)) {
        throw new InvalidInputError(`output column '${name}' appears twice; a view is listed twice or a spine column has that name`);
      }
      seen.add(name);
      return name;
    }),
  );
}
