import { utf8Encode } from './bytes';
import { canonicalJsonGeneral } from './canonicalReference';
import { defineKey } from './defineKey';

/** Thrown inside the fast path for a value only the general path handles. */
const GENERAL = new Error('canonicalJson: general path');

/**
 * A plain JSON value with every object's keys in UTF-16 code-unit order
 * (RFC 8785 §3.2.3), so that one native JSON.stringify writes the canonical
 * form: RFC 8785 serializes strings, numbers and literals exactly as
 * ECMAScript JSON.stringify does. With `reuse`, plain objects (prototype
 * Object.prototype or null) and arrays already in that order (keys
 * ascending, children in order) are returned as they are, not copied — only
 * for data whose properties are plain values read once the same (JSON.parse
 * output, fresh object literals: see {@link canonicalJsonOfData}); without
 * it everything is copied, so JSON.stringify reads only the copy. Throws
 * GENERAL for anything else — values to convert or reject (undefined in an
 * array or an array hole, functions, symbols, bigints, non-finite numbers,
 * objects with toJSON) and objects with an all-digit key (JavaScript
 * enumerates array-index keys first, whatever the insertion order).
 */
function sortedCopy(value: unknown, reuse: boolean): unknown {
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
    let out: unknown[] | undefined =
      reuse && Object.getPrototypeOf(value) === Array.prototype
        ? undefined
        : new Array(n);
    for (let i = 0; i < n; i++) {
      const x = value[i];
      if (x === undefined) throw GENERAL; // also a hole
      const c = sortedCopy(x, reuse);
      if (out) out[i] = c;
      else if (c !== x) {
        // the first element copied: the copy starts with the earlier ones
        out = new Array(n);
        for (let j = 0; j < i; j++) out[j] = value[j];
        out[i] = c;
      }
    }
    return out ?? value;
  }
  const keys = Object.keys(value);
  let ordered = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57 && /^[0-9]+$/.test(k)) throw GENERAL;
    if (i > 0 && !(keys[i - 1] < k)) ordered = false;
  }
  if (!ordered) keys.sort();
  // in order with every child as it is: the value itself (an undefined
  // property is left out by JSON.stringify as by the copy)
  let out: Record<string, unknown> | undefined;
  if (!ordered || !reuse) out = {};
  else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) out = {};
  }
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const x = (value as Record<string, unknown>)[k];
    if (x === undefined) continue;
    const c = sortedCopy(x, reuse);
    if (!out) {
      if (c === x) continue;
      // the first child copied: the copy starts with the earlier ones as they are
      out = {};
      for (let j = 0; j < i; j++) {
        const xj = (value as Record<string, unknown>)[keys[j]];
        if (xj !== undefined) put(out, keys[j], xj);
      }
    }
    put(out, k, c);
  }
  return out ?? value;
}

/**
 * Sets a key of a copy; an own `__proto__` key (JSON.parse makes one) is a
 * key like any other: assigning it would set the copy's prototype and drop it.
 */
function put(out: Record<string, unknown>, k: string, x: unknown) {
  if (k === '__proto__') defineKey(out, k, x);
  else out[k] = x;
}

/**
 * Plain JSON data with every object's keys in canonical (RFC 8785) order:
 * the value itself when it already is, else a copy. A producer sending a
 * payload in this order spares the evidence backend the copy it would make
 * to canonicalize it (the bytes and the digest are the same either way).
 * Anything {@link canonicalJson} would convert or refuse is returned as it
 * is.
 *
 * @public
 */
export function canonicalOrder<T>(value: T): T {
  try {
    return sortedCopy(value, true) as T;
  } catch {
    return value;
  }
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
  return canonicalJsonFast(value, false);
}

/** The fast path (sortedCopy, one JSON.stringify), else the general serializer. */
function canonicalJsonFast(value: unknown, reuse: boolean): string {
  let copy: unknown;
  try {
    copy = sortedCopy(value, reuse);
  } catch {
    return canonicalJsonGeneral(value);
  }
  return JSON.stringify(copy);
}

/**
 * {@link canonicalJson} of JSON data — JSON.parse output or plain objects
 * and arrays built of plain values (no getters, proxies, boxed primitives
 * or class instances: a non-plain object is copied, as canonicalJson copies
 * everything) — without copying what is already in canonical key order
 * (see {@link canonicalOrder}): the same bytes, cheaper for data a producer
 * sent in order. What the evidence backend canonicalizes (request payloads,
 * envelopes it builds) is such data.
 *
 * @public
 */
export function canonicalJsonOfData(value: unknown): string {
  return canonicalJsonFast(value, true);
}

/**
 * UTF-8 bytes of {@link canonicalJson}.
 *
 * @public
 */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8Encode(canonicalJson(value));
}
