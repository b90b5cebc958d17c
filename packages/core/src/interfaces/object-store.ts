/**
 * The storage the offline store is built on: a flat namespace of immutable
 * byte objects (S3, a local directory, ...), plus an optional coordinator
 * for stores that cannot create an object only if it is absent.
 *
 * Keys are `/`-separated relative paths (`views/v/_log/00000000000000000001.json`);
 * an implementation maps them under its own root (a directory, a bucket prefix).
 */

import type { LeaseStore } from './lease.js';

/** Cancellation for any I/O call. */
export interface IoOptions {
  readonly signal?: AbortSignal;
}

/** One object as listed. */
export interface ObjectInfo {
  /** Key relative to the store's root. */
  readonly key: string;
  /** Size in bytes. */
  readonly size: number;
  /** When the object was last written (server clock). */
  readonly lastModified: Date;
}

/** A blob store with the one conditional write a commit log needs. */
export interface ObjectStore {
  /** A human-readable location for messages, e.g. `s3://bucket/prefix` or `/data/asof`. */
  describe(): string;

  /** The whole object, or `null` if there is no object at `key`. */
  get(key: string, options?: IoOptions): Promise<Uint8Array | null>;

  /**
   * Bytes `[start, end)` of an object (clamped to its size), or `null` if it
   * does not exist. Optional: callers fall back to {@link get}.
   */
  getRange?(key: string, start: number, end: number, options?: IoOptions): Promise<Uint8Array | null>;

  /**
   * Writes (or overwrites) an object. Atomic: a reader sees the old object,
   * no object, or all of the new bytes, never a part.
   */
  put(key: string, bytes: Uint8Array, options?: IoOptions): Promise<void>;

  /**
   * Creates the object only if no object exists at `key`: `true` if this
   * call created it, `false` if one already existed (and was left as is).
   * Atomic like {@link put}. Some S3-compatible servers silently ignore the
   * condition; check with a probe before relying on it.
   */
  putIfAbsent(key: string, bytes: Uint8Array, options?: IoOptions): Promise<boolean>;

  /** Every object whose key starts with `prefix` (recursively), in no particular order. */
  list(prefix: string, options?: IoOptions): AsyncIterable<ObjectInfo>;

  /** Deletes objects; keys that do not exist are ignored. */
  delete(keys: readonly string[], options?: IoOptions): Promise<void>;

  /**
   * Capability of stores kept in a container that may not exist yet (an S3
   * bucket): creates it if it is missing and resolves to what it created,
   * for the user (`S3 bucket 'b' at http://…`), or `null` if it was there.
   * Stores without such a container (a local directory) omit it.
   */
  createContainer?(options?: IoOptions): Promise<string | null>;
}

/**
 * Serialises commits for object stores that cannot enforce put-if-absent
 * (most S3-compatible servers): one conditional create per (table, version)
 * in a store that does enforce it (DynamoDB).
 */
export interface CommitCoordinator {
  /** A human-readable location for messages, e.g. `dynamodb://asof-commits`. */
  describe(): string;

  /**
   * Capability of coordinators that can also hold leases (DynamoDB: in the
   * same table): the lease store of one root, its leases kept apart from
   * other roots' by `scope` (the root's location). Coordinators that
   * cannot omit it; leases then live in the object store.
   */
  leases?(scope: string, options?: { readonly now?: () => number }): LeaseStore;

  /**
   * Capability of coordinators backed by a resource that may not exist yet
   * (a DynamoDB table): creates it if missing. Idempotent; `asof apply`
   * calls it so a misconfigured root fails there, not in the first run.
   */
  provision?(options?: IoOptions): Promise<void>;

  /**
   * Claims `version` of `table` for this writer: `true` if this call created
   * the claim, `false` if the version was already claimed (by anyone,
   * including an earlier attempt of this writer). `payload` is stored with
   * the claim, so a reader can finish a commit whose writer died after
   * claiming.
   */
  claim(table: string, version: number, payload: string, options?: IoOptions): Promise<boolean>;

  /** The payload stored with a claim, or `null` if `version` is unclaimed. */
  read(table: string, version: number, options?: IoOptions): Promise<string | null>;
}
