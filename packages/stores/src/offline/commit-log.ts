import {
  InvalidInputError,
  parseIsoMicros,
  StoreReadError,
  toEpochMicros,
  type Commit,
  type CommitCoordinator,
  type DataFileEntry,
  type IoOptions,
  type ObjectStore,
  type OfflineSnapshot,
  type SnapshotOptions,
} from '@asof/core';
import { decodeCommit } from './commit-codec.js';
import { logKey, logPrefix, versionOfLogKey } from './layout.js';

/** What a coordinator claim stores: where the staged commit document is. */
export interface ClaimPayload {
  readonly staged: string;
  readonly commitId: string;
}

/**
 * Reads a view's commit log. Entries are immutable once written, so parsed
 * commits are cached for the life of the store; only the listing (to find
 * the latest version) is repeated. With a coordinator, a version that was
 * claimed but whose log entry is missing (its writer died between the two
 * steps) is completed from the staged document before it is read.
 */
export class CommitLog {
  private readonly cache = new Map<string, Map<number, Commit>>();

  constructor(
    private readonly objects: ObjectStore,
    private readonly coordinator: CommitCoordinator | null,
    private readonly location: string,
  ) {}

  /** The coordinator's table name for a view: unique per store root and view. */
  coordinatorTable(view: string): string {
    return `${this.location}/views/${view}`;
  }

  /** The latest committed version (0 if none). */
  async latestVersion(view: string, options?: IoOptions): Promise<number> {
    const versions: number[] = [];
    for await (const info of this.objects.list(logPrefix(view), options)) {
      const v = versionOfLogKey(view, info.key);
      if (v !== null) versions.push(v);
    }
    versions.sort((a, b) => a - b);
    let latest = versions.length ? versions[versions.length - 1]! : 0;
    const present = new Set(versions);
    if (this.coordinator) {
      for (let v = 1; v <= latest; v++) if (!present.has(v)) await this.repair(view, v, options);
      while (await this.repair(view, latest + 1, options)) latest++;
    } else {
      for (let v = 1; v <= latest; v++) {
        if (!present.has(v)) throw new StoreReadError(`the log of view '${view}' has no entry for version ${v} (latest is ${latest}); the store is damaged`);
      }
    }
    return latest;
  }

  /** Commits 1..upTo, oldest first. */
  async commits(view: string, upTo: number, options?: IoOptions): Promise<Commit[]> {
    let byVersion = this.cache.get(view);
    if (!byVersion) this.cache.set(view, (byVersion = new Map()));
    const missing: number[] = [];
    for (let v = 1; v <= upTo; v++) if (!byVersion.has(v)) missing.push(v);
    for (let i = 0; i < missing.length; i += 16) {
      const batch = missing.slice(i, i + 16);
      const read = await Promise.all(batch.map((v) => this.readEntry(view, v, options)));
      read.forEach((c) => byVersion.set(c.version, c));
    }
    return Array.from({ length: upTo }, (_, i) => byVersion.get(i + 1)!);
  }

  /** The snapshot a {@link SnapshotOptions} selects (default: the latest). */
  async snapshot(view: string, options: SnapshotOptions = {}): Promise<OfflineSnapshot> {
    const latest = await this.latestVersion(view, options);
    let version = latest;
    if (options.version !== undefined) {
      if (!Number.isInteger(options.version) || options.version < 0) {
        throw new InvalidInputError(`snapshot version must be a non-negative integer, got ${String(options.version)}`);
      }
      if (options.version > latest) {
        throw new InvalidInputError(`view '${view}' has no version ${options.version}; its latest version is ${latest}`);
      }
      version = options.version;
    }
    let commits = await this.commits(view, version, options);
    if (options.asOfCommitTime !== undefined) {
      const t = toEpochMicros(options.asOfCommitTime);
      let keep = 0;
      while (keep < commits.length && parseIsoMicros(commits[keep]!.committedAt) <= t) keep++;
      commits = commits.slice(0, keep);
    }
    return buildSnapshot(view, commits);
  }

  private async readEntry(view: string, version: number, options?: IoOptions): Promise<Commit> {
    const key = logKey(view, version);
    const bytes = await this.objects.get(key, options);
    if (!bytes) throw new StoreReadError(`log entry ${key} disappeared`);
    return decodeCommit(bytes, view, version, key);
  }

  /** Writes the log entry of a claimed version from its staged document; `false` if the version is unclaimed. */
  private async repair(view: string, version: number, options?: IoOptions): Promise<boolean> {
    const payload = await this.coordinator!.read(this.coordinatorTable(view), version, options);
    if (payload === null) return false;
    const key = logKey(view, version);
    if ((await this.objects.get(key, options)) !== null) return true;
    const { staged } = JSON.parse(payload) as ClaimPayload;
    const bytes = await this.objects.get(staged, options);
    if (!bytes) throw new StoreReadError(`version ${version} of view '${view}' was claimed in ${this.coordinator!.describe()} but its staged commit ${staged} is missing`);
    decodeCommit(bytes, view, version, staged);
    await this.objects.putIfAbsent(key, bytes, options);
    return true;
  }
}

/** Replays commits into the visible files (in write order), retention mark and watermark. */
export function buildSnapshot(view: string, commits: readonly Commit[]): OfflineSnapshot {
  const files = new Map<string, DataFileEntry>();
  let retention: OfflineSnapshot['retention'] = null;
  let watermark: unknown = null;
  for (const commit of commits) {
    for (const path of commit.removed) files.delete(path);
    for (const file of commit.added) files.set(file.path, file);
    if (commit.retention) retention = commit.retention;
    if (commit.watermark !== null && commit.watermark !== undefined) watermark = commit.watermark;
  }
  const last = commits[commits.length - 1];
  return Object.freeze({
    view,
    version: last?.version ?? 0,
    committedAt: last?.committedAt ?? null,
    files: Object.freeze([...files.values()].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0))),
    commits: Object.freeze([...commits]),
    retention,
    watermark,
  });
}
