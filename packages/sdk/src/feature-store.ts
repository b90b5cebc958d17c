import type { Table } from 'apache-arrow';
import {
  AsofError,
  InvalidInputError,
  readMicrosColumn,
  tableToRows,
  toEpochMicros,
  type CommitCoordinator,
  type DataFileEntry,
  type OfflineSnapshot,
  type OfflineStore,
  type OnlineStore,
  type Registry,
  type TimeInput,
} from '@asof/core';
import {
  defaultOnlineSpec,
  offlineStoreAt,
  openCommitCoordinator,
  openObjectRoot,
  openOnlineStore,
  readRegistry,
  readStoreSettings,
  registryLocation,
  viewCoverage,
  type DynamoDbConnection,
  type Environment,
  type OpenOfflineStoreOptions,
} from '@asof/stores';
import { DEFAULT_TIME_COLUMN, toSpine, type EntitiesInput } from './entities.js';
import { FeatureTable } from './feature-table.js';
import { Freshness, viewFreshness } from './freshness.js';
import { retrieveFeatures } from './historical.js';
import { lookupOnline, type OnlineFeatures, type OnlineOption } from './online.js';
import { planKeyEntities, planKeys, planViews, type ViewRequest } from './plan.js';
import { longComparison } from './compare-long.js';
import { checkCoverage, readContext, readSnapshots, type ReadContext } from './read-context.js';
import { allEntities, compareSnapshots, featureChanges, featuresAt } from './snapshot.js';
import type { CompareLongRow, CompareRow, FeatureInput, FeatureKeys, FeatureStatuses, FeatureValues, HistoricalRow, SnapshotRow } from './types.js';

/** Options of {@link FeatureStore.open}. */
/**
 * Options of {@link FeatureStore.open}. Each falls back to the variable the
 * `asof` CLI reads (the same settings module): `ASOF_ROOT`,
 * `ASOF_S3_ENDPOINT`, `ASOF_DYNAMODB_ENDPOINT`, `ASOF_COMMIT_COORDINATOR`,
 * `ASOF_ONLINE`; an option given here wins over its variable.
 */
export interface FeatureStoreOptions {
  /** The store root `asof apply` and `asof materialize` wrote: a directory, `file:///…` or `s3://bucket/prefix` (default `ASOF_ROOT`). */
  readonly root?: string;
  /** An online store, `lmdb:<dir>`, `dynamodb://<table>` or `none`. Default: `ASOF_ONLINE`, else `<root>/_online` (LMDB) if it exists. */
  readonly online?: OnlineOption;
  /** Connection to S3 or an S3-compatible server, for `s3://` roots (default endpoint `ASOF_S3_ENDPOINT`, else AWS). */
  readonly s3?: OpenOfflineStoreOptions['s3'];
  /** The commit coordinator the writers of this root use (default `ASOF_COMMIT_COORDINATOR`); reads see its claimed commits. */
  readonly coordinator?: CommitCoordinator;
  /** How to reach DynamoDB for `dynamodb://` online stores and coordinators (default endpoint `ASOF_DYNAMODB_ENDPOINT`, else AWS). */
  readonly dynamodb?: DynamoDbConnection;
  /** Default of every read's `strict`: raise a `CoverageError` instead of warning when an answer reaches past what the store computed. */
  readonly strict?: boolean;
  /** Where the `ASOF_*` variables are read from (default `process.env`). */
  readonly env?: Environment;
  readonly signal?: AbortSignal;
}

/** Options shared by every offline read. */
export interface ReadOptions {
  /** Bound on spine plus feature rows held at once per view (default 2,000,000); results do not depend on it. */
  readonly maxRowsInMemory?: number;
  readonly signal?: AbortSignal;
  /** Called before each Parquet file is opened (progress, checks of file pruning). */
  readonly onFileOpened?: (view: string, file: DataFileEntry) => void;
  /**
   * Times outside every interval a view was materialized over, or after the
   * knowledge time it is complete to, warn (`process.emitWarning`, code
   * `ASOF_OUTSIDE_COMPUTED_RANGE` or `ASOF_PAST_KNOWLEDGE_TIME`, and the
   * result's `warnings`); with `strict` they raise a `CoverageError`.
   * Default: the store's `strict` (false).
   */
  readonly strict?: boolean;
  /**
   * Answers after a view's knowledge time are expected, as for a "now"
   * query (they assume no source change since): neither warn nor, under
   * `strict`, raise for them. Times outside every computed interval still do.
   */
  readonly acceptPastKnowledgeTime?: boolean;
}

/**
 * Bi-temporal time travel: which of the store's knowledge to answer from.
 * Both may be combined; each names its clock.
 */
export interface TimeTravelOptions {
  /**
   * The source's clock: only rows with `created_ts <= asKnownAt`. A run
   * writes its rows with `created_ts` = its knowledge time (the greatest
   * source version time, `updated_at`, it had extracted), so this answers
   * what the runs that had seen source changes up to `asKnownAt` computed:
   * a backfill run today over data last updated in 2025 counts as known in
   * 2025. It is not when the store learned the rows (see `asOfCommitTime`).
   */
  readonly asKnownAt?: TimeInput;
  /**
   * The store's clock: read each view as its commit log stood at this
   * wall-clock instant (the last commit with `committedAt <= asOfCommitTime`,
   * stamped by the writer's clock), so a training set can be reproduced as
   * of a past run. Before a view's first commit the view has nothing: its
   * features are null and the call warns (or raises under `strict`).
   */
  readonly asOfCommitTime?: TimeInput;
}

/** What {@link FeatureStore.getHistoricalFeatures} takes. */
export interface HistoricalRequest<E, F extends readonly FeatureInput[], T extends string> extends ReadOptions, TimeTravelOptions {
  /** One row per (entity, time) to look up: a table, rows, or a Parquet file path. */
  readonly entities: readonly E[] | Table | string;
  readonly features: F;
  /** The entities' time column (default `event_timestamp`). */
  readonly timeColumn?: T;
}

/** What {@link FeatureStore.asOf} takes. */
export interface AsOfRequest<F extends readonly FeatureInput[]> extends ReadOptions, TimeTravelOptions {
  readonly features: F;
  /** Entities (join key columns) to show; default: every entity the views have a row for by then. */
  readonly entities?: readonly Readonly<Record<string, unknown>>[] | Table | string;
}

/** What {@link FeatureStore.compare} takes. */
export interface CompareRequest<F extends readonly FeatureInput[]> extends ReadOptions, TimeTravelOptions {
  readonly features: F;
  readonly entities?: readonly Readonly<Record<string, unknown>>[] | Table | string;
  /** Keep entities where nothing changed too (default: only changed ones); wide format only. */
  readonly all?: boolean;
  /**
   * `'wide'` (default): one row per entity, `name__t1`, `name__t2`,
   * `name__changed` per feature. `'long'`: one row per (entity, feature)
   * that changed, with `feature`, `before`, `after` and `change`.
   */
  readonly format?: 'wide' | 'long';
}

/** What {@link FeatureStore.getOnlineFeatures} takes. */
export interface OnlineRequest<F extends readonly FeatureInput[]> {
  readonly features: F;
  readonly entities: readonly Readonly<Record<string, unknown>>[] | Table;
  /**
   * The instant read (default: now). Any instant up to the horizon of the
   * last publish (7 days past it unless the view says otherwise) is the
   * exact offline answer then; a later one reads `stale`.
   */
  readonly at?: TimeInput;
  readonly signal?: AbortSignal;
}

/**
 * A feature store as a notebook sees it: the registry `asof apply` wrote,
 * the offline store (training sets, snapshots at any time, comparisons)
 * and the online store (latest values). Features are `'view:feature'`
 * strings, `'view:*'`, service names, or refs and views from the imported
 * definitions, which type the result rows.
 */
export class FeatureStore {
  /** The applied definitions. */
  readonly registry: Registry;
  readonly offline: OfflineStore;
  /** `null` when no online store was given or found. */
  readonly online: OnlineStore | null;
  /** Whether reads raise instead of warning past what the store computed, unless a call says otherwise. */
  readonly strict: boolean;

  /** A store over parts already open (tests, custom backends); prefer {@link FeatureStore.open}. */
  constructor(parts: { registry: Registry; offline: OfflineStore; online?: OnlineStore | null; strict?: boolean }) {
    this.registry = parts.registry;
    this.offline = parts.offline;
    this.online = parts.online ?? null;
    this.strict = parts.strict ?? false;
  }

  /**
   * Opens the store at `root` (or `ASOF_ROOT`) and reads its registry;
   * throws if `asof apply` never ran there. One of the two composition
   * roots (with the CLI's context): the offline store, its coordinator and
   * the online store are opened here, by URL through the adapter registry,
   * so a local root loads no AWS client.
   */
  static async open(options: FeatureStoreOptions = {}): Promise<FeatureStore> {
    const settings = readStoreSettings(
      {
        root: options.root,
        s3Endpoint: options.s3?.endpoint,
        dynamodbEndpoint: options.dynamodb?.endpoint,
        online: typeof options.online === 'string' ? options.online : undefined,
      },
      options.env ?? process.env,
    );
    const root = settings.root;
    if (root === undefined) throw new AsofError('CONFIG', 'FeatureStore.open needs a root: pass { root: <dir|s3://bucket/prefix> } or set ASOF_ROOT');
    // Explicit connection options win field by field over what the environment gave.
    const s3 = { ...settings.s3, ...defined(options.s3) };
    const dynamodb = { ...settings.dynamodb, ...defined(options.dynamodb) };
    const coordinator = options.coordinator ?? (await openCommitCoordinator({ commitCoordinator: settings.commitCoordinator, dynamodb }));
    const at = await openObjectRoot(root, { s3 }, { what: 'offline store root' });
    const offline = offlineStoreAt(at, { coordinator });
    const stored = await readRegistry(offline.objects, { signal: options.signal });
    if (!stored) {
      throw new AsofError(
        'CONFIG',
        `no feature definitions at ${registryLocation(offline.objects)}: run asof apply --root ${root} --definitions <file> first (or asof demo --root ${root})`,
      );
    }
    // By default the embedded store the CLI writes (<root>/_online) if it is there; a reader never creates it.
    const online = typeof options.online === 'object' ? options.online : await openOnlineStore(settings.online ?? defaultOnlineSpec(at, { onlyIfExists: true }), { dynamodb });
    return new FeatureStore({ registry: stored.registry, offline, online, strict: options.strict ?? false });
  }

  /**
   * A training set: for each entity row `(keys, t)`, each feature as it was
   * at `t` (DESIGN §3: the row with the greatest `event_ts <= t` within the
   * view's TTL, tombstones, `asKnownAt` and `asOfCommitTime` respected). One
   * output row per entity row, in order; the entity columns, then the
   * features. Keys must fit their entity's type and every row needs a time.
   * Rows past what a view was computed over are counted in `warnings`.
   */
  async getHistoricalFeatures<const F extends readonly FeatureInput[], E extends object = Record<string, unknown>, T extends string = 'event_timestamp'>(
    request: HistoricalRequest<E, F, T>,
  ): Promise<FeatureTable<HistoricalRow<E, F, T>>> {
    const timeColumn = request.timeColumn ?? DEFAULT_TIME_COLUMN;
    const resolved = this.registry.resolveFeatures(request.features);
    const keys = planKeys(planViews(resolved));
    const spine = await toSpine(request.entities as EntitiesInput, keys, timeColumn, planKeyEntities(planViews(resolved)));
    const views = planViews(resolved, spine.schema.fields.map((f) => f.name));
    const context = readContext(request, this.strict);
    const snapshots = await readSnapshots(this.offline, views, context);
    const warnings = await checkCoverage(this.offline, views, snapshots, { rows: readMicrosColumn(spine, timeColumn).micros }, context);
    const table = await retrieveFeatures(this.offline, spine, views, { ...this.#readOptions(context), timeColumn, snapshots });
    return new FeatureTable(table, warnings);
  }

  /**
   * A snapshot: every entity (or the given ones) with each feature as it
   * was at `t`, or as the store knew it at `asKnownAt` (the source's clock)
   * or held it at `asOfCommitTime` (the store's clock). To reproduce what a
   * model saw at wall-clock instant `t`, pass `asOfCommitTime: t`;
   * `asKnownAt: t` also admits rows that later runs computed from source
   * changes up to `t` (see {@link TimeTravelOptions}).
   */
  async asOf<const F extends readonly FeatureInput[]>(t: TimeInput, request: AsOfRequest<F>): Promise<FeatureTable<SnapshotRow<F>>> {
    const at = toEpochMicros(t);
    const context = readContext(request, this.strict);
    const { spine, views, snapshots } = await this.#entities(request, at, context);
    const warnings = await checkCoverage(this.offline, views, snapshots, { instants: [{ label: 'asOf', at }] }, context);
    return new FeatureTable(await featuresAt(this.offline, spine, views, at, { ...this.#readOptions(context), snapshots }), warnings);
  }

  /**
   * What changed between `t1` and `t2`, only entities with a change (unless
   * `all`). Wide (default): per entity, each feature at both times and
   * whether it changed (`name__t1`, `name__t2`, `name__changed`). Long
   * (`format: 'long'`): one row per (entity, feature) that changed, with
   * `feature`, `before`, `after` and `change` (the difference for numbers,
   * else `added`, `removed` or `changed`; see the README). Both sides read
   * the same snapshots, with the same `asKnownAt` and `asOfCommitTime`.
   */
  compare<const F extends readonly FeatureInput[]>(
    t1: TimeInput,
    t2: TimeInput,
    request: CompareRequest<F> & { readonly format: 'long' },
  ): Promise<FeatureTable<CompareLongRow<F>>>;
  compare<const F extends readonly FeatureInput[]>(
    t1: TimeInput,
    t2: TimeInput,
    request: CompareRequest<F> & { readonly format?: 'wide' },
  ): Promise<FeatureTable<CompareRow<F>>>;
  async compare(t1: TimeInput, t2: TimeInput, request: CompareRequest<readonly FeatureInput[]>): Promise<FeatureTable<unknown>> {
    const format = request.format ?? 'wide';
    if (format !== 'wide' && format !== 'long') throw new InvalidInputError(`compare: format must be 'wide' or 'long', got ${JSON.stringify(format)}`);
    if (format === 'long' && request.all) throw new InvalidInputError("compare: { all: true } applies to the wide format; the long format lists only what changed");
    const [a, b] = [toEpochMicros(t1), toEpochMicros(t2)];
    const context = readContext(request, this.strict);
    const { spine, views, snapshots } = await this.#entities(request, a > b ? a : b, context);
    const instants = [{ label: 't1', at: a }, { label: 't2', at: b }];
    const warnings = await checkCoverage(this.offline, views, snapshots, { instants }, context);
    const options = { ...this.#readOptions(context), snapshots };
    const before = await featuresAt(this.offline, spine, views, a, options);
    const after = await featuresAt(this.offline, spine, views, b, options);
    const changes = featureChanges(before, after, views);
    if (format === 'wide') return new FeatureTable(compareSnapshots(spine, changes, request.all ?? false), warnings);
    const dtypes = new Map(views.flatMap((v) => v.names.map((name, i) => [name, v.dtypes[v.features[i]!]!] as const)));
    return new FeatureTable(longComparison(spine, changes, dtypes), warnings);
  }

  /**
   * How fresh each view is, from its commit log: its version and commit
   * time (the store's clock), the knowledge time it is complete to (the
   * source's clock), the event-time ranges it was computed over, and
   * whether that is all of time. Prints as a table.
   */
  async freshness(options: { readonly asOfCommitTime?: TimeInput; readonly asKnownAt?: TimeInput; readonly signal?: AbortSignal } = {}): Promise<Freshness> {
    const context = readContext(options, this.strict);
    const views = this.registry.listFeatureViews().map((view) => ({ view }));
    const snapshots = await readSnapshots(this.offline, views, context);
    return new Freshness([...snapshots.values()].map((s) => viewFreshness(s, viewCoverage(s, { asKnownAt: context.asKnownAt }))));
  }

  /**
   * Values from the online store at `at` (default now), typed, with a
   * status per feature: `present`, `missing`, `expired`, or `stale` when
   * `at` is past what the last publish stored (the value is then null,
   * never an old one). One batched read per view, the views in parallel.
   */
  async getOnlineFeatures<const F extends readonly FeatureInput[]>(
    request: OnlineRequest<F>,
  ): Promise<OnlineFeatures<Flatten<FeatureKeys<F> & FeatureValues<F>>, FeatureStatuses<F>>> {
    if (!this.online) {
      throw new AsofError('CONFIG', 'this FeatureStore has no online store: pass { online: \'lmdb:<dir>\' | \'dynamodb://<table>\' } to FeatureStore.open');
    }
    const resolved = this.registry.resolveFeatures(request.features);
    const keys = planKeys(planViews(resolved));
    const entities = tableToRows(await toSpine(request.entities as EntitiesInput, keys, null, planKeyEntities(planViews(resolved))));
    const result = await lookupOnline(this.online, planViews(resolved, Object.keys(entities[0] ?? keys)), keys, entities, request);
    return result as unknown as OnlineFeatures<Flatten<FeatureKeys<F> & FeatureValues<F>>, FeatureStatuses<F>>;
  }

  /** Closes the online store (the offline store holds nothing open). */
  async close(): Promise<void> {
    await this.online?.close();
  }

  /** `FeatureStore(<root>, N views)` in logs. */
  toString(): string {
    return `FeatureStore(${this.offline.describe()}, ${this.registry.listFeatureViews().length} views${this.online ? `, online ${this.online.describe()}` : ''})`;
  }

  async #entities(
    request: AsOfRequest<readonly FeatureInput[]>,
    at: bigint,
    context: ReadContext,
  ): Promise<{ spine: Table; views: ViewRequest[]; snapshots: Map<string, OfflineSnapshot> }> {
    const resolved = this.registry.resolveFeatures(request.features);
    const keys = planKeys(planViews(resolved));
    const given = request.entities === undefined ? null : await toSpine(request.entities as EntitiesInput, keys, null, planKeyEntities(planViews(resolved)));
    const snapshots = await readSnapshots(this.offline, planViews(resolved), context);
    const spine = given ?? (await allEntities(this.offline, planViews(resolved), keys, at, context.asKnownAt, { signal: request.signal, snapshots }));
    return { spine, views: planViews(resolved, spine.schema.fields.map((f) => f.name)), snapshots };
  }

  #readOptions(context: ReadContext) {
    return { asKnownAt: context.asKnownAt, maxRowsInMemory: context.maxRowsInMemory, signal: context.signal, onFileOpened: context.onFileOpened };
  }
}

type Flatten<T> = { [K in keyof T]: T[K] };

/** The options' fields that are set (an explicit `undefined` does not erase a value from the environment). */
function defined<T extends object>(options: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
}
