import type { Table } from 'apache-arrow';
import {
  AsofError,
  tableToRows,
  toEpochMicros,
  type CommitCoordinator,
  type DataFileEntry,
  type OfflineStore,
  type OnlineStore,
  type Registry,
  type TimeInput,
} from '@asof/core';
import { openCommitCoordinator, openOfflineStore, readRegistry, readStoreSettings, registryLocation, type Environment, type OpenOfflineStoreOptions } from '@asof/stores';
import { DEFAULT_TIME_COLUMN, toSpine, type EntitiesInput } from './entities.js';
import { FeatureTable } from './feature-table.js';
import { DEFAULT_MAX_ROWS_IN_MEMORY, retrieveFeatures } from './historical.js';
import { lookupOnline, openOnline, type DynamoDbConnection, type OnlineFeatures, type OnlineOption } from './online.js';
import { planKeys, planViews, type ViewRequest } from './plan.js';
import { allEntities, compareSnapshots, featuresAt } from './snapshot.js';
import type { CompareRow, FeatureInput, FeatureKeys, FeatureStatuses, FeatureValues, HistoricalRow, SnapshotRow } from './types.js';

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
}

/** What {@link FeatureStore.getHistoricalFeatures} takes. */
export interface HistoricalRequest<E, F extends readonly FeatureInput[], T extends string> extends ReadOptions {
  /** One row per (entity, time) to look up: a table, rows, or a Parquet file path. */
  readonly entities: readonly E[] | Table | string;
  readonly features: F;
  /** The entities' time column (default `event_timestamp`). */
  readonly timeColumn?: T;
  /** Answer as the store knew it at this instant (`created_ts <= asKnownAt`). */
  readonly asKnownAt?: TimeInput;
}

/** What {@link FeatureStore.asOf} takes. */
export interface AsOfRequest<F extends readonly FeatureInput[]> extends ReadOptions {
  readonly features: F;
  /** Entities (join key columns) to show; default: every entity the views have a row for by then. */
  readonly entities?: readonly Readonly<Record<string, unknown>>[] | Table | string;
  readonly asKnownAt?: TimeInput;
}

/** What {@link FeatureStore.compare} takes. */
export interface CompareRequest<F extends readonly FeatureInput[]> extends ReadOptions {
  readonly features: F;
  readonly entities?: readonly Readonly<Record<string, unknown>>[] | Table | string;
  /** Keep entities where nothing changed too (default: only changed ones). */
  readonly all?: boolean;
}

/** What {@link FeatureStore.getOnlineFeatures} takes. */
export interface OnlineRequest<F extends readonly FeatureInput[]> {
  readonly features: F;
  readonly entities: readonly Readonly<Record<string, unknown>>[] | Table;
  /** The instant the TTL is evaluated at (default: now). */
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

  /** A store over parts already open (tests, custom backends); prefer {@link FeatureStore.open}. */
  constructor(parts: { registry: Registry; offline: OfflineStore; online?: OnlineStore | null }) {
    this.registry = parts.registry;
    this.offline = parts.offline;
    this.online = parts.online ?? null;
  }

  /** Opens the store at `root` (or `ASOF_ROOT`) and reads its registry; throws if `asof apply` never ran there. */
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
    const coordinator = options.coordinator ?? openCommitCoordinator({ commitCoordinator: settings.commitCoordinator, dynamodb }) ?? undefined;
    const offline = openOfflineStore({ root, s3, coordinator });
    const stored = await readRegistry(offline.objects, { signal: options.signal });
    if (!stored) {
      throw new AsofError(
        'CONFIG',
        `no feature definitions at ${registryLocation(offline.objects)}: run asof apply --root ${root} --definitions <file> first (or asof demo --root ${root})`,
      );
    }
    const online = typeof options.online === 'object' ? options.online : settings.online;
    return new FeatureStore({ registry: stored.registry, offline, online: openOnline(online, root, dynamodb) });
  }

  /**
   * A training set: for each entity row `(keys, t)`, each feature as it was
   * at `t` (DESIGN §3: the row with the greatest `event_ts <= t` within the
   * view's TTL, tombstones and `asKnownAt` respected). One output row per
   * entity row, in order; the entity columns, then the features.
   */
  async getHistoricalFeatures<const F extends readonly FeatureInput[], E extends object = Record<string, unknown>, T extends string = 'event_timestamp'>(
    request: HistoricalRequest<E, F, T>,
  ): Promise<FeatureTable<HistoricalRow<E, F, T>>> {
    const timeColumn = request.timeColumn ?? DEFAULT_TIME_COLUMN;
    const resolved = this.registry.resolveFeatures(request.features);
    const keys = planKeys(planViews(resolved));
    const spine = await toSpine(request.entities as EntitiesInput, keys, timeColumn);
    const views = planViews(resolved, spine.schema.fields.map((f) => f.name));
    const table = await retrieveFeatures(this.offline, spine, views, { ...this.#readOptions(request), timeColumn });
    return new FeatureTable(table);
  }

  /**
   * A snapshot: every entity (or the given ones) with each feature as it
   * was at `t`, or as the store knew it at `asKnownAt`. With `asKnownAt = t`
   * it reproduces what an online model saw at `t`.
   */
  async asOf<const F extends readonly FeatureInput[]>(t: TimeInput, request: AsOfRequest<F>): Promise<FeatureTable<SnapshotRow<F>>> {
    const at = toEpochMicros(t);
    const asKnownAt = request.asKnownAt === undefined ? null : toEpochMicros(request.asKnownAt);
    const { spine, views } = await this.#entities(request, at, asKnownAt);
    return new FeatureTable(await featuresAt(this.offline, spine, views, at, { ...this.#readOptions(request), asKnownAt }));
  }

  /**
   * What changed between `t1` and `t2`: per entity, each feature at both
   * times and whether it changed (`name__t1`, `name__t2`, `name__changed`);
   * only entities with a change unless `all`.
   */
  async compare<const F extends readonly FeatureInput[]>(t1: TimeInput, t2: TimeInput, request: CompareRequest<F>): Promise<FeatureTable<CompareRow<F>>> {
    const [a, b] = [toEpochMicros(t1), toEpochMicros(t2)];
    const { spine, views } = await this.#entities(request, a > b ? a : b, null);
    const options = { ...this.#readOptions(request), asKnownAt: null };
    const before = await featuresAt(this.offline, spine, views, a, options);
    const after = await featuresAt(this.offline, spine, views, b, options);
    return new FeatureTable(compareSnapshots(spine, before, after, views, request.all ?? false));
  }

  /** The latest values from the online store, typed, with a status per feature (`present`, `missing`, `expired`). */
  async getOnlineFeatures<const F extends readonly FeatureInput[]>(
    request: OnlineRequest<F>,
  ): Promise<OnlineFeatures<Flatten<FeatureKeys<F> & FeatureValues<F>>, FeatureStatuses<F>>> {
    if (!this.online) {
      throw new AsofError('CONFIG', 'this FeatureStore has no online store: pass { online: \'lmdb:<dir>\' | \'dynamodb://<table>\' } to FeatureStore.open');
    }
    const resolved = this.registry.resolveFeatures(request.features);
    const keys = planKeys(planViews(resolved));
    const entities = tableToRows(await toSpine(request.entities as EntitiesInput, keys, null));
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

  async #entities(request: AsOfRequest<readonly FeatureInput[]>, at: bigint, asKnownAt: bigint | null): Promise<{ spine: Table; views: ViewRequest[] }> {
    const resolved = this.registry.resolveFeatures(request.features);
    const keys = planKeys(planViews(resolved));
    const spine =
      request.entities === undefined
        ? await allEntities(this.offline, planViews(resolved), keys, at, asKnownAt, { signal: request.signal })
        : await toSpine(request.entities as EntitiesInput, keys, null);
    return { spine, views: planViews(resolved, spine.schema.fields.map((f) => f.name)) };
  }

  #readOptions(request: ReadOptions & { asKnownAt?: TimeInput }) {
    return {
      asKnownAt: request.asKnownAt === undefined ? null : toEpochMicros(request.asKnownAt),
      maxRowsInMemory: request.maxRowsInMemory ?? DEFAULT_MAX_ROWS_IN_MEMORY,
      signal: request.signal,
      onFileOpened: request.onFileOpened,
    };
  }
}

type Flatten<T> = { [K in keyof T]: T[K] };

/** The options' fields that are set (an explicit `undefined` does not erase a value from the environment). */
function defined<T extends object>(options: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
}
