/** A pooled mysql2 connection lent to one snapshot. */
import type { PoolConnection } from 'mysql2/promise';
import type { StreamConnection } from './batch-stream.js';

/** A pooled connection that may have to be dropped instead of returned. */
export class ConnectionLease {
  #destroyed = false;
  constructor(readonly connection: PoolConnection) {}

  /** mysql2's callback connection underneath the promise wrapper (streaming needs its events). */
  get core(): StreamConnection & { readonly threadId: number; destroy(): void } {
    return this.connection.connection as unknown as StreamConnection & { readonly threadId: number; destroy(): void };
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Closes the connection and takes it out of the pool. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.core.destroy();
  }

  /** Returns the connection to the pool, unless it was destroyed. */
  release(): void {
    if (!this.#destroyed) this.connection.release();
  }
}
