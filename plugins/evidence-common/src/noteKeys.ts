import { ed25519 } from '@noble/curves/ed25519';
import { randomBytes } from '@noble/hashes/utils';
import {
  bytesEqual,
  concatBytes,
  fromBase64,
  fromHex,
  toBase64,
  toHex,
  utf8Encode,
} from './bytes';
import { sha256 } from './hash';
import { NoteError } from './noteError';
import { chop, isValidKeyName } from './noteText';

const ALG_ED25519 = 0x01;

/**
 * A parsed note verifier key (`<name>+<keyid>+<base64(0x01‖pubkey)>`).
 *
 * @public
 */
export type VerifierKey = {
  name: string;
  keyId: Uint8Array;
  publicKey: Uint8Array;
};

/**
 * A parsed note signer key; `seed` is the 32-byte Ed25519 private seed.
 *
 * @public
 */
export type SignerKey = VerifierKey & { seed: Uint8Array };

function requireName(name: string): void {
  if (!isValidKeyName(name)) {
    throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  }
}

function require32(b: Uint8Array, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== 32) {
    throw new NoteError(`${what} must be 32 bytes`);
  }
}

/**
 * The 4-byte key ID: the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ pubkey).
 *
 * @public
 */
export function keyId(name: string, publicKey: Uint8Array): Uint8Array {
  requireName(name);
  require32(publicKey, 'Ed25519 public key');
  const data = concatBytes(
    utf8Encode(`${name}\n`),
    new Uint8Array([ALG_ED25519]),
    publicKey,
  );
  return sha256(data).slice(0, 4);
}

/**
 * Formats a verifier key: `<name>+<8 hex keyid>+<base64(0x01‖pubkey)>`.
 *
 * @public
 */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  const id = keyId(name, publicKey);
  const key = concatBytes(new Uint8Array([ALG_ED25519]), publicKey);
  return `${name}+${toHex(id)}+${toBase64(key)}`;
}

function decodeKeyParts(
  name: string,
  id16: string,
  key64: string,
  what: string,
) {
  let key: Uint8Array;
  let id: Uint8Array;
  try {
    if (!/^[0-9a-fA-F]{8}$/.test(id16)) throw new Error();
    id = fromHex(id16);
    key = fromBase64(key64);
  } catch {
    throw new NoteError(`malformed ${what}`);
  }
  if (!isValidKeyName(name) || key.length === 0) {
    throw new NoteError(`malformed ${what}`);
  }
  if (key[0] !== ALG_ED25519) {
    throw new NoteError(`${what} uses an unsupported algorithm (${key[0]})`);
  }
  if (key.length !== 33) throw new NoteError(`malformed ${what}`);
  return { id, key: key.slice(1) };
}

/**
 * Parses a verifier key. Throws a {@link NoteError} if it is malformed, not
 * Ed25519, or its key ID does not match.
 *
 * @public
 */
export function parseVerifierKey(s: string): VerifierKey {
  const [name, rest] = chop(s, '+');
  const [id16, key64] = chop(rest, '+');
  const { id, key } = decodeKeyParts(name, id16, key64, 'verifier key');
  if (!bytesEqual(id, keyId(name, key))) {
    throw new NoteError('verifier key ID does not match the key');
  }
  return { name, keyId: id, publicKey: key };
}

/**
 * Formats a signer key: `PRIVATE+KEY+<name>+<hex keyid>+<base64(0x01‖seed)>`.
 *
 * @public
 */
export function formatSignerKey(name: string, seed: Uint8Array): string {
  require32(seed, 'Ed25519 seed');
  const id = keyId(name, ed25519.getPublicKey(seed));
  const key = concatBytes(new Uint8Array([ALG_ED25519]), seed);
  return `PRIVATE+KEY+${name}+${toHex(id)}+${toBase64(key)}`;
}

/**
 * Parses a signer key, deriving its public key. Throws a {@link NoteError}
 * if it is malformed or its key ID does not match the derived public key.
 *
 * @public
 */
export function parseSignerKey(s: string): SignerKey {
  const [priv1, r1] = chop(s, '+');
  const [priv2, r2] = chop(r1, '+');
  const [name, r3] = chop(r2, '+');
  const [id16, key64] = chop(r3, '+');
  if (priv1 !== 'PRIVATE' || priv2 !== 'KEY') {
    throw new NoteError('malformed signer key');
  }
  const { id, key: seed } = decodeKeyParts(name, id16, key64, 'signer key');
  const publicKey = ed25519.getPublicKey(seed);
  if (!bytesEqual(id, keyId(name, publicKey))) {
    throw new NoteError('signer key ID does not match the key');
  }
  return { name, keyId: id, publicKey, seed };
}

/**
 * The verifier key that checks signatures made with a signer key.
 *
 * @public
 */
export function verifierKeyFromSignerKey(signerKey: string): string {
  const { name, publicKey } = parseSignerKey(signerKey);
  return formatVerifierKey(name, publicKey);
}

/**
 * Generates a new Ed25519 signer key with a random seed (from the platform's
 * `crypto.getRandomValues`). Derive the public half with
 * {@link verifierKeyFromSignerKey}.
 *
 * @public
 */
export function generateSignerKey(name: string): string {
  requireName(name);
  return formatSignerKey(name, randomBytes(32));
}
