import { toEpochMicros, type DataFileEntry, type OfflineSnapshot, type OfflineStore, type TimeInput } from '@asof/core';
import { viewCoverage } from '@asof/stores';
import { coverageWarnings, reportCoverage, type CoveragePolicy, type CoverageWarning, type RequestedTimes } from './coverage.js';
import { DEFAULT_MAX_ROWS_IN_MEMORY } from './historical.js';
import type { ViewRequest } from './plan.js';

/** What an offline read call may say about time travel and coverage, as given. */
export interface ReadRequestOptions {
  readonly asKnownAt?: TimeInput | undefined;
  readonly asOfCommitTime?: TimeInput | undefined;
  readonly strict?: boolean | undefined;
  readonly acceptPastKnowledgeTime?: boolean | undefined;
  readonly maxRowsInMemory?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onFileOpened?: ((view: string, file: DataFileEntry) => void) | undefined;
}

/** A read call's options resolved: instants in µs, defaults applied. */
export interface ReadContext {
  readonly asKnownAt: bigint | null;
  readonly asOfCommitTime: bigint | null;
  readonly policy: CoveragePolicy;
  readonly maxRowsInMemory: number;
  readonly signal: AbortSignal | undefined;
  readonly onFileOpened: ((view: string, file: DataFileEntry) => void) | undefined;
}

/** Resolves a call's options; `strict` falls back to the store's default. */
export function readContext(request: ReadRequestOptions, strictByDefault: boolean): ReadContext {
  return {
    asKnownAt: request.asKnownAt === undefined ? null : toEpochMicros(request.asKnownAt),
    asOfCommitTime: request.asOfCommitTime === undefined ? null : toEpochMicros(request.asOfCommitTime),
    policy: { strict: request.strict ?? strictByDefault, acceptPastKnowledgeTime: request.acceptPastKnowledgeTime ?? false },
    maxRowsInMemory: request.maxRowsInMemory ?? DEFAULT_MAX_ROWS_IN_MEMORY,
    signal: request.signal,
    onFileOpened: request.onFileOpened,
  };
}

/**
 * One snapshot per view for the whole call: the latest, or the last one
 * committed at or before `asOfCommitTime` (the store's commit clock), so
 * every part of the answer (entities, both sides of a compare) reads the
 * same versions.
 */
export async function readSnapshots(store: OfflineStore, views: readonly Pick<ViewRequest, 'view'>[], context: ReadContext): Promise<Map<string, OfflineSnapshot>> {
  const snapshots = new Map<string, OfflineSnapshot>();
  for (const { view } of views) {
    snapshots.set(
      view.name,
      await store.snapshot(view.name, { signal: context.signal, ...(context.asOfCommitTime !== null ? { asOfCommitTime: context.asOfCommitTime } : {}) }),
    );
  }
  return snapshots;
}

/**
 * The coverage warnings of a call over `views` at `times`, after its
 * policy: emitted through `process.emitWarning` and returned, or raised as
 * a `CoverageError` under `strict`.
 */
export async function checkCoverage(
  store: OfflineStore,
  views: readonly ViewRequest[],
  snapshots: ReadonlyMap<string, OfflineSnapshot>,
  times: RequestedTimes,
  context: ReadContext,
): Promise<CoverageWarning[]> {
  const warnings: CoverageWarning[] = [];
  for (const { view } of views) {
    const snapshot = snapshots.get(view.name)!;
    const coverage = viewCoverage(snapshot, { asKnownAt: context.asKnownAt });
    const firstCommittedAt =
      snapshot.version === 0 && context.asOfCommitTime !== null ? ((await store.history(view.name, { signal: context.signal }))[0]?.committedAt ?? null) : null;
    warnings.push(...coverageWarnings(coverage, times, { asKnownAt: context.asKnownAt, asOfCommitTime: context.asOfCommitTime, version: snapshot.version, firstCommittedAt }));
  }
  return reportCoverage(warnings, context.policy);
}
