import canonicalize from 'canonicalize';
import { utf8Encode } from './bytes';

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
    if (v !== undefined) out[k] = toJsonData(v, `${path}.${k}`);
  }
  return out;
}

/**
 * The RFC 8785 (JSON Canonicalization Scheme) serialization of a value.
 * Throws a TypeError for values JSON cannot represent (undefined, functions,
 * symbols, bigints, NaN and infinities); `undefined` object properties are
 * omitted.
 *
 * @public
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(toJsonData(value, '$'));
  if (typeof text !== 'string') {
    throw new TypeError('canonicalJson: value is not representable as JSON');
  }
  return text;
}

/**
 * UTF-8 bytes of {@link canonicalJson}.
 *
 * @public
 */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8Encode(canonicalJson(value));
}
