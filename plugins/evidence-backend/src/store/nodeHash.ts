import crypto from 'node:crypto';

const oneShot:
  | ((alg: string, data: string | Uint8Array, enc?: string) => any)
  | undefined = (crypto as any).hash;

/** Native SHA-256 (one-shot `crypto.hash` where available), much faster than the portable one. */
export const nativeSha256 = (data: Uint8Array): Uint8Array =>
  oneShot
    ? oneShot('sha256', data, 'buffer')
    : crypto.createHash('sha256').update(data).digest();

/** Hex SHA-256 of a string (UTF-8) or bytes. */
export const nativeSha256Hex = (data: string | Uint8Array): string =>
  oneShot
    ? oneShot('sha256', data)
    : crypto.createHash('sha256').update(data).digest('hex');

export const LEAF_PREFIX = Buffer.from([0]);
