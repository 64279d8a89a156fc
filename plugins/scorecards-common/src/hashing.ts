import {
  HashFn,
  recordHash,
  sha256,
  toHex,
  utf8Encode,
} from '@assay/plugin-evidence-common';

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
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
): boolean {
  if (toHex(hashFn(utf8Encode(sortedJson(envelope)))) === hash) return true;
  return recordHash(envelope, hashFn) === hash;
}

/** Hex SHA-256 of {@link sortedJson}. @public */
export function sortedJsonHash(value: unknown, hashFn: HashFn = sha256) {
  return toHex(hashFn(utf8Encode(sortedJson(value))));
}
