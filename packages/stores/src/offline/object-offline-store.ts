import { randomBytes } from 'node:crypto';
import type { RecordBatch } from 'apache-arrow';
import {
  CommitConflictError,
  InvalidInputError,
  toEpochMicros,
  type Commit,
  type CommitCoordinator,
  type CommitMetadata,
  type CommitRequest,
  type CompactOptions,
  type IoOptions,
  type ObjectStore,
  type OfflineSnapshot,
  type OfflineStore,
  type OfflineWriter,
  type RetentionPolicy,
  type ScanOptions,
  type SnapshotOptions,
  type TimeInterval,
  type VacuumOptions,
  type VacuumResult,
  type WriteOptions,
} from '@asof/core';
import { PROBE_PREFIX } from '../adapters/s3/probe-put-if-absent.js';
import { CommitLog } from './commit-log.js';
import { Committer, type CommitPlan } from './committer.js';
import { planCompaction, smallFileBins } from './compact.js';
import { FileNamer, type DataFileTarget } from './data-files.js';
import { newCommitId, versionOfLogKey } from './layout.js';
import type { ParquetWriteOptions } from './parquet/parquet-codec.js';
import { PartitionedWriter } from './partitioned-writer.js';
import { assertInsideInterval, planReplacement } from './replace.js';
import { planRetention, retentionMark } from './retention.js';
import { scanSnapshot } from './scan.js';
import { vacuumStore } from './vacuum.js';
import { assertViewName } from './view-name.js';

/** How an {@link ObjectOfflineStore} is put together (see `openOfflineStore`). */
export interface ObjectOfflineStoreConfig {
  readonly objects: ObjectStore;
  /** Stable name of the root (`s3://bucket/prefix`, `/abs/dir`): coordinator claims are keyed by it. */
  readonly location: string;
  readonly coordinator?: CommitCoordinator | null;
  /** `trusted` when the object store is known to enforce put-if-absent (local FS); else it is probed before the first commit. */
  readonly putIfAbsent: 'trusted' | 'probe';
  /** The root's directory for a root on this machine, else `null` (default). */
  readonly directory?: string | null;
  readonly parquet?: ParquetWriteOptions;
}

/** Thrown inside a plan that turns out to have nothing to commit. */
class NothingToCommit extends Error {}

/** The {@link OfflineStore} on any {@link ObjectStore}: Parquet data files plus a JSON commit log. */
export class ObjectOfflineStore implements OfflineStore {
  readonly objects: ObjectStore;
  /** The root as engines address it (`/abs/dir`, `s3://bucket/prefix`). */
  readonly location: string;
  /** The root's directory for a root on this machine (embedded defaults live there), else `null`. */
  readonly directory: string | null;
  private readonly log: CommitLog;
  private readonly committer: Committer;
  private readonly parquet: ParquetWriteOptions;

  constructor(config: ObjectOfflineStoreConfig) {
    this.objects = config.objects;
    this.location = config.location;
    this.directory = config.directory ?? null;
    this.log = new CommitLog(config.objects, config.coordinator ?? null, config.location);
    this.committer = new Committer(config.objects, config.coordinator ?? null, this.log, config.putIfAbsent);
    this.parquet = config.parquet ?? {};
  }

  describe(): string {
    return this.objects.describe();
  }

  async views(options?: IoOptions): Promise<string[]> {
    const names = new Set<string>();
    for await (const info of this.objects.list('views/', options)) {
      const name = info.key.split('/')[1];
      if (name && versionOfLogKey(name, info.key) !== null) names.add(name);
    }
    return [...names].sort();
  }

  snapshot(view: string, options?: SnapshotOptions): Promise<OfflineSnapshot> {
    assertViewName(view);
    return this.log.snapshot(view, options);
  }

  async history(view: string, options?: IoOptions): Promise<readonly Commit[]> {
    return (await this.snapshot(view, options)).commits;
  }

  async *scan(view: string, options: ScanOptions = {}): AsyncIterable<RecordBatch> {
    const given = options.snapshot;
    const snapshot = given && 'files' in given ? (given as OfflineSnapshot) : await this.snapshot(view, { ...(given ?? {}), signal: options.signal });
    if (snapshot.view !== view) throw new InvalidInputError(`scan('${view}') was given a snapshot of view '${snapshot.view}'`);
    const removedLater = async (path: string) => {
      const all = await this.log.commits(view, await this.log.latestVersion(view, options), options);
      const commit = all.slice(snapshot.version).find((c) => c.removed.includes(path));
      return commit ? { version: commit.version, committedAt: commit.committedAt, operation: commit.operation } : null;
    };
    yield* scanSnapshot(this.objects, snapshot, options, removedLater);
  }

  beginWrite(view: string, options: WriteOptions = {}): OfflineWriter {
    return this.writer(view, new FileNamer(newCommitId()), options);
  }

  async replaceInterval(
    view: string,
    interval: TimeInterval,
    batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
    options: CommitMetadata & WriteOptions = {},
  ): Promise<Commit> {
    const writer = this.beginWrite(view, options);
    try {
      for await (const batch of batches) await writer.writeBatch(batch, options);
    } catch (error) {
      await writer.abort().catch(() => undefined);
      throw error;
    }
    return writer.commit({ ...options, operation: 'replace', interval });
  }

  async compact(view: string, options: CompactOptions = {}): Promise<Commit | null> {
    const targetFileBytes = options.targetFileBytes ?? 128 * 1024 * 1024;
    const latest = await this.snapshot(view, options);
    if (smallFileBins(latest.files, targetFileBytes).length === 0) return null;
    const namer = new FileNamer(newCommitId());
    const target = this.target(view);
    return this.publishOrNothing(view, namer, options, async (base) => {
      const plan = await planCompaction(target, namer, base, targetFileBytes, options);
      if (plan.removed.length === 0) throw new NothingToCommit();
      return { operation: 'compact', added: plan.added, removed: plan.removed, interval: null, ownFiles: plan.added.map((f) => f.path) };
    });
  }

  async applyRetention(view: string, policy: RetentionPolicy, options: IoOptions = {}): Promise<Commit | null> {
    const mark = retentionMark(policy);
    const namer = new FileNamer(newCommitId());
    const target = this.target(view);
    return this.publishOrNothing(view, namer, options, async (base) => {
      const plan = await planRetention(target, namer, base, mark, options);
      if (!plan) throw new NothingToCommit();
      return { operation: 'retention', added: plan.added, removed: plan.removed, interval: null, retention: plan.mark, ownFiles: plan.added.map((f) => f.path) };
    });
  }

  async vacuum(options: VacuumOptions): Promise<VacuumResult> {
    if (!(options.graceMs >= 0)) throw new InvalidInputError(`vacuum graceMs must be >= 0, got ${options.graceMs}`);
    const views = options.views ? [...options.views] : await this.views(options);
    views.forEach(assertViewName);
    return vacuumStore(this.objects, this.log, views, options);
  }

  assertCanCommit(options?: IoOptions): Promise<void> {
    return this.committer.assertCanCommit(options);
  }

  /**
   * Writes and deletes a small probe object under the root, so a root that
   * cannot take writes (a file, a read-only place, a missing bucket) fails
   * with the error a write would meet before anything reports success.
   */
  async assertWritable(options?: IoOptions): Promise<void> {
    const key = `${PROBE_PREFIX}writable-${Date.now()}-${randomBytes(6).toString('hex')}`;
    await this.objects.put(key, new TextEncoder().encode('asof'), options);
    await this.objects.delete([key], options);
  }

  private target(view: string, options: WriteOptions = {}): DataFileTarget {
    assertViewName(view);
    const parquet = options.rowGroupRows ? { ...this.parquet, rowGroupRows: options.rowGroupRows } : this.parquet;
    return { objects: this.objects, view, parquet };
  }

  private writer(view: string, namer: FileNamer, options: WriteOptions): PartitionedWriter {
    return new PartitionedWriter(this.target(view, options), namer, options, (writer, request) =>
      this.commitWritten(writer, namer, request, options.writerName),
    );
  }

  private async commitWritten(writer: PartitionedWriter, namer: FileNamer, request: CommitRequest, writerName?: string): Promise<Commit> {
    const view = writer.view;
    const files = [...writer.files(), ...(request.addFiles ?? [])];
    const interval = request.interval ? { start: toEpochMicros(request.interval.start), end: toEpochMicros(request.interval.end) } : null;
    if (interval && interval.start >= interval.end) throw new InvalidInputError(`interval start must be before its end (got [${interval.start}, ${interval.end}) µs)`);
    if (request.operation === 'replace') {
      if (!interval) throw new InvalidInputError("a 'replace' commit needs the interval it replaces");
      assertInsideInterval(files, interval.start, interval.end);
    }
    const target = this.target(view);
    let replaced: Awaited<ReturnType<typeof planReplacement>> | null = null;
    return this.committer.publish(
      view,
      async (base): Promise<CommitPlan> => {
        const removes = [...(request.removes ?? [])];
        const live = new Set(base.files.map((f) => f.path));
        const gone = removes.filter((p) => !live.has(p));
        if (gone.length > 0) {
          const known = base.commits.some((c) => c.removed.some((p) => gone.includes(p)));
          if (known) throw new CommitConflictError(view, [], `file(s) to remove are no longer visible, e.g. ${gone[0]}`);
          throw new InvalidInputError(`cannot remove ${gone[0]}: view '${view}' has no such file`);
        }
        if (request.operation === 'replace') replaced ??= await planReplacement(target, namer, base, interval!.start, interval!.end, request);
        return {
          operation: request.operation,
          added: [...files, ...(replaced?.rewritten ?? [])],
          removed: [...new Set([...removes, ...(replaced?.removed ?? [])])],
          interval,
          watermark: request.watermark,
          definitionHash: request.definitionHash ?? null,
          writerName,
          ownFiles: [...files, ...(replaced?.rewritten ?? [])].map((f) => f.path),
        };
      },
      { commitId: namer.commitId, maxAttempts: request.maxAttempts, signal: request.signal, readVersion: request.readVersion },
    );
  }

  private async publishOrNothing(view: string, namer: FileNamer, options: IoOptions, prepare: (base: OfflineSnapshot) => Promise<CommitPlan>): Promise<Commit | null> {
    try {
      return await this.committer.publish(view, prepare, { commitId: namer.commitId, replanOnConflict: true, signal: options.signal });
    } catch (error) {
      if (error instanceof NothingToCommit) return null;
      throw error;
    }
  }
}
