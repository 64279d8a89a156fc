import canonicalize from 'canonicalize';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/**
 * Throws a TypeError naming the first NaN or ±Infinity in a value: RFC 8785
 * has no form for them, and silently hashing a stand-in would give two
 * different specs the same id.
 */
function assertFiniteNumbers(value: unknown, at: string): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new TypeError(
        `Cannot canonicalize ${at}: ${value} is not a finite number (RFC 8785 allows only finite numbers)`,
      );
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const json = value as { toJSON?: unknown };
  if (typeof json.toJSON === 'function') {
    assertFiniteNumbers((json.toJSON as () => unknown).call(value), at);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => assertFiniteNumbers(item, `${at}[${i}]`));
  } else {
    for (const [key, item] of Object.entries(value)) {
      assertFiniteNumbers(item, `${at}.${key}`);
    }
  }
}

/**
 * RFC 8785 (JCS) canonical JSON of a value, by the `canonicalize` package.
 * Non-finite numbers are rejected with a TypeError naming where they are.
 *
 * @public
 */
export function canonicalJson(value: unknown): string {
  assertFiniteNumbers(value, '$');
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
