import type { CommitOperation, ObjectStore, OfflineStore, OnlineStore, Registry, SourceConnector } from '@asof/core';
import type { LookupSummary } from './compute/lookup-tally.js';
import type { Logger } from './logger.js';

/**
 * What the CLI needs from the materialization pipeline: the commands
 * `materialize`, `materialize-incremental`, `schedule` and `demo` parse and
 * check their flags, open the store, load the registry and then call one of
 * these. The pipeline never reads flags, environment or stdout itself, so it
 * runs the same under the CLI, a test or a worker.
 *
 * Every method returns one summary per view it was asked for, in request
 * order, also for views that failed (status `failed`, with `error`): one
 * view's failure does not stop the others unless the signal is aborted. It
 * rejects only for failures of the whole run (e.g. the source is unreachable
 * before any view starts) or when `hooks.signal` is aborted.
 */
export interface PipelinePort {
  /**
   * Backfill: extracts the sources in full, recomputes each view and
   * appends, as one commit per view, the rows with `event_ts` in
   * `[start, end)` that differ from what the view shows now, so re-running
   * an interval changes nothing visible and never duplicates rows.
   */
  materialize(request: MaterializeRequest, hooks: RunHooks): Promise<RunSummary[]>;

  /**
   * Picks each view up from its last committed watermark (with the
   * source's overlap, so late rows are not lost) and commits what changed.
   */
  materializeIncremental(request: IncrementalRequest, hooks: RunHooks): Promise<RunSummary[]>;

  /**
   * Generates the TRS example at a small scale and materializes it with
   * embedded defaults into `request.root` (`pnpm demo`, `asof demo --root <dir>`).
   */
  demo(request: DemoRequest, hooks: RunHooks): Promise<RunSummary[]>;

  /**
   * Loads the TRS example into a MySQL database at a chosen scale (`asof
   * example load`), so a real source can be materialized from.
   */
  loadExample(request: ExampleLoadRequest, hooks: RunHooks): Promise<ExampleLoadSummary>;
}

/** What every run works on, resolved by the CLI. */
export interface PipelineTarget {
  /** The offline store at `--root` (with `--s3-endpoint` and `--commit-coordinator` applied). */
  readonly store: OfflineStore;
  /**
   * The definitions: loaded from `--definitions` (transforms executable),
   * else the applied `<root>/registry.json`. The CLI has checked that every
   * requested view matches the applied registry's hash.
   */
  readonly registry: Registry;
  /** Feature view names, validated against `registry`, without duplicates. */
  readonly views: readonly string[];
  /** Opens the source the views are extracted from (`--source`); lazy, so a bad flag fails only when a run needs it. */
  readonly source: () => Promise<SourceConnector>;
  /** The online store runs publish to (`--online`), or `null`. */
  readonly online: () => Promise<OnlineStore | null>;
  /** The instant a run publishes online (the command's clock): which precomputed change point is current. */
  readonly publishAt: () => bigint;
  /**
   * `--rebase-source`: the source is not the one the root records but holds
   * the same data at a new address; re-base the root on it and read every
   * mirrored source in full once (docs/design/materializer.md, "Source identity").
   */
  readonly rebaseSource?: boolean;
}

/** A backfill of `[start, end)` in epoch µs (UTC). */
export interface MaterializeRequest extends PipelineTarget {
  readonly start: bigint;
  readonly end: bigint;
}

/** An incremental run from each view's last watermark. */
export type IncrementalRequest = PipelineTarget;

/** The demo's target directory (or `s3://` root) and the store opened on it. */
export interface DemoRequest {
  readonly root: string;
  readonly store: OfflineStore;
  /** The object store under the root (the demo applies its registry there, as `asof apply` would). */
  readonly objects: ObjectStore;
  /** Writes a result (e.g. a sample of the features) to the command's output. */
  readonly print: (text: string) => void;
  /** The online store to publish to, or `null`. */
  readonly online: () => Promise<OnlineStore | null>;
}

/** What `asof example load` asks for. */
export interface ExampleLoadRequest {
  /** The database to load into (`--source` or `ASOF_SOURCE_URL`); created if it does not exist. */
  readonly sourceUrl: string;
  /** 1 is 1M invoices (about 4.8M line items); 0.001 is the demo's size. */
  readonly scale: number;
  /** The generator's seed: the same seed and scale always give the same data. */
  readonly seed: number;
  /** The instant the database shows (epoch µs); `null`: the end of the example's history. */
  readonly asOf: bigint | null;
  /** Drop the example's tables first if they exist; without it, existing tables are an error. */
  readonly replace: boolean;
}

/** What `asof example load` loaded. */
export interface ExampleLoadSummary {
  /** The database, as a URL without its password. */
  readonly database: string;
  /** The instant the data shows, ISO-8601. */
  readonly asOf: string;
  /** Whether the database had to be created. */
  readonly createdDatabase: boolean;
  readonly tables: readonly { readonly table: string; readonly rows: number }[];
  readonly ms: number;
}

/** What the CLI gives a run to report through and be stopped by. */
export interface RunHooks {
  /** Structured logs; bind `view` with `logger.child({ view })`. */
  readonly logger: Logger;
  /**
   * Progress of one view: `done` of `total` units (`total` unknown: omit).
   * Cheap to call often: the CLI rate-limits drawing.
   */
  readonly progress: (view: string, done: number, total: number | undefined, unit: string) => void;
  /** Aborted on Ctrl-C, or when a scheduled run's lease is lost (`signal.reason` says which). */
  readonly signal: AbortSignal;
}

/** How one view's run ended. */
export interface RunSummary {
  readonly view: string;
  /** The operation committed (runs append what changed), or attempted. */
  readonly operation: CommitOperation;
  /** The version committed (for `unchanged`, a commit without files that recorded the new knowledge time); `null` when nothing was committed. */
  readonly version: number | null;
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly filesAdded: number;
  readonly filesRemoved: number;
  /** The source watermark the view is now at (any JSON value), `null` if none. */
  readonly watermark: unknown;
  /** Wall time of this view's run. */
  readonly ms: number;
  /** `unchanged`: the view already showed what the run computed. */
  readonly status: 'committed' | 'unchanged' | 'failed';
  /**
   * Per lookup of the view, how this run found its rows: at their time, from
   * the dimension's earliest known version, or not at all (DESIGN §3: rows
   * priced before a dimension's history are counted, never silent). Empty
   * or absent when the view was not recomputed.
   */
  readonly lookups?: readonly LookupSummary[];
  /** Why it failed (status `failed`); a `ConcurrentCommitError` (code `COMMIT_CONFLICT`) when another run committed the view first from newer source data. */
  readonly error?: Error;
}
