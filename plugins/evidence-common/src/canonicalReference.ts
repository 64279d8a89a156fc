import canonicalize from 'canonicalize';
import { defineKey } from './defineKey';

/**
 * Converts a value to plain JSON data, rejecting anything JSON cannot
 * represent faithfully. Object properties whose value is `undefined` are
 * omitted (as JSON.stringify does); everywhere else `undefined`, functions,
 * symbols, bigints and non-finite numbers are errors.
 */
function toJsonData(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || value === true) {
    return value;
  }
  if (value === false) return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new TypeError(`canonicalJson: non-finite number at ${path}`);
    }
    return value;
  }
  if (typeof value !== 'object') {
    throw new TypeError(
      `canonicalJson: cannot encode ${typeof value} at ${path}`,
    );
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') {
    return toJsonData(withToJson.toJSON(), path);
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => toJsonData(v, `${path}[${i}]`));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    // own `__proto__` keys stay keys (an assignment would drop them)
    if (k === '__proto__') defineKey(out, k, toJsonData(v, `${path}.${k}`));
    else out[k] = toJsonData(v, `${path}.${k}`);
  }
  return out;
}

/**
 * The general RFC 8785 serialization (the `canonicalize` package over the
 * value converted to plain JSON data): what {@link canonicalJson} falls
 * back to, and the reference its fast path is tested against. Not part of
 * the package's API.
 */
export function canonicalJsonGeneral(value: unknown): string {
  const text = canonicalize(toJsonData(value, '$'));
  if (typeof text !== 'string') {
    throw new TypeError('canonicalJson: value is not representable as JSON');
  }
  return text;
}
