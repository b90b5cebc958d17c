/**
 * The source check every extracting run makes before it reads a row
 * (docs/design/materializer.md, "Source identity"): the connected source
 * must be the one the root records, or the run is refused with a
 * `SourceMismatchError`; the first run records it; `rebase` re-bases the
 * root on the connected source and owes every mirrored source a full read.
 */
import {
  AsofError,
  describeSourceIdentity,
  InvalidInputError,
  SourceMismatchError,
  type OfflineStore,
  type Source,
  type SourceConnector,
  type SourceIdentity,
  type TableRelation,
} from '@asof/core';
import { relationOf } from '../relation.js';
import { compareIdentities } from './rule.js';
import { appendIdentityEntry, IDENTITY_LOG, readIdentityLog, type IdentityEntry, type IdentityLog } from './log.js';

/** Mirrors are `_source.<name>` (engine/mirror.ts). */
const MIRROR_PREFIX = '_source.';
/** Rounds of read-decide-append before giving up on a log that keeps moving. */
const MAX_ROUNDS = 10;

/** What a run asks the check. */
export interface SourceCheckRequest {
  readonly store: OfflineStore;
  readonly connector: SourceConnector;
  /** Every source the run extracts. */
  readonly sources: readonly Source[];
  /** Re-base the root on the connected source if it is not the recorded one. */
  readonly rebase: boolean;
  readonly signal?: AbortSignal;
}

/** How the check ended. */
export type SourceCheckStatus =
  /** First run: the connected source is now the root's. */
  | 'recorded'
  /** The recorded source, nothing to note. */
  | 'matched'
  /** The recorded source, with an accepted change now recorded (see `changes`). */
  | 'updated'
  /** Another source, re-based on as asked. */
  | 'rebased';

/** What a run learns from the check, and what it reports back after extracting. */
export interface SourceCheck {
  readonly status: SourceCheckStatus;
  /** The connected source. */
  readonly identity: SourceIdentity;
  /** Accepted changes (`updated`), or what differed from the source re-based from (`rebased`). */
  readonly changes: readonly string[];
  /** Sources of this run to extract in full whatever the run's mode: a re-base has not been read in full yet. */
  readonly fullRead: readonly string[];
  /** Call after every source was extracted and mirrored: clears the full reads this run did (`fullRead`) from the record. */
  extracted(): Promise<void>;
}

/**
 * Compares the connected source with the root's record and records what
 * the rule allows (docs/design/materializer.md). Throws
 * `SourceMismatchError` for another source without `rebase`; nothing is
 * extracted or written then.
 */
export async function checkSourceIdentity(request: SourceCheckRequest): Promise<SourceCheck> {
  const { store, connector, signal } = request;
  if (typeof (connector as Partial<SourceConnector>).identity !== 'function') {
    throw new InvalidInputError('the source connector has no identity() method: every SourceConnector must say which source it reads, so a root is never fed from another one');
  }
  const names = request.sources.map((s) => s.name);
  let log = await readIdentityLog(store, signal);
  // The tables the root recorded are stamped too, so a run reading a few tables is still checked against all of them.
  const recorded = log.current?.identity;
  const relations = [...request.sources.map(relationOf), ...Object.keys(recorded?.tables ?? {}).map((key) => recordedRelation(key, recorded!.database))];
  const connected = await connector.identity({ relations, signal });
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (round > 0) log = await readIdentityLog(store, signal);
    const decision = await decide(request, log, connected, names);
    if (decision.entry && !(await appendIdentityEntry(store, decision.entry, signal))) continue; // another run appended first: decide again
    const pending = decision.entry?.fullReadPending ?? log.current?.fullReadPending ?? [];
    const fullRead = names.filter((n) => pending.includes(n));
    return {
      status: decision.status,
      identity: connected,
      changes: decision.changes,
      fullRead,
      // Only sources owed a full read matter, and this run reads exactly those of them in full whatever its mode.
      extracted: () => clearFullReads(store, connected, fullRead, signal),
    };
  }
  throw new AsofError('COMMIT_CONFLICT', `the source identity log of ${store.describe()} (${IDENTITY_LOG}) kept changing while this run checked it (${MAX_ROUNDS} rounds); re-run`);
}

interface Decision {
  readonly status: SourceCheckStatus;
  readonly changes: readonly string[];
  /** The entry to append, or none when the record stays as it is. */
  readonly entry?: Omit<IdentityEntry, 'format'>;
}

async function decide(request: SourceCheckRequest, log: IdentityLog, connected: SourceIdentity, names: readonly string[]): Promise<Decision> {
  const current = log.current;
  if (!current) {
    // A root mirrored before identities were recorded cannot be checked against its past: say so in the record.
    const earlier = (await mirroredSources(request)).length > 0 ? ['the root already had mirrors, from runs made before source identities were recorded; they were not checked'] : [];
    const entry = { event: 'recorded', basedOn: log.version, identity: connected, fullReadPending: [], ...(earlier.length ? { note: earlier[0] } : {}) } as const;
    return { status: 'recorded', changes: earlier, entry };
  }
  const verdict = compareIdentities(current.identity, connected);
  if (verdict.same) {
    if (verdict.changes.length === 0) return { status: 'matched', changes: [] };
    return {
      status: 'updated',
      changes: verdict.changes,
      entry: { event: 'updated', basedOn: log.version, identity: verdict.merged, fullReadPending: current.fullReadPending, note: verdict.changes.join('; ') },
    };
  }
  if (!request.rebase) throw new SourceMismatchError(request.store.describe(), current.identity, connected, verdict.differences);
  // Everything mirrored so far came from the old address: read each in full once from the new one.
  const fullReadPending = [...new Set([...current.fullReadPending, ...(await mirroredSources(request)), ...names])].sort();
  return {
    status: 'rebased',
    changes: verdict.differences,
    entry: {
      event: 'rebased',
      basedOn: log.version,
      identity: connected,
      fullReadPending,
      note: `re-based from ${describeSourceIdentity(current.identity)}: ${verdict.differences.join('; ')}`,
    },
  };
}

/**
 * A recorded `database.table` key as a relation: unqualified when it is in
 * the recorded default database, so a re-based source stamps it in its own.
 * (Table names never contain a dot; database names might.)
 */
function recordedRelation(key: string, database: string): TableRelation {
  const dot = key.lastIndexOf('.');
  const schema = key.slice(0, Math.max(dot, 0));
  const table = key.slice(dot + 1);
  return dot < 0 || schema === database ? { table } : { schema, table };
}

/** The sources the root has mirrors of. */
async function mirroredSources({ store, signal }: SourceCheckRequest): Promise<string[]> {
  return (await store.views({ signal })).filter((v) => v.startsWith(MIRROR_PREFIX)).map((v) => v.slice(MIRROR_PREFIX.length));
}

/**
 * Removes `readInFull` from the record's pending full reads, unless the
 * record moved to another source meanwhile (then they stay owed).
 */
async function clearFullReads(store: OfflineStore, connected: SourceIdentity, readInFull: readonly string[], signal?: AbortSignal): Promise<void> {
  if (readInFull.length === 0) return;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const log = await readIdentityLog(store, signal);
    const current = log.current;
    if (!current || !compareIdentities(current.identity, connected).same) return;
    const remaining = current.fullReadPending.filter((n) => !readInFull.includes(n));
    if (remaining.length === current.fullReadPending.length) return;
    const done = current.fullReadPending.filter((n) => readInFull.includes(n));
    const entry = { event: 'reread', basedOn: log.version, identity: current.identity, fullReadPending: remaining, note: `read in full: ${done.join(', ')}` } as const;
    if (await appendIdentityEntry(store, entry, signal)) return;
  }
  // A log that keeps moving leaves these reads owed: the next run reads them in full again, which is only extra work.
}
