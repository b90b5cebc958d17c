import { InvalidInputError, LeaseLostError, type IoOptions, type Lease, type LeaseStore, type ObjectStore } from '@asof/core';
import { assertLeaseName, assertTtl, isExpired } from './lease-checks.js';

/** Options of {@link ObjectLeaseStore}. */
export interface ObjectLeaseStoreOptions {
  /** Key prefix of the leases under the store's root (default `_locks/`). */
  readonly prefix?: string;
  /** The clock in epoch ms (default `Date.now`); tests move it to expire leases. */
  readonly now?: () => number;
}

/** One generation object, as stored. */
interface LeaseRecord {
  readonly format: 'asof-lease';
  readonly name: string;
  readonly holder: string;
  readonly generation: number;
  readonly acquiredAt: string;
  readonly expiresAt: string;
  /** A release is a generation too, so generations only ever grow. */
  readonly released: boolean;
}

/** Reads that lose to a concurrent cleanup are retried this often before giving up. */
const MAX_READ_ATTEMPTS = 10;

/**
 * A {@link LeaseStore} on an {@link ObjectStore} that enforces put-if-absent
 * (a local directory, AWS S3): never on an endpoint that ignores it.
 *
 * Each state change of a lease (acquire, renew, release) creates the next
 * generation object `<prefix><name>/<20-digit generation>.json` with
 * put-if-absent, based on the generation it read; the highest generation is
 * the lease's state. Two processes that race from the same generation
 * (two takers of an expired lease, or a late renewal against a taker) both
 * try to create the same key, so exactly one wins. Objects are never
 * overwritten, which is what makes the takeover race-free; a delete followed
 * by a create would not be.
 *
 * Older generations are deleted after each change. A creator that read a
 * generation long ago could then re-create a deleted, lower key, so every
 * successful create is verified by listing: a generation that is not the
 * highest gives the lease to nobody and is removed again. The highest
 * generation is never deleted, so numbers never restart.
 */
export class ObjectLeaseStore implements LeaseStore {
  private readonly prefix: string;
  private readonly now: () => number;

  constructor(
    private readonly objects: ObjectStore,
    options: ObjectLeaseStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? '_locks/';
    if (!this.prefix.endsWith('/')) throw new InvalidInputError(`lease prefix must end with '/', got ${JSON.stringify(this.prefix)}`);
    this.now = options.now ?? Date.now;
  }

  describe(): string {
    // An S3 store describes itself as `s3://b/p (endpoint …)`: the prefix goes before the parenthesis.
    const [, location = '', detail = ''] = /^(.*?)( \(.*\))?$/.exec(this.objects.describe()) ?? [];
    return `${location.replace(/\/$/, '')}/${this.prefix}${detail}`;
  }

  async acquire(name: string, holder: string, ttlMs: number, options?: IoOptions): Promise<Lease | null> {
    assertTtl(ttlMs);
    const { generation, record } = await this.latest(name, options);
    const now = this.now();
    if (record && !record.released && !isExpired(Date.parse(record.expiresAt), now)) return null;
    const next = this.record(name, holder, generation + 1, new Date(now).toISOString(), now + ttlMs, false);
    return (await this.create(next, options)) ? toLease(next) : null;
  }

  async renew(lease: Lease, ttlMs: number, options?: IoOptions): Promise<Lease> {
    assertTtl(ttlMs);
    const base = Number(lease.token);
    const { generation, record } = await this.latest(lease.name, options);
    if (generation !== base || !record || record.holder !== lease.holder) {
      throw new LeaseLostError(lease.name, `${describeHolder(record)} holds generation ${generation}, this holder had ${base}`);
    }
    if (record.released) throw new LeaseLostError(lease.name, 'it was released');
    const next = this.record(lease.name, lease.holder, base + 1, lease.acquiredAt, this.now() + ttlMs, false);
    if (!(await this.create(next, options))) throw new LeaseLostError(lease.name, 'another holder took it over while it was being renewed');
    return toLease(next);
  }

  async release(lease: Lease, options?: IoOptions): Promise<void> {
    const { generation, record } = await this.latest(lease.name, options);
    if (generation !== Number(lease.token) || !record || record.released || record.holder !== lease.holder) return;
    const now = this.now();
    // Losing this race means someone took the lease after it expired: it is not ours to release anyway.
    await this.create(this.record(lease.name, lease.holder, generation + 1, lease.acquiredAt, now, true), options);
  }

  async current(name: string, options?: IoOptions): Promise<Lease | null> {
    const { record } = await this.latest(name, options);
    return record && !record.released && !isExpired(Date.parse(record.expiresAt), this.now()) ? toLease(record) : null;
  }

  /** The highest generation and its record (`0`, `null` when the lease was never taken). */
  private async latest(name: string, options?: IoOptions): Promise<{ generation: number; record: LeaseRecord | null }> {
    assertLeaseName(name);
    for (let attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
      const generations = await this.generations(name, options);
      const generation = generations.at(-1) ?? 0;
      if (generation === 0) return { generation, record: null };
      const bytes = await this.objects.get(this.key(name, generation), options);
      // Gone: a newer generation was created and this one cleaned up between list and get; look again.
      if (bytes) return { generation, record: parseRecord(bytes, this.key(name, generation)) };
    }
    throw new InvalidInputError(`lease '${name}' changed ${MAX_READ_ATTEMPTS} times while being read; too much contention`);
  }

  /** Creates a generation object; `true` if it is now the lease's state. */
  private async create(record: LeaseRecord, options?: IoOptions): Promise<boolean> {
    const key = this.key(record.name, record.generation);
    if (!(await this.objects.putIfAbsent(key, new TextEncoder().encode(JSON.stringify(record)), options))) return false;
    const generations = await this.generations(record.name, options);
    const highest = generations.at(-1) ?? 0;
    if (highest !== record.generation) {
      // A stale creator re-made a cleaned-up, lower generation: it confers nothing.
      await this.objects.delete([key]).catch(() => undefined);
      return false;
    }
    const older = generations.filter((g) => g < record.generation).map((g) => this.key(record.name, g));
    if (older.length > 0) await this.objects.delete(older).catch(() => undefined); // garbage only; a later change retries
    return true;
  }

  /** Generation numbers present, ascending. */
  private async generations(name: string, options?: IoOptions): Promise<number[]> {
    const dir = `${this.prefix}${name}/`;
    const out: number[] = [];
    for await (const info of this.objects.list(dir, options)) {
      const m = /^(\d{20})\.json$/.exec(info.key.slice(dir.length));
      if (m) out.push(Number(m[1]));
    }
    return out.sort((a, b) => a - b);
  }

  private key(name: string, generation: number): string {
    return `${this.prefix}${name}/${String(generation).padStart(20, '0')}.json`;
  }

  private record(name: string, holder: string, generation: number, acquiredAt: string, expiresAtMs: number, released: boolean): LeaseRecord {
    return { format: 'asof-lease', name, holder, generation, acquiredAt, expiresAt: new Date(expiresAtMs).toISOString(), released };
  }
}

function toLease(record: LeaseRecord): Lease {
  return Object.freeze({
    name: record.name,
    holder: record.holder,
    token: String(record.generation),
    acquiredAt: record.acquiredAt,
    expiresAt: record.expiresAt,
  });
}

function parseRecord(bytes: Uint8Array, key: string): LeaseRecord {
  let record: Partial<LeaseRecord>;
  try {
    record = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LeaseRecord>;
  } catch (error) {
    throw new InvalidInputError(`lease object ${key} is not JSON`, { cause: error });
  }
  if (record.format !== 'asof-lease' || typeof record.holder !== 'string' || typeof record.expiresAt !== 'string') {
    throw new InvalidInputError(`lease object ${key} is not an asof lease`);
  }
  return record as LeaseRecord;
}

function describeHolder(record: LeaseRecord | null): string {
  if (!record) return 'nobody';
  return record.released ? `nobody (released by ${record.holder})` : `'${record.holder}'`;
}

