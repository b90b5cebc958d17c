import { AsofError, type CommitCoordinator, type IoOptions, type ObjectStore } from '@asof/core';
import { probePutIfAbsent } from '../adapters/s3/probe-put-if-absent.js';

/**
 * Refuses to write where "create only if absent" cannot be trusted: an
 * object store that does not enforce it (every S3-compatible server that
 * installs here ignores `If-None-Match`) with no coordinator to serialise
 * the writers. Probes the store once; reads never need it.
 */
export class PutIfAbsentGuard {
  private verdict: Promise<void> | null = null;

  constructor(
    private readonly objects: ObjectStore,
    private readonly coordinator: CommitCoordinator | null,
    /** `trusted`: the object store enforces put-if-absent (local FS); `probe`: check once before the first write. */
    private readonly mode: 'trusted' | 'probe',
    /** What is refused, for the message: `commit to`, `publish an export to`. */
    private readonly what = 'commit to',
  ) {}

  /** Throws a `CONFIG` error if exclusive creates would be unsafe here. */
  assert(options?: IoOptions): Promise<void> {
    if (this.coordinator || this.mode === 'trusted') return Promise.resolve();
    this.verdict ??= probePutIfAbsent(this.objects, options).then(
      (probe) => {
        if (probe.enforced) return;
        throw new AsofError(
          'CONFIG',
          `cannot ${this.what} ${this.objects.describe()}: the endpoint does not enforce If-None-Match; ` +
            `configure a DynamoDB commit coordinator (--commit-coordinator dynamodb://table), or use an endpoint that ` +
            `enforces conditional writes (AWS S3 does). Without either, two writers could both claim the same version ` +
            `(probe: ${probe.detail}). Reads still work.`,
        );
      },
      (error: unknown) => {
        this.verdict = null; // a failed probe (network) may be retried
        throw error;
      },
    );
    return this.verdict;
  }
}

/** One numbered entry to create exclusively. */
export interface ExclusiveEntry {
  /** The coordinator's name for the log (unique per root and log). */
  readonly table: string;
  readonly version: number;
  /** Where the entry goes. */
  readonly key: string;
  readonly bytes: Uint8Array;
  /** With a coordinator: where a copy waits before the claim, so a reader can finish a claim whose writer died. */
  readonly staged?: string;
  /** Stored with the coordinator's claim. */
  readonly payload: string;
}

/**
 * Creates `entry.key` only if no other writer owns `entry.version`:
 * put-if-absent on the object store, or with a coordinator, claim the
 * version there first (after writing `staged`), then write the entry.
 * `true` if this writer owns the entry; `owns` recognises this writer's
 * own bytes when the entry is already there (a repairing reader wrote it).
 */
export async function createExclusively(
  objects: ObjectStore,
  coordinator: CommitCoordinator | null,
  entry: ExclusiveEntry,
  owns: (existing: Uint8Array) => boolean,
  options?: IoOptions,
): Promise<boolean> {
  if (!coordinator) return objects.putIfAbsent(entry.key, entry.bytes, options);
  if (entry.staged) await objects.put(entry.staged, entry.bytes, options);
  if (!(await coordinator.claim(entry.table, entry.version, entry.payload, options))) return false;
  if (await objects.putIfAbsent(entry.key, entry.bytes, options)) return true;
  const existing = await objects.get(entry.key, options); // written by a repairing reader, or by a writer without the coordinator
  return existing !== null && owns(existing);
}
