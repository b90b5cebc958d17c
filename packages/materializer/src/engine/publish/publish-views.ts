import type { AnyFeatureView, OfflineStore, OnlineStore } from '@asof/core';
import type { Logger } from '../logger.js';
import type { ViewRunResult } from '../materialize-request.js';
import { publishOnline } from './publish-online.js';

/**
 * The publish stage of a run: opens the online store, then for each
 * online view whose run did not fail writes the row each affected entity
 * shows at `at()` (read once the store is open: the caller's clock).
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
    options.logger.info('published online', { view: view.name, online: online.describe(), entities: published.entities, written: published.written });
    out[i] = { ...run, published };
  }
  return out;
}
