/**
 * Adds an own enumerable property — also for the key `__proto__`, which an
 * assignment would turn into a prototype change (dropping the key from the
 * serialization, so that `{"__proto__": …}` and `{}` would hash the same).
 */
export function defineKey(
  out: Record<string, unknown>,
  key: string,
  value: unknown,
) {
  Object.defineProperty(out, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
