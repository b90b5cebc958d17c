/**
 * The contract every {@link LeaseStore} passes (not part of the build): the
 * object-store one on a local directory and the DynamoDB one on DynamoDB
 * Local run the same cases. The clock is the test's, so expiry needs no
 * waiting.
 */
import { describe, expect, it } from 'vitest';
import { LeaseLostError, type Lease, type LeaseStore } from '@asof/core';

/** A hand-moved clock in epoch ms. */
export class ManualClock {
  constructor(public ms = Date.parse('2024-03-01T00:00:00Z')) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Opens a lease store on the given clock, plus `another()` for more independent handles (as other processes would have) on the same leases. */
export type LeaseStoreFactory = (clock: ManualClock) => Promise<{ store: LeaseStore; another: () => LeaseStore }>;

const TTL = 10_000;
let seq = 0;
const fresh = (label: string) => `${label}-${process.pid}-${Date.now().toString(36)}-${seq++}`;

/** Runs the lease contract against `factory`. */
export function describeLeaseStore(name: string, factory: LeaseStoreFactory): void {
  describe(`LeaseStore contract: ${name}`, () => {
    it('grants a lease to exactly one of 10 concurrent contenders, each with its own handle', async () => {
      const clock = new ManualClock();
      const { another } = await factory(clock);
      const view = fresh('race');
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => another().acquire(view, `holder-${i}`, TTL)));
      const winners = results.filter((r): r is Lease => r !== null);
      expect(winners).toHaveLength(1);
      const current = await another().current(view);
      expect(current?.holder).toBe(winners[0]!.holder);
      expect(current?.token).toBe(winners[0]!.token);
    });

    it('refuses a held lease to everyone, its holder included, and names the holder', async () => {
      const clock = new ManualClock();
      const { store } = await factory(clock);
      const view = fresh('held');
      const lease = await store.acquire(view, 'a', TTL);
      expect(lease).toMatchObject({ name: view, holder: 'a', acquiredAt: new Date(clock.ms).toISOString(), expiresAt: new Date(clock.ms + TTL).toISOString() });
      clock.advance(TTL); // at expiresAt itself it still holds
      expect(await store.acquire(view, 'b', TTL)).toBeNull();
      expect(await store.acquire(view, 'a', TTL)).toBeNull();
      expect((await store.current(view))?.holder).toBe('a');
    });

    it('lets another holder take an expired lease; the old holder can then neither renew nor release it', async () => {
      const clock = new ManualClock();
      const { store, another } = await factory(clock);
      const view = fresh('expiry');
      const a = (await store.acquire(view, 'a', TTL))!;
      clock.advance(TTL + 1);
      expect(await store.current(view)).toBeNull();
      const b = await another().acquire(view, 'b', TTL);
      expect(b?.holder).toBe('b');
      await expect(store.renew(a, TTL)).rejects.toBeInstanceOf(LeaseLostError);
      await store.release(a); // no effect on b's lease
      expect((await store.current(view))?.holder).toBe('b');
    });

    it('lets exactly one of 10 concurrent takers take over an expired lease', async () => {
      const clock = new ManualClock();
      const { store, another } = await factory(clock);
      const view = fresh('takeover');
      await store.acquire(view, 'crashed', TTL);
      clock.advance(TTL + 1);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => another().acquire(view, `taker-${i}`, TTL)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('keeps a renewed lease past its first expiry', async () => {
      const clock = new ManualClock();
      const { store } = await factory(clock);
      const view = fresh('renew');
      let lease = (await store.acquire(view, 'a', TTL))!;
      const acquiredAt = lease.acquiredAt;
      for (let i = 0; i < 5; i++) {
        clock.advance(TTL * 0.6);
        lease = await store.renew(lease, TTL);
        expect(lease.expiresAt).toBe(new Date(clock.ms + TTL).toISOString());
      }
      clock.advance(TTL * 0.6); // 3.6 TTLs after acquiring
      expect(await store.acquire(view, 'b', TTL)).toBeNull();
      expect(await store.current(view)).toMatchObject({ holder: 'a', acquiredAt, token: lease.token });
    });

    it('renews a lease that expired but that nobody took', async () => {
      const clock = new ManualClock();
      const { store } = await factory(clock);
      const view = fresh('late-renew');
      const lease = (await store.acquire(view, 'a', TTL))!;
      clock.advance(TTL * 2);
      const renewed = await store.renew(lease, TTL);
      expect(await store.acquire(view, 'b', TTL)).toBeNull();
      expect((await store.current(view))?.token).toBe(renewed.token);
    });

    it('lets a late renewal and a takeover race: exactly one of them wins', async () => {
      const clock = new ManualClock();
      const { store, another } = await factory(clock);
      for (let round = 0; round < 5; round++) {
        const view = fresh('renew-race');
        const lease = (await store.acquire(view, 'a', TTL))!;
        clock.advance(TTL + 1);
        const [renewed, taken] = await Promise.allSettled([store.renew(lease, TTL), another().acquire(view, 'b', TTL)]);
        const renewWon = renewed.status === 'fulfilled';
        const takeWon = taken.status === 'fulfilled' && taken.value !== null;
        expect(renewWon !== takeWon).toBe(true);
        if (!renewWon) expect((renewed as PromiseRejectedResult).reason).toBeInstanceOf(LeaseLostError);
        expect((await store.current(view))?.holder).toBe(renewWon ? 'a' : 'b');
      }
    });

    it('frees a released lease at once; the releaser cannot renew it', async () => {
      const clock = new ManualClock();
      const { store, another } = await factory(clock);
      const view = fresh('release');
      const a = (await store.acquire(view, 'a', TTL))!;
      await store.release(a);
      expect(await store.current(view)).toBeNull();
      await expect(store.renew(a, TTL)).rejects.toBeInstanceOf(LeaseLostError);
      const b = await another().acquire(view, 'b', TTL);
      expect(b?.holder).toBe('b');
      await store.release(a); // a stale release leaves b alone
      expect((await store.current(view))?.holder).toBe('b');
    });

    it('rejects names that cannot be keys and TTLs that are not positive', async () => {
      const { store } = await factory(new ManualClock());
      await expect(store.acquire('../x', 'a', TTL)).rejects.toThrow(/invalid lease name/);
      await expect(store.acquire(fresh('ttl'), 'a', 0)).rejects.toThrow(/TTL/);
    });
  });
}
