/**
 * One abort listener per caller's signal, however many requests share it.
 * The AWS SDK adds a listener to the signal of every request in flight, so
 * 32 concurrent writes on one signal put 32 listeners on it and Node warns
 * (`MaxListenersExceededWarning`). Each request here gets a signal of its
 * own instead, aborted (with the same reason) by the single listener on the
 * caller's.
 */
const children = new WeakMap<AbortSignal, Set<AbortController>>();

/** Runs `fn` with a signal that aborts when `parent` does; `undefined` in, `undefined` out. */
export async function withRequestSignal<T>(parent: AbortSignal | undefined, fn: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
  if (!parent) return fn(undefined);
  parent.throwIfAborted();
  let live = children.get(parent);
  if (!live) {
    const set = new Set<AbortController>();
    children.set(parent, (live = set));
    parent.addEventListener('abort', () => set.forEach((child) => child.abort(parent.reason)), { once: true });
  }
  const child = new AbortController();
  live.add(child);
  try {
    return await fn(child.signal);
  } finally {
    live.delete(child);
  }
}
