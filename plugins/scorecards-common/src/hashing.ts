import {
  HashFn,
  recordHash,
  sha256,
  toHex,
  utf8Encode,
} from '@assay/plugin-evidence-common';

/**
 * Whether JSON.stringify already writes `v` as sortKeys would: a plain
 * object with keys in code-unit order or an array, all of whose values are
 * primitives (JSON.stringify drops undefined object values as sortKeys
 * does). Such values are serialized as they are, without a copy.
 */
function flatSorted(v: object): boolean {
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'object' && x !== null) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  let prev: string | undefined;
  for (const k of Object.keys(v)) {
    if (prev !== undefined && !(prev < k)) return false;
    const x = (v as Record<string, unknown>)[k];
    if (typeof x === 'object' && x !== null) return false;
    prev = k;
  }
  return true;
}

function sortKeys(v: unknown): unknown {
  if (v && typeof v === 'object' && flatSorted(v)) return v;
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined) continue;
      // an own `__proto__` key (JSON.parse makes one) stays a key: an
      // assignment would set the prototype and drop it from the hash
      if (k === '__proto__') {
        Object.defineProperty(out, k, {
          value: sortKeys(x),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/**
 * Sorted-key JSON. For JSON values made of strings, finite numbers,
 * booleans, null, arrays and objects this is the RFC 8785 canonical form
 * (RFC 8785 serializes primitives exactly as ECMAScript JSON.stringify; keys
 * of scorecard data and envelopes are ASCII, so code-unit order is the
 * required order).
 *
 * @public
 */
export function sortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/**
 * Whether an evidence envelope hashes to `hash`: a fast sorted-key JSON
 * path, and on a mismatch the full RFC 8785 canonicalization, so a
 * difference between the two can only cost time, never a false match.
 *
 * @public
 */
export function envelopeMatches(
  envelope: Parameters<typeof recordHash>[0],
  hash: string,
  hashFn: HashFn = sha256,
  hashText?: (text: string) => string,
): boolean {
  const text = envelopeJson(envelope);
  const fast = hashText ? hashText(text) : toHex(hashFn(utf8Encode(text)));
  if (fast === hash) return true;
  return recordHash(envelope, hashFn) === hash;
}

/** The envelope fields in code-unit order (as sortedJson orders them). */
const ENVELOPE_KEYS = [
  'artifacts',
  'category',
  'entityRef',
  'payloadDigest',
  'previousHash',
  'producedAt',
  'producer',
  'recordedAt',
  'seq',
  'subject',
  'summary',
  'v',
];

/**
 * sortedJson of an envelope: the top level built in sorted order without
 * a generic sort when it has only envelope fields, nested values sorted.
 */
function envelopeJson(envelope: object): string {
  const e = envelope as Record<string, unknown>;
  const keys = Object.keys(e);
  if (keys.some(k => !ENVELOPE_KEYS.includes(k))) return sortedJson(e);
  const out: Record<string, unknown> = {};
  for (const k of ENVELOPE_KEYS) {
    const x = e[k];
    if (x === undefined) continue;
    out[k] = typeof x === 'object' && x !== null ? sortKeys(x) : x;
  }
  return JSON.stringify(out);
}

/** Hex SHA-256 of {@link sortedJson}. @public */
export function sortedJsonHash(value: unknown, hashFn: HashFn = sha256) {
  return toHex(hashFn(utf8Encode(sortedJson(value))));
}
