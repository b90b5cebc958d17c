import type { OnlineTimelineWriteResult, OnlineWriteStatus } from '@asof/core';
import { ATTR } from './item-codec.js';
import type { TimelineItems } from './timeline-items.js';
import type { KeyTimeline } from './write-plan.js';

/** Per key (`statuses` one per key), what a timeline write did: written and stale keys, and of the written ones, the split and the shortened. */
export function timelineResult(keys: readonly KeyTimeline[], statuses: readonly (OnlineWriteStatus | undefined)[], stored: readonly TimelineItems[]): OnlineTimelineWriteResult {
  const written = statuses.filter((s) => s === 'written').length;
  return {
    written,
    stale: keys.length - written,
    split: stored.filter((s) => s.parts.length > 0).length,
    shortened: stored.filter((s) => s.shortened).map((s) => ({ key: (s.head[ATTR.key] as { S: string }).S, horizonEnd: s.horizonEnd })),
  };
}
