import canonicalize from 'canonicalize';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/**
 * RFC 8785 (JCS) canonical JSON of a value.
 *
 * @public
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) {
    throw new TypeError('Value cannot be represented as canonical JSON');
  }
  return text;
}

/**
 * Hex SHA-256 of a UTF-8 string.
 *
 * @public
 */
export function sha256Hex(text: string | Uint8Array): string {
  return bytesToHex(
    sha256(typeof text === 'string' ? utf8ToBytes(text) : text),
  );
}

/**
 * The identity of a feature: the first 12 hex characters of SHA-256 over
 * the RFC 8785 canonical JSON of its spec. Key order and number spelling
 * do not change it.
 *
 * @public
 */
export function featureId(spec: unknown): string {
  return sha256Hex(canonicalJson(spec)).slice(0, 12);
}

/**
 * The branch convention for a feature's implementation.
 *
 * @public
 */
export function featureBranch(id: string): string {
  return `auto/spec-implementation/${id}`;
}
