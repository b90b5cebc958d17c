/**
 * When is a connected source the one a root records? The rule of
 * docs/design/materializer.md ("Source identity"), as a pure function:
 *
 * - another kind or another database name: another source;
 * - the same server instance: the same source, unless every table both
 *   identities stamp was created again (a restore, or another database
 *   given the same name); some re-created tables are a schema migration
 *   (MariaDB re-stamps a table on every ALTER);
 * - another server instance (a failover, a move of the same storage): the
 *   same source only if at least one table is stamped on both sides and no
 *   stamp differs; anything else is refused, since nothing proves it holds
 *   the same data.
 *
 * `address` and `details` never decide. Tables stamped `null` (views,
 * tables not found) are no evidence either way.
 */
import type { SourceIdentity } from '@asof/core';

/** The verdict of {@link compareIdentities}. */
export type IdentityVerdict =
  | {
      readonly same: false;
      /** What differs, one phrase each, for the error message. */
      readonly differences: readonly string[];
    }
  | {
      readonly same: true;
      /** The identity to record from now on: the connected server, the recorded table stamps updated by the connected ones. */
      readonly merged: SourceIdentity;
      /** What the record should note (`server changed …`, `tables added …`); empty when nothing needs recording. */
      readonly changes: readonly string[];
    };

/** Compares the connected identity with the recorded one (see the module comment for the rule). */
export function compareIdentities(recorded: SourceIdentity, connected: SourceIdentity): IdentityVerdict {
  if (recorded.kind !== connected.kind) return { same: false, differences: [`source kind ${recorded.kind} ≠ ${connected.kind}`] };
  if (recorded.database !== connected.database) {
    return { same: false, differences: [`database ${quote(recorded.database)} ≠ ${quote(connected.database)}`] };
  }
  const shared = Object.keys(connected.tables).filter((t) => recorded.tables[t] != null && connected.tables[t] != null);
  const changed = shared.filter((t) => recorded.tables[t] !== connected.tables[t]);
  const recreated = changed.map((t) => `${t} ${recorded.tables[t]} → ${connected.tables[t]}`);
  const sameServer = sameRecord(recorded.server, connected.server);
  if (sameServer && shared.length > 0 && changed.length === shared.length) {
    return {
      same: false,
      differences: [`every table both know was created again (${recreated.join(', ')}): a restore, or another database under the same name`],
    };
  }
  if (!sameServer) {
    const servers = `server ${describeServer(recorded.server)} ≠ ${describeServer(connected.server)}`;
    if (shared.length === 0) return { same: false, differences: [servers, 'and no table stamped on both sides proves it holds the same data'] };
    if (changed.length > 0) return { same: false, differences: [servers, `and tables were created again (${recreated.join(', ')}): a copy, not the same data`] };
  }
  const tables: Record<string, string | null> = { ...recorded.tables };
  const added: string[] = [];
  for (const [table, stamp] of Object.entries(connected.tables)) {
    if (stamp === null || tables[table] === stamp) continue;
    if (tables[table] == null) added.push(table);
    tables[table] = stamp;
  }
  const changes: string[] = [];
  if (!sameServer) changes.push(`server ${describeServer(recorded.server)} → ${describeServer(connected.server)} with every table's stamp unchanged (a failover or a move)`);
  if (changed.length > 0) changes.push(`tables created again on the same server (a schema migration): ${recreated.join(', ')}`);
  if (added.length > 0) changes.push(`tables stamped for the first time: ${added.join(', ')}`);
  const merged: SourceIdentity = { ...connected, tables: sortKeys(tables) };
  return { same: true, merged, changes };
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function describeServer(server: Readonly<Record<string, string>>): string {
  const entries = Object.entries(server);
  return entries.length === 0 ? '(none)' : entries.map(([k, v]) => `${k}=${v}`).join(' ');
}

function quote(name: string): string {
  return name === '' ? '(none)' : `'${name}'`;
}

function sortKeys<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
