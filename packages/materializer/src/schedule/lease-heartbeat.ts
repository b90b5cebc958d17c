import { LeaseLostError, type Lease, type LeaseStore } from '@asof/core';
import { silentLogger, type Logger } from '../engine/logger.js';
import { systemClock, type Clock } from './clock.js';

/** Options of {@link LeaseHeartbeat}. */
export interface LeaseHeartbeatOptions {
  readonly store: LeaseStore;
  /** The leases to keep, as acquired. */
  readonly leases: readonly Lease[];
  readonly ttlMs: number;
  /** Renew this often (default a third of the TTL, so two renewals can fail before a lease expires). */
  readonly intervalMs?: number;
  /** Called once per lease that is lost; the holder must stop the work it covers. */
  readonly onLost: (error: LeaseLostError) => void;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * Keeps leases alive while a run lasts: renews each one every interval
 * and, at the end, releases them. A renewal that fails on I/O is retried at
 * the next beat; once a lease's own expiry passes without a successful
 * renewal (or the store says another holder has it), it is reported lost
 * through `onLost`, since another process may now take it.
 */
export class LeaseHeartbeat {
  private readonly held = new Map<string, Lease>();
  private readonly stopping = new AbortController();
  private readonly loop: Promise<void>;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly options: LeaseHeartbeatOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    for (const lease of options.leases) this.held.set(lease.name, lease);
    this.loop = this.beat();
  }

  /** The leases still held (renewed versions). */
  leases(): Lease[] {
    return [...this.held.values()];
  }

  /** Stops renewing and releases every lease still held. Never throws: a lease not released expires on its own. */
  async stopAndRelease(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await Promise.all(
      this.leases().map((lease) =>
        this.options.store.release(lease).catch((error: unknown) => {
          this.logger.warn('lease release failed; it expires on its own', { lease: lease.name, expiresAt: lease.expiresAt, error });
        }),
      ),
    );
    this.held.clear();
  }

  private async beat(): Promise<void> {
    const interval = this.options.intervalMs ?? Math.max(1, Math.floor(this.options.ttlMs / 3));
    const signal = this.stopping.signal;
    while (!signal.aborted && this.held.size > 0) {
      await this.clock.sleep(interval, signal);
      if (signal.aborted) return;
      await Promise.all(this.leases().map((lease) => this.renew(lease)));
    }
  }

  private async renew(lease: Lease): Promise<void> {
    try {
      const renewed = await this.options.store.renew(lease, this.options.ttlMs);
      if (this.held.has(lease.name)) this.held.set(lease.name, renewed);
      this.logger.debug('lease renewed', { lease: lease.name, expiresAt: renewed.expiresAt });
    } catch (error) {
      if (error instanceof LeaseLostError) return this.lose(error);
      if (this.clock.now() > Date.parse(lease.expiresAt)) {
        return this.lose(new LeaseLostError(lease.name, `renewals failed until it expired at ${lease.expiresAt} (last: ${(error as Error).message})`));
      }
      this.logger.warn('lease renewal failed; retrying at the next beat', { lease: lease.name, expiresAt: lease.expiresAt, error });
    }
  }

  private lose(error: LeaseLostError): void {
    if (!this.held.delete(error.lease)) return;
    this.logger.error('lease lost', { lease: error.lease, error });
    this.options.onLost(error);
  }
}
