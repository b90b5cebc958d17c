import {
  COMMIT_FORMAT,
  CommitConflictError,
  ConcurrentCommitError,
  InvalidInputError,
  formatMicros,
  parseIsoMicros,
  type Commit,
  type CommitCoordinator,
  type CommitOperation,
  type DataFileEntry,
  type IoOptions,
  type ObjectStore,
  type OfflineSnapshot,
  type RetentionMark,
  type WrittenFile,
} from '@asof/core';
import { decodeCommit, encodeCommit, writerInfo } from './commit-codec.js';
import type { CommitLog } from './commit-log.js';
import { describeWinners, findConflict, rowChangesSince } from './conflicts.js';
import { createExclusively, PutIfAbsentGuard } from './exclusive-create.js';
import { dataKey, logKey, seqOf, stagedKey } from './layout.js';

/** A commit's content before it has a version. */
export interface CommitPlan {
  readonly operation: CommitOperation;
  /** New files; those without `seq` get one from the version. */
  readonly added: readonly (WrittenFile & { readonly seq?: string })[];
  readonly removed: readonly string[];
  readonly interval: { readonly start: bigint; readonly end: bigint } | null;
  readonly retention?: RetentionMark | null;
  readonly watermark?: unknown;
  readonly definitionHash?: string | null;
  readonly writerName?: string;
  /** Data paths written for this plan, deleted if it can never commit. */
  readonly ownFiles: readonly string[];
}

/** How a commit is made: the publish loop's knobs. */
export interface PublishOptions extends IoOptions {
  readonly commitId: string;
  readonly maxAttempts?: number;
  /** Plan again (rather than fail) when a winner conflicts: for compaction and retention. */
  readonly replanOnConflict?: boolean;
  /**
   * The plan is a diff computed against this version: it may only become
   * `readVersion + 1`, past compactions only (see `rowChangesSince`);
   * otherwise publishing fails with `ConcurrentCommitError`.
   */
  readonly readVersion?: number;
}

/**
 * Publishes commits with optimistic concurrency: plan against the latest
 * snapshot, create log entry `latest + 1` with put-if-absent (or claim it
 * through the coordinator, then write it), and on a lost race move to the
 * next version unless the winners conflict (see `findConflict`), or, for a
 * diff computed against an older snapshot (`readVersion`), unless any
 * winner changed rows (see `rowChangesSince`). Both checks run after every
 * lost race, whichever way the version was claimed (put-if-absent or the
 * coordinator), so a commit can only land on a log whose commits since its
 * base the rules allow.
 */
export class Committer {
  private readonly guard: PutIfAbsentGuard;

  constructor(
    private readonly objects: ObjectStore,
    private readonly coordinator: CommitCoordinator | null,
    private readonly log: CommitLog,
    /** `trusted`: the object store enforces put-if-absent (local FS); `probe`: check once before the first commit. */
    putIfAbsent: 'trusted' | 'probe',
  ) {
    this.guard = new PutIfAbsentGuard(objects, coordinator, putIfAbsent, 'commit to');
  }

  /** Throws if commits would be unsafe here; probes the object store once. */
  assertCanCommit(options?: IoOptions): Promise<void> {
    return this.guard.assert(options);
  }

  /** Plans with `prepare` and publishes the plan as the next version of `view`. */
  async publish(view: string, prepare: (base: OfflineSnapshot) => Promise<CommitPlan>, options: PublishOptions): Promise<Commit> {
    await this.assertCanCommit(options);
    const maxAttempts = options.maxAttempts ?? 10;
    let base = await this.log.snapshot(view, options);
    const already = base.commits.find((c) => c.commitId === options.commitId);
    if (already) return already; // a retry of a commit that landed although its caller saw an error
    const readVersion = options.readVersion;
    if (readVersion !== undefined && (!Number.isInteger(readVersion) || readVersion < 0 || readVersion > base.version)) {
      throw new InvalidInputError(`readVersion must be a version of '${view}' (0 to ${base.version}), got ${String(readVersion)}`);
    }
    const assertBasis = async (latest: OfflineSnapshot, plan: CommitPlan) => {
      if (readVersion === undefined) return;
      const winners = rowChangesSince(readVersion, latest.commits);
      if (winners.length === 0) return;
      await this.discard(view, plan);
      throw new ConcurrentCommitError(view, readVersion, winners.map((c) => c.version), describeWinners(winners));
    };
    let plan = await prepare(base);
    await assertBasis(base, plan);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const commit = this.build(view, base, plan, options.commitId, readVersion ?? base.version);
      let won: boolean;
      try {
        won = await this.claim(view, commit, options);
      } catch (error) {
        // The write may have landed before the failure: if so, it is our commit.
        const landed = await this.findLanded(view, base.version, options.commitId, options).catch(() => null);
        if (landed) return landed;
        throw error;
      }
      if (won) return commit;
      const latest = await this.log.snapshot(view, options);
      const landed = latest.commits.slice(base.version).find((c) => c.commitId === options.commitId);
      if (landed) return landed;
      await assertBasis(latest, plan);
      const footprint = { removed: new Set(plan.removed), interval: plan.interval, retainedFrom: plan.retention ? BigInt(plan.retention.fullFrom) : null };
      const conflict = findConflict(footprint, latest.commits.slice(base.version));
      if (conflict && !options.replanOnConflict) {
        await this.discard(view, plan);
        throw new CommitConflictError(view, conflict.versions, conflict.reason);
      }
      if (conflict) {
        await this.discard(view, plan);
        plan = await prepare(latest);
      }
      base = latest;
    }
    await this.discard(view, plan);
    throw new CommitConflictError(view, [], `lost the race for a version ${maxAttempts} times in a row; nothing was committed`);
  }

  private build(view: string, base: OfflineSnapshot, plan: CommitPlan, commitId: string, readVersion: number): Commit {
    const version = base.version + 1;
    const now = BigInt(Date.now()) * 1000n;
    const previous = base.committedAt === null ? null : parseIsoMicros(base.committedAt);
    const committedAt = previous !== null && previous >= now ? previous + 1n : now;
    const added: DataFileEntry[] = plan.added.map((f, i) => ({ ...f, seq: f.seq ?? seqOf(version, i) }));
    return {
      format: COMMIT_FORMAT,
      view,
      version,
      commitId,
      committedAt: formatMicros(committedAt),
      operation: plan.operation,
      readVersion,
      added,
      removed: [...plan.removed],
      watermark: plan.watermark ?? null,
      interval: plan.interval ? { start: String(plan.interval.start), end: String(plan.interval.end) } : null,
      definitionHash: plan.definitionHash ?? null,
      retention: plan.retention ?? null,
      writer: writerInfo(plan.writerName),
    };
  }

  /** Creates the log entry of `commit.version` if nobody has: `true` if this writer did. */
  private claim(view: string, commit: Commit, options: IoOptions): Promise<boolean> {
    const key = logKey(view, commit.version);
    const staged = stagedKey(view, commit.version, commit.commitId);
    return createExclusively(
      this.objects,
      this.coordinator,
      { table: this.log.coordinatorTable(view), version: commit.version, key, bytes: encodeCommit(commit), staged, payload: JSON.stringify({ staged, commitId: commit.commitId }) },
      (existing) => decodeCommit(existing, view, commit.version, key).commitId === commit.commitId,
      options,
    );
  }

  private async findLanded(view: string, after: number, commitId: string, options: IoOptions): Promise<Commit | null> {
    const latest = await this.log.snapshot(view, options);
    return latest.commits.slice(after).find((c) => c.commitId === commitId) ?? null;
  }

  private async discard(view: string, plan: CommitPlan): Promise<void> {
    await this.objects.delete(plan.ownFiles.map((p) => dataKey(view, p))).catch(() => undefined);
  }
}
