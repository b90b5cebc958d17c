import type { AnyFeatureView, OfflineStore, OnlineStore } from '@asof/core';
import type { Logger } from '../logger.js';
import type { ViewRunResult } from '../materialize-request.js';
import { publishOnline } from './publish-online.js';

/**
 * The publish stage of a run: opens the online store, then for each
 * online view whose run did not fail writes each affected entity's
 * timeline from `at()` (read once the store is open: the caller's clock)
 * to the view's horizon.
 * Returns the results with what each publish did.
 */
export async function publishViews(
  store: OfflineStore,
  views: readonly AnyFeatureView[],
  results: readonly ViewRunResult[],
  target: { readonly online: () => Promise<OnlineStore | null>; readonly at: () => bigint },
  options: { readonly logger: Logger; readonly signal?: AbortSignal },
): Promise<ViewRunResult[]> {
  const online = await target.online();
  if (!online) return [...results];
  const at = target.at();
  const out = [...results];
  for (const view of views) {
    const i = out.findIndex((r) => r.view === view.name);
    const run = out[i];
    if (!view.online || !run || run.status === 'failed') continue;
    const published = await publishOnline(store, online, view, at, { signal: options.signal, affected: run.affected ?? undefined });
    options.logger.info('published online', {
      view: view.name,
      online: online.describe(),
      entities: published.entities,
      written: published.written,
      split: published.split,
      horizonEnd: published.horizonEnd,
    });
    if (published.shortened.length > 0) {
      // Never a failed write: these entities read `stale` from their shorter horizon on until the next publish.
      options.logger.warn('online timelines too large even split: served with a shorter horizon', {
        view: view.name,
        entities: published.shortened.length,
        keys: published.shortened.slice(0, 5),
        horizonEnd: published.horizonEnd,
      });
    }
    out[i] = { ...run, published };
  }
  return out;
}
