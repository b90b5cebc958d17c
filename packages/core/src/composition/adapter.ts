/**
 * Adapters as the composition roots see them: one descriptor per adapter
 * folder (`s3`, `dynamodb`, `lmdb`, `mysql`, …) saying which URL schemes it
 * takes and what it opens from them. A descriptor holds no client library:
 * its openers parse the URL and then load the implementation with a lazy
 * `import()`, so a process that never opens an S3 root never loads an AWS
 * client. No I/O here.
 */
import type { CommitCoordinator, ObjectStore } from '../interfaces/object-store.js';
import type { OnlineStore } from '../interfaces/online-store.js';
import type { SourceConnector } from '../interfaces/source.js';

/** An object store opened at a root: what an offline store or a finance export is built on. */
export interface ObjectRoot {
  readonly objects: ObjectStore;
  /** The root as engines address it (`/abs/dir`, `s3://bucket/prefix`); commit claims are keyed by it. */
  readonly location: string;
  /** `trusted`: the store enforces put-if-absent (a local file system); `probe`: checked before the first commit. */
  readonly putIfAbsent: 'trusted' | 'probe';
  /** The root's directory for a root on this machine (embedded defaults such as `<root>/_online` live there); `null` elsewhere. */
  readonly directory: string | null;
}

/** What each kind of adapter opens. */
export interface AdapterKinds {
  /** An object root: the offline store's root, a finance export's target. */
  readonly objects: ObjectRoot;
  /** An online store. */
  readonly online: OnlineStore;
  /** A commit coordinator (and, if it has `leases()`, the leases). */
  readonly coordinator: CommitCoordinator;
  /** A source the materializer extracts from. */
  readonly source: SourceConnector;
}

/** `objects`, `online`, `coordinator` or `source`. */
export type AdapterKind = keyof AdapterKinds;

/** How an adapter opens one kind. */
export interface AdapterOpener<K extends AdapterKind, S> {
  /** The address forms messages list, e.g. `['dynamodb://<table>']` or `['a directory', 'file:///…']`. */
  readonly forms: readonly string[];
  /**
   * Opens `url` (one of the adapter's schemes): parses it (a malformed URL
   * is an error naming it), then loads the implementation with a lazy
   * `import()`. Talks to no service: the first request does.
   */
  open(url: string, settings: S): Promise<AdapterKinds[K]>;
  /**
   * Capability of adapters with nothing to load first (a local directory,
   * Node's `fs` only): opens at once, so synchronous APIs such as
   * `openOfflineStore` can take their URLs. Others omit it.
   */
  openNow?(url: string, settings: S): AdapterKinds[K];
}

/** One adapter: a registry line. `S` is the settings its openers read (connections, the working directory). */
export interface AdapterDescriptor<S = unknown> {
  /** Short name for messages and logs: `s3`, `dynamodb`, `mysql`. */
  readonly name: string;
  /** URL schemes, lowercase, without the colon (`s3`, `dynamodb`); `''` takes plain paths (`./store`, `/data/asof`). */
  readonly schemes: readonly string[];
  /** What it opens, per kind. */
  readonly kinds: { readonly [K in AdapterKind]?: AdapterOpener<K, S> };
  /** Where its requests go, as log fields (`{ s3: 'endpoint http://… (from ASOF_S3_ENDPOINT)' }`); never credentials. */
  readonly describeConnection?: (settings: S) => Readonly<Record<string, string>>;
}
