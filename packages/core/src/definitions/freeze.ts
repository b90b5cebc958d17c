/**
 * Freezes an object graph built by asof, including parts that arrived
 * already (shallowly) frozen. Functions are left alone: a row transform is
 * the user's object, and freezing it would reach into their code.
 */
export function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) {
    deepFreeze((value as Record<PropertyKey, unknown>)[key], seen);
  }
  return Object.freeze(value);
}
