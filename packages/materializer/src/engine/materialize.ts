import { hashFeatureView, type AnyFeatureView, type OfflineSnapshot, type OfflineStore, type Source, type SourceConnector } from '@asof/core';
import type { Table } from 'apache-arrow';
import type { VersionReader } from './compute-view.js';
import { materializeView, type ViewOutcome } from './materialize-view.js';
import { mirrorName, mirrorSource, readMirror, watermarkOf, type ExtractMode, type MirrorResult } from './mirror.js';
import { contentVersion, type ViewBasis } from './view-basis.js';

export { readView, rowCount, withTombstones } from './view-rows.js';
import { checkSourceIdentity, type SourceCheck } from './source-identity/check.js';
import type { LookupSummary } from './lookup-tally.js';

/** What one materialization run does. */
export interface MaterializationRequest {
  readonly store: OfflineStore;
  readonly connector: SourceConnector;
  readonly views: readonly AnyFeatureView[];
  /** `full`: extract every row (a backfill); `incremental`: what changed since each source's watermark. */
  readonly mode: ExtractMode;
  /** Only write rows with `start <= event_ts < end` (µs); default everything. */
  readonly interval?: { readonly start: bigint; readonly end: bigint };
  /** Re-read this far below a source's watermark; default 5 minutes. */
  readonly overlapMs?: number;
  readonly batchSize?: number;
  /**
   * About how many rows a view's computation holds at once: the view is
   * split into entity-key buckets of this size (default 1,000,000). Lookup
   * sources (dimensions) are held whole.
   */
  readonly memoryBudgetRows?: number;
  /**
   * Sources to mirror as well though no requested view reads them (the
   * accounts the finance export names); default none. They are extracted in
   * the same consistent snapshot but do not move the views' knowledge time.
   */
  readonly extraSources?: readonly Source[];
  /**
   * The connector reaches another source than the one the root records, and
   * it holds the same data at a new address (a migration, a restore, a
   * failover to a new cluster): record it as the root's source and read every
   * mirrored source in full once (docs/design/materializer.md, "Source
   * identity"). Without it such a run throws `SourceMismatchError`.
   */
  readonly rebaseSource?: boolean;
  readonly signal?: AbortSignal;
  /** Progress: `stage` is `extract` (rows read from a source) or `compute` (views done). */
  readonly onProgress?: (stage: 'extract' | 'compute', name: string, done: number, total?: number) => void;
  /** Called each time a view's rows are computed from its sources (tests assert skips with it). */
  readonly onCompute?: (view: string) => void;
}

/** How a view's run ended. */
export interface ViewRunResult {
  readonly view: string;
  /**
   * `unchanged`: the view already shows what this run computed (with
   * `version` set when a commit without files recorded the new knowledge
   * time); `failed`: see `error` (`ConcurrentCommitError` when another run
   * committed the view first from newer source data).
   */
  readonly status: 'committed' | 'unchanged' | 'failed';
  readonly version: number | null;
  readonly rowsComputed: number;
  readonly rowsWritten: number;
  readonly filesAdded: number;
  /** The knowledge time the view is now at (µs): the greatest version time in the source data it was computed from. */
  readonly knownAt: bigint | null;
  readonly ms: number;
  /** Per lookup of the view, how its rows were found (empty when the view was not recomputed). */
  readonly lookups: readonly LookupSummary[];
  readonly error?: Error;
}

/** A whole run: the sources mirrored, then every view. */
export interface MaterializationResult {
  /** The source check made before extracting: recorded, matched, updated or re-based. */
  readonly identity: Omit<SourceCheck, 'extracted'>;
  readonly sources: readonly MirrorResult[];
  readonly views: readonly ViewRunResult[];
  /** The greatest knowledge time of the run's views. */
  readonly knownAt: bigint | null;
}

/**
 * One materialization run (docs/design/materializer.md): extract every
 * source the views read inside one consistent snapshot into its mirror,
 * pin one snapshot of each mirror, then recompute each view from those
 * (as of its knowledge time: the greatest version time in them) and append
 * only what differs from the visible rows (`diffFeatureRows`), as one
 * commit per view that may only become the view's next version, so runs
 * racing on one root leave what one run leaves. Running it again with the
 * same source data appends nothing; nothing depends on the wall clock.
 */
export async function materialize(request: MaterializationRequest): Promise<MaterializationResult> {
  const { store, views, signal } = request;
  const viewSources = sourcesOf(views);
  const sources = [...viewSources, ...(request.extraSources ?? []).filter((s) => !viewSources.some((r) => r.name === s.name))];
  // Before any row is read: the root's source, or a typed refusal (docs/design/materializer.md, "Source identity").
  const identity = await checkSourceIdentity({ store, connector: request.connector, sources, rebase: request.rebaseSource === true, signal });
  const mirrored = await request.connector.snapshot(
    async (session) => {
      const results: MirrorResult[] = [];
      for (const source of sources) {
        results.push(
          await mirrorSource(store, session, source, {
            mode: identity.fullRead.includes(source.name) ? 'full' : request.mode,
            overlapMs: request.overlapMs,
            batchSize: request.batchSize,
            signal,
            onProgress: (rows) => request.onProgress?.('extract', source.name, rows),
          }),
        );
      }
      return results;
    },
    { signal },
  );
  await identity.extracted();

  // Every read of a view's sources (each bucket, each lookup) sees one version of each mirror, pinned after this run's appends.
  const pins = new Map<string, OfflineSnapshot>();
  for (const source of viewSources) pins.set(source.name, await store.snapshot(mirrorName(source), { signal }));
  const cache = new Map<string, Promise<Table | null>>();
  const read: VersionReader = (source) => {
    let versions = cache.get(source.name);
    if (!versions) {
      const pin = pins.get(source.name)!;
      cache.set(source.name, (versions = readMirror(store, source, { snapshot: pin, upTo: watermarkOf(pin) ?? undefined, signal })));
    }
    return versions;
  };
  const results: ViewRunResult[] = [];
  let knownAt: bigint | null = null;
  for (const [i, view] of views.entries()) {
    const started = performance.now();
    const basis = basisOf(view, pins, request.interval === undefined);
    if (basis && (knownAt === null || basis.knownAt > knownAt)) knownAt = basis.knownAt;
    try {
      const fresh = readsOf(view).some((source) => mirrored.find((m) => m.source === source.name)!.versionsAdded > 0);
      const outcome: ViewOutcome | null = basis
        ? await materializeView({
            store,
            view,
            basis,
            mirror: pins.get(view.source.name)!,
            read,
            fresh,
            interval: request.interval,
            memoryBudgetRows: request.memoryBudgetRows ?? 1_000_000,
            signal,
            onCompute: request.onCompute,
          })
        : null;
      results.push(outcome ? { ...outcome, ms: performance.now() - started } : { ...nothingYet(view), ms: performance.now() - started });
    } catch (error) {
      if (signal?.aborted) throw error;
      results.push({ ...nothingYet(view), knownAt: basis?.knownAt ?? null, status: 'failed', ms: performance.now() - started, error: error as Error });
    }
    request.onProgress?.('compute', view.name, i + 1, views.length);
  }
  const { extracted: _, ...check } = identity;
  return { identity: check, sources: mirrored, views: results, knownAt };
}

/** What a view's computation from the pinned mirrors is a function of; `null` while its sources are empty. */
function basisOf(view: AnyFeatureView, pins: ReadonlyMap<string, OfflineSnapshot>, complete: boolean): ViewBasis | null {
  let knownAt: bigint | null = null;
  const sources: Record<string, number> = {};
  for (const source of readsOf(view)) {
    const pin = pins.get(source.name)!;
    sources[source.name] = contentVersion(pin);
    const w = watermarkOf(pin);
    if (w !== null && (knownAt === null || w > knownAt)) knownAt = w;
  }
  return knownAt === null ? null : { knownAt, sources, definitionHash: hashFeatureView(view), complete };
}

function nothingYet(view: AnyFeatureView): Omit<ViewRunResult, 'ms'> {
  return { view: view.name, status: 'unchanged', version: null, rowsComputed: 0, rowsWritten: 0, filesAdded: 0, knownAt: null, lookups: [] };
}

/** The sources a view reads: its own, then its lookups'. */
function readsOf(view: AnyFeatureView): Source[] {
  return [view.source, ...view.lookups.map((l) => l.source)];
}

/** The view sources and lookup sources, each once, in first-use order. */
function sourcesOf(views: readonly AnyFeatureView[]): Source[] {
  const byName = new Map<string, Source>();
  for (const view of views) for (const source of readsOf(view)) if (!byName.has(source.name)) byName.set(source.name, source);
  return [...byName.values()];
}
