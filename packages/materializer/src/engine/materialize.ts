import { hashFeatureView, type AnyFeatureView, type OfflineSnapshot, type OfflineStore, type Source } from '@asof/core';
import type { Table } from 'apache-arrow';
import { batchCapture, type BatchCaptureSource } from './capture/batch-capture.js';
import type { VersionReader } from './compute/compute-view.js';
import { contentVersion, type ViewBasis } from './compute/view-basis.js';
import { silentLogger } from './logger.js';
import type { MaterializationRequest, MaterializationResult, ViewRunResult } from './materialize-request.js';
import { applyUnit, type AppliedUnit } from './mirror/apply-unit.js';
import { mirrorName, positionOf, readMirror, watermarkOf } from './mirror/mirror-read.js';
import { publishViews } from './publish/publish-views.js';
import { logMirrors, logSourceCheck } from './run-log.js';
import { checkSourceIdentity } from './source-identity/check.js';
import { materializeView, type ViewOutcome } from './view-run.js';

export type { MaterializationRequest, MaterializationResult, ViewRunResult } from './materialize-request.js';
export { readView, rowCount, withTombstones } from './view-rows.js';

/**
 * One materialization run, composed of the engine's stages
 * (docs/design/engine.md): check the source is the root's, capture every
 * source the views read inside one consistent snapshot (a batch extract),
 * append what it found to the mirrors (versions, and the deletes a full
 * read implies) and pin one snapshot of each, then per view decide the
 * affected entities, compute their rows as of the view's knowledge time
 * (the greatest version time in its sources' mirrors) and commit what
 * differs from the visible rows as a commit that may only become the
 * view's next version, so runs racing on one root leave what one run
 * leaves; finally publish online. Running it again with the same source
 * data appends nothing; nothing depends on the wall clock.
 */
export async function materialize(request: MaterializationRequest): Promise<MaterializationResult> {
  const { store, views, signal } = request;
  const logger = request.logger ?? silentLogger;
  const viewSources = sourcesOf(views);
  const sources = [...viewSources, ...(request.extraSources ?? []).filter((s) => !viewSources.some((r) => r.name === s.name))];
  // Before any row is read: the root's source, or a typed refusal (docs/design/materializer.md, "Source identity").
  const identity = await checkSourceIdentity({ store, connector: request.connector, sources, rebase: request.rebaseSource === true, signal });
  const { extracted: _, ...check } = identity;
  logSourceCheck(check, request.rebaseSource === true, logger);

  const plan: BatchCaptureSource[] = [];
  for (const source of sources) {
    const position = positionOf(await store.snapshot(mirrorName(source), { signal }));
    plan.push({ source, mode: identity.fullRead.includes(source.name) ? 'full' : request.mode, position });
  }
  const capture = batchCapture(request.connector, plan, { overlapMs: request.overlapMs, batchSize: request.batchSize });
  let applied: AppliedUnit | null = null;
  await capture.run(
    async (unit) => {
      applied = await applyUnit(store, unit, { pin: viewSources, signal, onProgress: (name, rows) => request.onProgress?.('extract', name, rows) });
    },
    { signal },
  );
  const mirrored = applied as AppliedUnit | null;
  if (!mirrored) throw new Error('the batch capture ended without a unit'); // a batch extract always yields one
  await identity.extracted();
  logMirrors(mirrored.sources, logger);

  const read = versionReader(store, mirrored.snapshots, signal);
  const results: ViewRunResult[] = [];
  let knownAt: bigint | null = null;
  for (const [i, view] of views.entries()) {
    const started = performance.now();
    const basis = basisOf(view, mirrored.snapshots, request.interval === undefined);
    if (basis && (knownAt === null || basis.knownAt > knownAt)) knownAt = basis.knownAt;
    try {
      const outcome: ViewOutcome | null = basis
        ? await materializeView({
            store,
            view,
            basis,
            mirror: mirrored.snapshots.get(view.source.name)!,
            read,
            appended: mirrored.sources,
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
  const published = request.publish ? await publishViews(store, views, results, request.publish, { logger, signal }) : results;
  return { identity: check, sources: mirrored.sources, views: published, knownAt };
}

/** Reads a source's versions from its pinned mirror (up to its watermark), once per run. */
function versionReader(store: OfflineStore, pins: ReadonlyMap<string, OfflineSnapshot>, signal?: AbortSignal): VersionReader {
  const cache = new Map<string, Promise<Table | null>>();
  return (source) => {
    let versions = cache.get(source.name);
    if (!versions) {
      const pin = pins.get(source.name)!;
      cache.set(source.name, (versions = readMirror(store, source, { snapshot: pin, upTo: watermarkOf(pin) ?? undefined, signal })));
    }
    return versions;
  };
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
