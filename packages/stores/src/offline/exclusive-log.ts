import type { CommitCoordinator, IoOptions, ObjectStore } from '@asof/core';
import { createExclusively, PutIfAbsentGuard } from './exclusive-create.js';
import { padVersion } from './layout.js';

/** How an {@link ExclusiveLog} is put together. */
export interface ExclusiveLogOptions {
  readonly objects: ObjectStore;
  /** Serialises claims where the object store cannot (as for the offline store's commits); every writer of the log must use the same one. */
  readonly coordinator?: CommitCoordinator | null;
  /** The coordinator's name for this log: unique per root and log, e.g. `s3://bucket/finance/_log`. */
  readonly table: string;
  /** Where entries go: `<prefix><20-digit number>.json`. */
  readonly prefix: string;
  /** `trusted` when the object store is known to enforce put-if-absent (a local directory); else it is probed before the first claim. */
  readonly putIfAbsent: 'trusted' | 'probe';
  /** What a refusal names, e.g. `publish an export to`. */
  readonly what?: string;
}

/**
 * A log of numbered entries, each created by exactly one writer on every
 * backend the offline store supports: put-if-absent where the object store
 * enforces it, else a claim in the commit coordinator, and refused (a
 * `CONFIG` error from {@link assertCanClaim}) where neither holds. Entries
 * are never changed once written; a number whose claimant died before
 * writing stays a hole that later writers skip.
 */
export class ExclusiveLog {
  private readonly guard: PutIfAbsentGuard;
  private readonly coordinator: CommitCoordinator | null;

  constructor(private readonly options: ExclusiveLogOptions) {
    this.coordinator = options.coordinator ?? null;
    this.guard = new PutIfAbsentGuard(options.objects, this.coordinator, options.putIfAbsent, options.what ?? 'write to');
  }

  /** Throws if claims would not be exclusive here (probes the object store once). Call it before writing anything. */
  assertCanClaim(options?: IoOptions): Promise<void> {
    return this.guard.assert(options);
  }

  /** The key of entry `n`. */
  key(n: number): string {
    return `${this.options.prefix}${padVersion(n)}.json`;
  }

  /** The greatest number with a written entry (0 when none). */
  async latest(options?: IoOptions): Promise<number> {
    let max = 0;
    for await (const info of this.options.objects.list(this.options.prefix, options)) {
      const m = /^(\d{20})\.json$/.exec(info.key.slice(this.options.prefix.length));
      if (m) max = Math.max(max, Number(m[1]));
    }
    return max;
  }

  /** Entry `n`, or `null` if it was never written. */
  read(n: number, options?: IoOptions): Promise<Uint8Array | null> {
    return this.options.objects.get(this.key(n), options);
  }

  /** Creates entry `n` if no other writer has claimed it: `true` if this writer now owns it. `owns` recognises this writer's bytes. */
  async claim(n: number, bytes: Uint8Array, owns: (existing: Uint8Array) => boolean, options?: IoOptions): Promise<boolean> {
    await this.assertCanClaim(options);
    const key = this.key(n);
    return createExclusively(this.options.objects, this.coordinator, { table: this.options.table, version: n, key, bytes, payload: JSON.stringify({ key }) }, owns, options);
  }
}
