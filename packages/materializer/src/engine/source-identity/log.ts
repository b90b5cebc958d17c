/**
 * Where a root keeps its source's identity: a table of the offline store
 * with no data files, `_meta.source-identity`, whose commits carry one entry
 * each (in the commit's `watermark`). So the record gets what every commit
 * gets: put-if-absent on the log entry (local `O_EXCL`, S3 `If-None-Match`
 * or the DynamoDB coordinator, refused where none holds), a commit time,
 * the writer, and the whole history.
 *
 * An entry is decided against the log as read at version `basedOn` and is
 * valid only if it lands exactly at `basedOn + 1`; one that lands later
 * (another writer appended in between) is void and ignored, so a decision
 * never rests on a stale read: the log behaves as a compare-and-swap
 * register whose history is kept.
 */
import { CommitConflictError, StoreReadError, type OfflineStore, type SourceIdentity } from '@asof/core';

/** The internal table holding the identity log. Source names cannot contain `-`, so no mirror (`_source.<name>`) can take it. */
export const IDENTITY_LOG = '_meta.source-identity';

/** Marks the entry shape; bumped on an incompatible change. */
export const IDENTITY_FORMAT = 'asof.source-identity/1';

/** What happened to the record. */
export type IdentityEvent =
  /** The first run that extracted recorded its source. */
  | 'recorded'
  /** An accepted change of the same source (another server of the same storage, re-created tables, new tables). */
  | 'updated'
  /** `rebaseSource`: the root now follows another source, declared to hold the same data. */
  | 'rebased'
  /** Sources owed a full read after a re-base were read in full. */
  | 'reread';

/** One entry of the identity log, as stored. */
export interface IdentityEntry {
  readonly format: typeof IDENTITY_FORMAT;
  readonly event: IdentityEvent;
  /** The log version this entry was decided against; it counts only at version `basedOn + 1`. */
  readonly basedOn: number;
  /** The root's source from this entry on. */
  readonly identity: SourceIdentity;
  /** Sources (by name) that must be extracted in full before an incremental extract of them can be trusted again. */
  readonly fullReadPending: readonly string[];
  /** Why, for people reading the history (the changes accepted, the identity re-based from). */
  readonly note?: string;
}

/** An entry with the commit that holds it. */
export interface IdentityRecord extends IdentityEntry {
  readonly version: number;
  /** ISO-8601 commit time. */
  readonly committedAt: string;
}

/** The log as read: its latest version (void entries included), the identity in force, and every valid entry, oldest first. */
export interface IdentityLog {
  readonly version: number;
  readonly current: IdentityRecord | null;
  readonly history: readonly IdentityRecord[];
}

/** Reads the identity log of a root; an empty log (`current: null`) before the first run that extracted. */
export async function readIdentityLog(store: OfflineStore, signal?: AbortSignal): Promise<IdentityLog> {
  const commits = await store.history(IDENTITY_LOG, { signal });
  const history: IdentityRecord[] = [];
  for (const commit of commits) {
    const entry = decodeEntry(commit.watermark, commit.version, store);
    if (entry.basedOn !== commit.version - 1) continue; // void: decided against a log that had moved on
    history.push({ ...entry, version: commit.version, committedAt: commit.committedAt });
  }
  return { version: commits.at(-1)?.version ?? 0, current: history.at(-1) ?? null, history };
}

/**
 * Appends an entry decided against version `entry.basedOn`: `true` if it
 * became version `basedOn + 1` (it is now the record), `false` if another
 * writer got there first (read the log again and decide again).
 */
export async function appendIdentityEntry(store: OfflineStore, entry: Omit<IdentityEntry, 'format'>, signal?: AbortSignal): Promise<boolean> {
  const writer = store.beginWrite(IDENTITY_LOG, { writerName: `source identity: ${entry.event}` });
  try {
    // One attempt: a commit moved past a lost race would rest on a read that is no longer true.
    const commit = await writer.commit({ operation: 'append', watermark: { format: IDENTITY_FORMAT, ...entry }, maxAttempts: 1, signal });
    return commit.version === entry.basedOn + 1;
  } catch (error) {
    if (error instanceof CommitConflictError) return false;
    await writer.abort().catch(() => undefined);
    throw error;
  }
}

function decodeEntry(value: unknown, version: number, store: OfflineStore): IdentityEntry {
  const entry = value as Partial<IdentityEntry> | null;
  const where = `entry ${version} of the source identity log of ${store.describe()} (${IDENTITY_LOG})`;
  if (entry?.format !== IDENTITY_FORMAT) {
    throw new StoreReadError(`${where} has format ${JSON.stringify(entry?.format ?? null)}; this asof reads ${IDENTITY_FORMAT}: upgrade asof, or the log is damaged`);
  }
  const identity = entry.identity as SourceIdentity | undefined;
  if (
    typeof entry.basedOn !== 'number' ||
    !Array.isArray(entry.fullReadPending) ||
    typeof identity?.kind !== 'string' ||
    typeof identity.database !== 'string' ||
    typeof identity.server !== 'object' ||
    typeof identity.tables !== 'object'
  ) {
    throw new StoreReadError(`${where} is malformed (basedOn, fullReadPending or identity missing); the store is damaged`);
  }
  return entry as IdentityEntry;
}
