import path from 'node:path';
import { AsofError, type LeaseStore, type OnlineStore, type Registry, type SourceConnector } from '@asof/core';
import {
  DynamoDbOnlineStore,
  describeConnection,
  openCommitCoordinator,
  openLeaseStore,
  openOfflineStore,
  openOnlineStore,
  type DynamoDbCommitCoordinator,
  type ObjectOfflineStore,
  type StoreSettings,
} from '@asof/stores';
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
  /** The commit coordinator named by `--commit-coordinator`, or `null`. */
  coordinator(): DynamoDbCommitCoordinator | null;
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
  /** The lease store of the root: the coordinator's DynamoDB table if one is configured, else `<root>/_locks/`. */
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
}

/** Builds a {@link CommandContext} whose I/O happens on first use. */
export function createContext(settings: ContextSettings): CommandContext {
  let coordinator: DynamoDbCommitCoordinator | null | undefined;
  let store: ObjectOfflineStore | undefined;
  let definitions: Promise<Registry> | undefined;
  let leases: Promise<LeaseStore> | undefined;
  let source: Promise<SourceConnector> | undefined;
  let online: Promise<OnlineStore | null> | undefined;
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
      if (coordinator === undefined) {
        coordinator = openCommitCoordinator(settings.stores);
        if (coordinator) settings.logger.info('commit coordinator', { coordinator: coordinator.describe(), dynamodb: describeConnection(settings.stores.dynamodb) });
      }
      return coordinator;
    },
    async store() {
      if (!store) {
        const s3 = settings.root.startsWith('s3://');
        store = openOfflineStore({
          root: s3 || settings.root.startsWith('file://') ? settings.root : path.resolve(settings.cwd, settings.root),
          coordinator: ctx.coordinator() ?? undefined,
          s3: settings.stores.s3,
        });
        // Which S3 a root means is never silent: an unset endpoint means AWS itself.
        if (s3) settings.logger.info('offline store', { root: settings.root, s3: describeConnection(settings.stores.s3) });
      }
      return store;
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
      online ??= openOnline(settings);
      return online;
    },
    source() {
      if (!settings.sourceUrl) {
        return Promise.reject(new AsofError('CONFIG', `${settings.command} needs the source database: --source mysql://user:pass@host:port/db (or set ASOF_SOURCE_URL)`));
      }
      // Imported on first use, so commands that read no source never load the MySQL driver.
      source ??= import('../adapters/mysql/index.js').then(({ MySqlConnector }) => new MySqlConnector({ url: settings.sourceUrl }));
      return source;
    },
    leases() {
      leases ??= ctx.store().then((s) => openLeaseStore({ objects: s.objects, coordinator: ctx.coordinator(), signal: settings.signal }));
      return leases;
    },
  };
  return ctx;
}

async function openOnline(settings: ContextSettings): Promise<OnlineStore | null> {
  const spec = settings.stores.online ?? (settings.root.startsWith('s3://') ? 'none' : `lmdb:${path.join(localRoot(settings), '_online')}`);
  const online = openOnlineStore(spec, settings.stores, { cwd: settings.cwd });
  if (online instanceof DynamoDbOnlineStore) settings.logger.info('online store', { online: online.describe(), dynamodb: describeConnection(settings.stores.dynamodb) });
  return online;
}

function localRoot(settings: ContextSettings): string {
  return settings.root.startsWith('file://') ? new URL(settings.root).pathname : path.resolve(settings.cwd, settings.root);
}
