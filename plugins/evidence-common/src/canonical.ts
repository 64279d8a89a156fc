import { utf8Encode } from './bytes';
import { canonicalJsonGeneral } from './canonicalReference';
import { defineKey } from './defineKey';

/** Thrown inside the fast path for a value only the general path handles. */
const GENERAL = new Error('canonicalJson: general path');

/**
 * A copy of a plain JSON value with every object's keys inserted in
 * UTF-16 code-unit order (RFC 8785 §3.2.3), so that one native
 * JSON.stringify writes the canonical form: RFC 8785 serializes strings,
 * numbers and literals exactly as ECMAScript JSON.stringify does. Throws
 * GENERAL for anything else — values to convert or reject (undefined in an
 * array or an array hole, functions, symbols, bigints, non-finite numbers,
 * objects with toJSON) and objects with an all-digit key (JavaScript
 * enumerates array-index keys first, whatever the insertion order).
 */
function sortedCopy(value: unknown): unknown {
  if (typeof value !== 'object') {
    if (typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    throw GENERAL;
  }
  if (value === null) return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    throw GENERAL;
  }
  if (Array.isArray(value)) {
    const n = value.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const x = value[i];
      if (x === undefined) throw GENERAL; // also a hole
      out[i] = sortedCopy(x);
    }
    return out;
  }
  const keys = Object.keys(value).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57 && /^[0-9]+$/.test(k)) throw GENERAL;
    const x = (value as Record<string, unknown>)[k];
    if (x === undefined) continue;
    // an own `__proto__` key (JSON.parse makes one) is a key like any
    // other: assigning it would set the copy's prototype and drop it
    if (k === '__proto__') defineKey(out, k, sortedCopy(x));
    else out[k] = sortedCopy(x);
  }
  return out;
}

/**
 * The RFC 8785 (JSON Canonicalization Scheme) serialization of a value.
 * Throws a TypeError for values JSON cannot represent (undefined, functions,
 * symbols, bigints, NaN and infinities); `undefined` object properties are
 * omitted.
 *
 * Plain JSON data (what request bodies and payloads are) takes a fast path:
 * a key-sorted copy written by one native JSON.stringify; anything else
 * (and any error) goes through the general serializer, so the bytes and the
 * errors are the general serializer's (property-tested against it).
 *
 * @public
 */
export function canonicalJson(value: unknown): string {
  let copy: unknown;
  try {
    copy = sortedCopy(value);
  } catch {
    return canonicalJsonGeneral(value);
  }
  return JSON.stringify(copy);
}

/**
 * UTF-8 bytes of {@link canonicalJson}.
 *
 * @public
 */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8Encode(canonicalJson(value));
}
