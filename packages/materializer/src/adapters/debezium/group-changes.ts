/**
 * Decoded changes, in message order, into what a mirror applies: per
 * source, record batches of row versions, and truncates in between. A
 * truncate ends its source's batch before it (the rows before it and the
 * rows after it must not be merged across it); sources are independent
 * of each other, so their parts keep only their own order. Everything
 * else (tombstones, schema changes, transaction markers, heartbeats) adds
 * no rows but moves the position.
 */
import { InvalidInputError, type Source } from '@asof/core';
import type { RecordBatch } from 'apache-arrow';
import { isRowChange, type ChangePosition, type DecodedChange, type RowChange, type TruncateChange } from './changes.js';
import { rowVersionBatch } from './row-batch.js';

/** One thing to apply, in order per source. */
export type ChangePart =
  | { readonly kind: 'rows'; readonly source: string; readonly batch: RecordBatch; readonly first: ChangePosition; readonly last: ChangePosition }
  | { readonly kind: 'truncate'; readonly source: string; readonly change: TruncateChange };

/** {@link groupChanges}' result. */
export interface GroupedChanges {
  /** Row batches and truncates; for each source in the order its changes came. */
  readonly parts: readonly ChangePart[];
  /** The position of the last change given (whatever its kind): where to resume once all parts are applied. */
  readonly position: ChangePosition | null;
}

/** Groups changes of the given sources (by name) into row batches and truncates; a change of another source is an error. */
export function groupChanges(changes: readonly DecodedChange[], sources: readonly Source[]): GroupedChanges {
  const byName = new Map(sources.map((s) => [s.name, s]));
  const pending = new Map<string, RowChange[]>();
  const parts: ChangePart[] = [];
  const flush = (name: string): void => {
    const rows = pending.get(name);
    if (!rows || rows.length === 0) return;
    parts.push({ kind: 'rows', source: name, batch: rowVersionBatch(byName.get(name)!, rows), first: rows[0]!.position, last: rows[rows.length - 1]!.position });
    pending.set(name, []);
  };
  const known = (name: string): void => {
    if (!byName.has(name)) throw new InvalidInputError(`groupChanges: a change of source '${name}', which is not among the sources given (${[...byName.keys()].join(', ')})`);
  };
  for (const change of changes) {
    if (isRowChange(change)) {
      known(change.source);
      const rows = pending.get(change.source);
      if (rows) rows.push(change);
      else pending.set(change.source, [change]);
    } else if (change.kind === 'truncate') {
      known(change.source);
      flush(change.source);
      parts.push({ kind: 'truncate', source: change.source, change });
    }
  }
  for (const name of pending.keys()) flush(name);
  return { parts, position: changes.length > 0 ? changes[changes.length - 1]!.position : null };
}
