import crypto, { KeyObject } from 'node:crypto';
import type { Ed25519Sign } from '@assay/plugin-evidence-common';

// PKCS#8 DER prefix of an Ed25519 private key (RFC 8410): the 32-byte seed follows
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

const keys = new Map<string, KeyObject>();

/**
 * Ed25519 signing with node:crypto (OpenSSL): the same signature bytes as the
 * portable JavaScript implementation (Ed25519 is deterministic), about a
 * hundred times less CPU — a checkpoint is signed per new tree size.
 */
export const nodeEd25519Sign: Ed25519Sign = (message, seed) => {
  const id = Buffer.from(seed).toString('base64');
  let key = keys.get(id);
  if (!key) {
    key = crypto.createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519, seed]),
      format: 'der',
      type: 'pkcs8',
    });
    if (keys.size >= 8) keys.clear();
    keys.set(id, key);
  }
  return new Uint8Array(crypto.sign(null, message, key));
};
