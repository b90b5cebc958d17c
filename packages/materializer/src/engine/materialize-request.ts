import type { AnyFeatureView, OfflineStore, OnlineStore, Source, SourceConnector } from '@asof/core';
import type { AffectedEntities } from './affected/affected-entities.js';
import type { LookupSummary } from './compute/lookup-tally.js';
import type { Logger } from './logger.js';
import type { MirrorAppend } from './mirror/mirror-append.js';
import type { ExtractMode } from './mirror/mirror-source.js';
import type { PublishResult } from './publish/publish-online.js';
import type { SourceCheck } from './source-identity/check.js';

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
  /**
   * After the commits, publish each online view that did not fail to this
   * online store (opened then; `null`: no online store), as of the instant
   * `at()` gives then (the caller's clock picks which precomputed change
   * point is current). Default: no publish.
   */
  readonly publish?: { readonly online: () => Promise<OnlineStore | null>; readonly at: () => bigint };
  /** Where the run reports what it did (source check, mirrors, publishes); default silent. */
  readonly logger?: Logger;
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
  /** The entities the run recomputed (`null` when it computed nothing). */
  readonly affected?: AffectedEntities | null;
  /** What the online publish wrote (with `publish`, for an online view that did not fail). */
  readonly published?: PublishResult;
  readonly error?: Error;
}

/** A whole run: the sources mirrored, then every view. */
export interface MaterializationResult {
  /** The source check made before extracting: recorded, matched, updated or re-based. */
  readonly identity: Omit<SourceCheck, 'extracted'>;
  /** What each source's extract added to its mirror (versions, deletes), in extract order. */
  readonly sources: readonly MirrorAppend[];
  readonly views: readonly ViewRunResult[];
  /** The greatest knowledge time of the run's views. */
  readonly knownAt: bigint | null;
}
