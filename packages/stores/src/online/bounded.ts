/**
 * Runs `fn` over `items` with at most `limit` calls in flight, in item
 * order. On the first rejection no further item starts; the calls in flight
 * are awaited and the error is rethrown (callers that must visit every item
 * catch inside `fn`).
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  let error: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (e) {
        if (!failed) [failed, error] = [true, e];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed) throw error;
}
