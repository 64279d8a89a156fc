import { sha256 as nobleSha256 } from '@noble/hashes/sha2';
import { toHex, utf8Encode } from './bytes';

/**
 * A hash function over bytes. The Merkle and chain code only ever uses
 * SHA-256; the parameter exists so that Node can pass a native implementation.
 *
 * @public
 */
export type HashFn = (data: Uint8Array) => Uint8Array;

/**
 * SHA-256 (pure JavaScript, works in browsers and Node).
 *
 * @public
 */
export const sha256: HashFn = data => nobleSha256(data);

/**
 * Lowercase hex SHA-256 of bytes, or of the UTF-8 encoding of a string.
 *
 * @public
 */
export function sha256Hex(data: Uint8Array | string): string {
  return toHex(sha256(typeof data === 'string' ? utf8Encode(data) : data));
}

/**
 * A content digest in the form `sha256:<64 lowercase hex>`.
 *
 * @public
 */
export function digestString(data: Uint8Array | string): string {
  return `sha256:${sha256Hex(data)}`;
}
