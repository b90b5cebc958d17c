import { parseIsoMicros, toEpochMicros, type ObjectInfo, type ObjectStore, type VacuumOptions, type VacuumResult } from '@asof/core';
import { PROBE_PREFIX } from '../adapters/s3/probe-put-if-absent.js';
import type { CommitLog } from './commit-log.js';
import { logPrefix, viewPrefix } from './layout.js';

/**
 * Deletes what no snapshot within the grace period can need, per view:
 * - data files removed by a commit made more than `graceMs` ago;
 * - data files no commit references (a crashed or conflicting writer's)
 *   whose object is older than `graceMs` (younger ones may belong to a
 *   writer still running: the grace period must exceed the longest write);
 * - staged coordinator documents older than `graceMs` whose version is in
 *   the log (or was lost to another writer);
 * - leftover put-if-absent probes older than `graceMs`.
 */
export async function vacuumStore(objects: ObjectStore, log: CommitLog, views: readonly string[], options: VacuumOptions): Promise<VacuumResult> {
  const now = options.now === undefined ? BigInt(Date.now()) * 1000n : toEpochMicros(options.now);
  const cutoff = now - BigInt(Math.round(options.graceMs * 1000));
  const oldEnough = (info: ObjectInfo) => BigInt(info.lastModified.getTime()) * 1000n <= cutoff;
  const doomed: ObjectInfo[] = [];
  let keptYoung = 0;
  for (const view of views) {
    const latest = await log.latestVersion(view, options);
    const commits = await log.commits(view, latest, options);
    const live = new Set<string>();
    const removedAt = new Map<string, bigint>();
    for (const commit of commits) {
      const at = parseIsoMicros(commit.committedAt);
      for (const p of commit.removed) {
        live.delete(p);
        removedAt.set(p, at);
      }
      for (const f of commit.added) live.add(f.path);
    }
    const prefix = viewPrefix(view);
    for await (const info of objects.list(`${prefix}data/`, options)) {
      const path = info.key.slice(prefix.length);
      if (live.has(path)) continue;
      const removed = removedAt.get(path);
      const expired = removed !== undefined ? removed <= cutoff : oldEnough(info);
      if (expired) doomed.push(info);
      else keptYoung++;
    }
    for await (const info of objects.list(`${logPrefix(view)}_staged/`, options)) {
      const version = Number(/(\d{20})-[^/]*\.json$/.exec(info.key)?.[1] ?? NaN);
      if (version <= latest && oldEnough(info)) doomed.push(info);
    }
  }
  if (options.views === undefined) {
    for await (const info of objects.list(PROBE_PREFIX, options)) if (oldEnough(info)) doomed.push(info);
  }
  if (!options.dryRun && doomed.length > 0) await objects.delete(doomed.map((d) => d.key), options);
  return { deleted: doomed.map((d) => d.key), bytes: doomed.reduce((n, d) => n + d.size, 0), keptYoung };
}
