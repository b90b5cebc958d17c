import { InvalidInputError } from '@asof/core';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;

/** Lease names become key segments (like view names): letters, digits, `_`, `-`, `.`, not starting with `.` or `-`. */
export function assertLeaseName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidInputError(`invalid lease name ${JSON.stringify(name)}: use letters, digits, '_', '-' and '.'`);
  }
}

/** A TTL must be a positive, finite number of ms. */
export function assertTtl(ttlMs: number): void {
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new InvalidInputError(`lease TTL must be a positive number of ms, got ${String(ttlMs)}`);
}

/** Both stores agree: a lease whose `expiresAt` is before `now` has expired (at `expiresAt` itself it still holds). */
export function isExpired(expiresAtMs: number, now: number): boolean {
  return expiresAtMs < now;
}
