import path from 'node:path';
import { AsofError, type LeaseStore, type OnlineStore, type Registry, type SourceConnector } from '@asof/core';
import {
  DynamoDbOnlineStore,
  LmdbOnlineStore,
  commitCoordinatorFromUrl,
  openLeaseStore,
  openOfflineStore,
  type DynamoDbCommitCoordinator,
  type ObjectOfflineStore,
} from '@asof/stores';
import { localEndpointCredentials } from './local-credentials.js';
import { loadDefinitions } from './definitions-loader.js';
import type { Logger } from './logger.js';
import type { PipelinePort } from './pipeline-port.js';
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
  readonly s3Endpoint: string | undefined;
  readonly commitCoordinator: string | undefined;
  readonly dynamodbEndpoint: string | undefined;
  readonly sourceUrl?: string | undefined;
  readonly online?: string | undefined;
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
    now: settings.now,
    print: (text) => void settings.stdout.write(`${text}\n`),
    coordinator() {
      if (coordinator === undefined) {
        coordinator = settings.commitCoordinator ? commitCoordinatorFromUrl(settings.commitCoordinator, dynamoDbConnection(settings)) : null;
      }
      return coordinator;
    },
    async store() {
      store ??= openOfflineStore({
        root: settings.root.startsWith('s3://') || settings.root.startsWith('file://') ? settings.root : path.resolve(settings.cwd, settings.root),
        coordinator: ctx.coordinator() ?? undefined,
        ...(settings.s3Endpoint ? { s3: { endpoint: settings.s3Endpoint, forcePathStyle: true, ...localEndpointCredentials() } } : {}),
      });
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
  const spec = settings.online ?? (settings.root.startsWith('s3://') ? 'none' : `lmdb:${path.join(localRoot(settings), '_online')}`);
  if (spec === 'none') return null;
  if (spec.startsWith('lmdb:')) return new LmdbOnlineStore({ path: path.resolve(settings.cwd, spec.slice('lmdb:'.length)) });
  const table = /^dynamodb:\/\/([A-Za-z0-9_.-]{3,255})$/.exec(spec)?.[1];
  if (table) return new DynamoDbOnlineStore({ tableName: table, ...dynamoDbConnection(settings) });
  throw new AsofError('CONFIG', `--online ${JSON.stringify(spec)} is not lmdb:<dir>, dynamodb://<table> or none`);
}

function localRoot(settings: ContextSettings): string {
  return settings.root.startsWith('file://') ? new URL(settings.root).pathname : path.resolve(settings.cwd, settings.root);
}

/**
 * DynamoDB settings from the flags. A custom endpoint (DynamoDB Local)
 * accepts any credentials; when the environment has none, placeholder ones
 * are used so the SDK does not fail looking for an AWS profile.
 */
function dynamoDbConnection(settings: ContextSettings): { endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } {
  return settings.dynamodbEndpoint ? { endpoint: settings.dynamodbEndpoint, ...localEndpointCredentials() } : {};
}
