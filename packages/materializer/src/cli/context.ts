import {
  AsofError,
  type AdapterKind,
  type AdapterRegistry,
  type CommitCoordinator,
  type LeaseStore,
  type ObjectRoot,
  type OnlineStore,
  type Registry,
  type SourceConnector,
} from '@asof/core';
import {
  defaultOnlineSpec,
  offlineStoreAt,
  openCommitCoordinator,
  openLeaseStore,
  openObjectRoot,
  openOnlineStore,
  type AdapterSettings,
  type ObjectOfflineStore,
  type StoreSettings,
} from '@asof/stores';
import { materializerAdapters } from '../adapters/adapters.js';
import { loadDefinitions } from './definitions-loader.js';
import type { Logger } from '../engine/logger.js';
import type { PipelinePort } from '../engine/pipeline-port.js';
import type { ProgressReporter } from './progress.js';
import { readRegistry, type StoredRegistry } from './registry-file.js';

/** Something text can be written to (process.stdout, a test buffer). */
export interface TextSink {
  write(text: string): unknown;
}

/**
 * What a command runs with. Everything that does I/O is lazy, so `help`
 * and usage errors never touch the store, and a command that needs no
 * definitions never imports them.
 */
export interface CommandContext {
  /** The command's name, for messages. */
  readonly command: string;
  /** Structured logs on stderr. */
  readonly logger: Logger;
  /** Bars on a terminal, rate-limited `progress` records otherwise. */
  readonly progress: ProgressReporter;
  /** Results (summary tables) go here; logs and progress go to stderr. */
  readonly stdout: TextSink;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
  /** `--root` or `$ASOF_ROOT`; empty only for commands that need no root. */
  readonly root: string;
  /** Relative paths (`--definitions`, a relative root) resolve against this. */
  readonly cwd: string;
  readonly verbose: boolean;
  /** The materialization pipeline, or `null` while it is not plugged in. */
  readonly pipeline: PipelinePort | null;
  /** Whether `--definitions` was given. */
  readonly hasDefinitions: boolean;
  /** Where the stores are: S3 and DynamoDB connections, coordinator and online store (flags over the environment). */
  readonly stores: StoreSettings;
  /** `--source` or `$ASOF_SOURCE_URL`, if given. */
  readonly sourceUrl: string | undefined;
  now(): Date;
  /** Writes `text` and a newline to stdout. */
  print(text: string): void;
  /** Opens the offline store at the root (once). */
  store(): Promise<ObjectOfflineStore>;
  /** The commit coordinator named by `--commit-coordinator`, opened once, or `null`. */
  coordinator(): Promise<CommitCoordinator | null>;
  /** Opens another object root (an export's `--to`) with the same adapters and connections; `what` names it in errors. */
  objectRoot(url: string, what: string): Promise<ObjectRoot>;
  /** Loads `--definitions` (once) into a validated registry; a `CONFIG` error if the flag is missing. */
  definitions(): Promise<Registry>;
  /** The registry last applied to the root, or `null`. */
  appliedRegistry(): Promise<StoredRegistry | null>;
  /** Releases what the command opened (the source's connections); called once, when the command ends. */
  close(): Promise<void>;
  /**
   * The online store named by `--online` (`lmdb:<dir>`, `dynamodb://<table>`
   * with `--dynamodb-endpoint`, or `none`), opened once; by default the
   * embedded LMDB store in `<root>/_online` for a local root, none for S3.
   */
  online(): Promise<OnlineStore | null>;
  /** The source connector named by `--source` (a MySQL URL), opened once; a `CONFIG` error if none is given. */
  source(): Promise<SourceConnector>;
  /** The lease store of the root: the coordinator's if it holds leases (DynamoDB), else `<root>/_locks/`. */
  leases(): Promise<LeaseStore>;
}

/** Resolved settings {@link createContext} builds a context from. */
export interface ContextSettings {
  readonly command: string;
  readonly root: string;
  readonly definitions: string | undefined;
  /** From `readStoreSettings` (flags over `ASOF_*` variables). */
  readonly stores: StoreSettings;
  readonly sourceUrl?: string | undefined;
  readonly verbose: boolean;
  readonly cwd: string;
  readonly logger: Logger;
  readonly progress: ProgressReporter;
  readonly stdout: TextSink;
  readonly signal: AbortSignal;
  readonly pipeline: PipelinePort | null;
  readonly now: () => Date;
  /** What opens URLs (default: {@link materializerAdapters}, the stores' adapters and the sources'). */
  readonly adapters?: AdapterRegistry<AdapterSettings>;
}

/**
 * Builds a {@link CommandContext} whose I/O happens on first use: one of
 * the two composition roots (with `FeatureStore.open`). Every backend is
 * opened here, by URL through the adapter registry, so a command loads
 * only the client libraries of the backends it touches.
 */
export function createContext(settings: ContextSettings): CommandContext {
  const adapters = settings.adapters ?? materializerAdapters;
  const connections = { ...settings.stores, cwd: settings.cwd };
  let root: Promise<ObjectRoot> | undefined;
  let coordinator: Promise<CommitCoordinator | null> | undefined;
  let store: Promise<ObjectOfflineStore> | undefined;
  let definitions: Promise<Registry> | undefined;
  let leases: Promise<LeaseStore> | undefined;
  let source: Promise<SourceConnector> | undefined;
  let online: Promise<OnlineStore | null> | undefined;
  // Which S3 or DynamoDB a URL means is never silent: an unset endpoint means AWS itself.
  const logConnection = (kind: AdapterKind, url: string, message: string, fields: Record<string, string>) => {
    const connection = adapters.resolve(kind, url).describeConnection?.(connections);
    if (connection) settings.logger.info(message, { ...fields, ...connection });
  };
  const rootOf = () => {
    root ??= openObjectRoot(settings.root, connections, { what: 'offline store root', adapters });
    return root;
  };
  const ctx: CommandContext = {
    command: settings.command,
    logger: settings.logger,
    progress: settings.progress,
    stdout: settings.stdout,
    signal: settings.signal,
    root: settings.root,
    cwd: settings.cwd,
    verbose: settings.verbose,
    pipeline: settings.pipeline,
    hasDefinitions: settings.definitions !== undefined,
    stores: settings.stores,
    sourceUrl: settings.sourceUrl,
    now: settings.now,
    print: (text) => void settings.stdout.write(`${text}\n`),
    coordinator() {
      coordinator ??= openCommitCoordinator(connections, { adapters }).then((opened) => {
        if (opened) logConnection('coordinator', settings.stores.commitCoordinator!, 'commit coordinator', { coordinator: opened.describe() });
        return opened;
      });
      return coordinator;
    },
    store() {
      store ??= (async () => {
        const opened = offlineStoreAt(await rootOf(), { coordinator: await ctx.coordinator() });
        logConnection('objects', settings.root, 'offline store', { root: settings.root });
        return opened;
      })();
      return store;
    },
    async objectRoot(url, what) {
      const opened = await openObjectRoot(url, connections, { what, adapters });
      logConnection('objects', url, what, { location: opened.location });
      return opened;
    },
    definitions() {
      if (settings.definitions === undefined) {
        return Promise.reject(new AsofError('CONFIG', `${settings.command} needs --definitions <module>`));
      }
      definitions ??= loadDefinitions(settings.definitions, settings.cwd);
      return definitions;
    },
    async appliedRegistry() {
      return readRegistry((await ctx.store()).objects, { signal: settings.signal });
    },
    async close() {
      const [openedSource, openedOnline] = [source, online];
      source = undefined;
      online = undefined;
      if (openedSource) await (await openedSource.catch(() => null))?.close();
      if (openedOnline) await (await openedOnline.catch(() => null))?.close();
    },
    online() {
      online ??= (async () => {
        // By default the embedded LMDB store in <root>/_online for a local root, none for S3.
        const spec = settings.stores.online ?? defaultOnlineSpec(await rootOf());
        const opened = await openOnlineStore(spec, connections, { adapters });
        if (opened) logConnection('online', spec, 'online store', { online: opened.describe() });
        return opened;
      })();
      return online;
    },
    source() {
      if (!settings.sourceUrl) {
        return Promise.reject(new AsofError('CONFIG', `${settings.command} needs the source database: --source mysql://user:pass@host:port/db (or set ASOF_SOURCE_URL)`));
      }
      // Opened on first use, so commands that read no source never load its driver.
      source ??= adapters.open('source', settings.sourceUrl, connections, { what: 'source' });
      return source;
    },
    leases() {
      leases ??= Promise.all([ctx.store(), ctx.coordinator()]).then(([s, c]) => openLeaseStore({ objects: s.objects, coordinator: c, signal: settings.signal }));
      return leases;
    },
  };
  return ctx;
}
