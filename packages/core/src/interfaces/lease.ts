import type { IoOptions } from './object-store.js';

/**
 * Leases: time-bounded exclusive locks by name, so that two scheduled runs of
 * one feature view never overlap, even across processes and machines. A
 * holder that crashes cannot block others forever: its lease expires after
 * its TTL unless it is renewed (a heartbeat) before then.
 *
 * A lease is advisory and clock-based: holders must renew well before the
 * TTL ends (asof renews every third of it) and stop working once a renewal
 * fails; clocks of the processes sharing a lease store must agree to within
 * a small part of the TTL. Correctness of the data never rests on a lease:
 * every offline commit is atomic on its own, so a lease only prevents
 * wasted, competing work.
 */
export interface LeaseStore {
  /** A human-readable location for messages, e.g. `dynamodb://asof-commits` or `/data/asof/_locks`. */
  describe(): string;

  /**
   * Takes the lease `name` for `ttlMs` if nobody holds it, its holder
   * released it, or its holder's lease expired. Among concurrent callers at
   * most one gets a lease; the others get `null`. A holder that calls again
   * while holding gets `null` too (leases are not re-entrant).
   */
  acquire(name: string, holder: string, ttlMs: number, options?: IoOptions): Promise<Lease | null>;

  /**
   * Extends a held lease to `ttlMs` from now and returns the new lease (use
   * it for the next renewal and for release). Throws `LeaseLostError` if the
   * lease is no longer this holder's: another holder took it after it
   * expired, or it was released. A lease that expired but was not taken yet
   * is renewed.
   */
  renew(lease: Lease, ttlMs: number, options?: IoOptions): Promise<Lease>;

  /** Gives the lease up so another holder can take it at once. A lease already lost is left alone (no error). */
  release(lease: Lease, options?: IoOptions): Promise<void>;

  /** The current, unexpired, unreleased lease of `name`, or `null`: for status displays and tests. */
  current(name: string, options?: IoOptions): Promise<Lease | null>;
}

/** A lease as held (returned by {@link LeaseStore.acquire} and {@link LeaseStore.renew}). */
export interface Lease {
  /** What is locked, e.g. a feature view name. */
  readonly name: string;
  /** Who holds it: a stable id per process, e.g. `host:pid:random`. */
  readonly holder: string;
  /**
   * Identifies this grant of the lease (a generation number or a random
   * id); renewals and releases are conditioned on it, so a holder whose
   * lease was taken over cannot renew or release the new holder's.
   */
  readonly token: string;
  /** ISO-8601 UTC time the holder first acquired the lease (kept across renewals). */
  readonly acquiredAt: string;
  /** ISO-8601 UTC time the lease ends unless renewed. */
  readonly expiresAt: string;
}
