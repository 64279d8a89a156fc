import { createHash } from 'node:crypto';

/** Native SHA-256, much faster than the portable one for bulk work. */
export const nativeSha256 = (data: Uint8Array): Uint8Array =>
  createHash('sha256').update(data).digest();

export const LEAF_PREFIX = Buffer.from([0]);
