import { ed25519 } from '@noble/curves/ed25519';
import { concatBytes, fromBase64, toBase64, toHex, utf8Encode } from './bytes';
import { NoteError } from './noteError';
import { parseSignerKey, parseVerifierKey, VerifierKey } from './noteKeys';
import { chop, isValidKeyName, isValidNoteText } from './noteText';

const SIG_PREFIX = '\u2014 '; // em dash, space
const MAX_SIGNATURES = 100;

/**
 * An Ed25519 (RFC 8032) signing function: the 64-byte signature of `message`
 * under the private key with this 32-byte `seed`. Ed25519 signatures are
 * deterministic, so every correct implementation returns the same bytes.
 *
 * @public
 */
export type Ed25519Sign = (message: Uint8Array, seed: Uint8Array) => Uint8Array;

/**
 * An Ed25519 (RFC 8032) verification function; false (never a throw) for an
 * invalid signature or key.
 *
 * @public
 */
export type Ed25519Verify = (
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
) => boolean;

/**
 * Signs a note (C2SP signed-note) with an Ed25519 signer key. `text` must end
 * with a newline and contain no control characters other than newlines.
 * Returns `text + "\n— <name> <base64(keyid‖signature)>\n"`. `sign` replaces
 * the portable JavaScript Ed25519 (e.g. with node:crypto's native one on a
 * server); the signature bytes are the same.
 *
 * @public
 */
export function signNote(
  text: string,
  signerKey: string,
  sign?: Ed25519Sign,
): string {
  if (!text.endsWith('\n') || !isValidNoteText(text)) {
    throw new NoteError('malformed note text');
  }
  const key = parseSignerKey(signerKey);
  const sig = sign
    ? sign(utf8Encode(text), key.seed)
    : ed25519.sign(utf8Encode(text), key.seed);
  return `${text}\n${SIG_PREFIX}${key.name} ${toBase64(
    concatBytes(key.keyId, sig),
  )}\n`;
}

/**
 * The result of {@link openNote}.
 *
 * @public
 */
export type OpenedNote = {
  /** The signed text, including its final newline. */
  text: string;
  /** Names of the trusted keys whose signatures verified. */
  verifiedBy: string[];
};

function trustedKeys(verifierKeys: string[]): Map<string, VerifierKey[]> {
  const byId = new Map<string, VerifierKey[]>();
  for (const s of new Set(verifierKeys)) {
    const v = parseVerifierKey(s);
    const k = `${v.name}+${toHex(v.keyId)}`;
    byId.set(k, [...(byId.get(k) ?? []), v]);
  }
  return byId;
}

/**
 * Whether an Ed25519 public key is one the portable verification accepts:
 * a canonical encoding of a point that is not of small order. A native
 * verifier (OpenSSL) accepts small-order keys — for the identity point,
 * R = identity and S = 0 verifies any message — so one plugged in as
 * `verify` must refuse such keys first to accept exactly what the portable
 * one does.
 *
 * @public
 */
export function isStrictEd25519PublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32) return false;
  try {
    return !ed25519.ExtendedPoint.fromHex(publicKey, false).isSmallOrder();
  } catch {
    return false;
  }
}

const portableVerify: Ed25519Verify = (sig, text, key) => {
  try {
    return ed25519.verify(sig, text, key, { zip215: false });
  } catch {
    return false;
  }
};

/**
 * Opens a signed note, with the semantics of golang.org/x/mod/sumdb/note
 * `Open`: signatures from unknown keys are ignored, but at least one must come
 * from a trusted key, and every signature from a trusted key must verify.
 * Throws a {@link NoteError} otherwise. `verify` replaces the portable
 * JavaScript Ed25519 verification (e.g. with node:crypto's native one in the
 * CLI).
 *
 * @public
 */
export function openNote(
  note: string,
  verifierKeys: string[],
  verify: Ed25519Verify = portableVerify,
): OpenedNote {
  const known = trustedKeys(verifierKeys);
  if (!isValidNoteText(note)) throw new NoteError('malformed note');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('malformed note: no signature block');
  const text = note.slice(0, split + 1);
  let sigs = note.slice(split + 2);
  if (sigs.length === 0 || !sigs.endsWith('\n')) {
    throw new NoteError(
      'malformed note: signature block must end with a newline',
    );
  }
  const textBytes = utf8Encode(text);
  const verifiedBy: string[] = [];
  const seen = new Set<string>();
  let count = 0;
  while (sigs.length > 0) {
    const i = sigs.indexOf('\n');
    const line = sigs.slice(0, i);
    sigs = sigs.slice(i + 1);
    if (!line.startsWith(SIG_PREFIX)) {
      throw new NoteError('malformed note: unexpected line in signature block');
    }
    const [name, b64] = chop(line.slice(SIG_PREFIX.length), ' ');
    let sig: Uint8Array;
    try {
      sig = fromBase64(b64);
    } catch {
      throw new NoteError('malformed note: invalid signature encoding');
    }
    if (!isValidKeyName(name) || b64 === '' || sig.length < 5) {
      throw new NoteError('malformed note: invalid signature line');
    }
    if (++count > MAX_SIGNATURES) {
      throw new NoteError('malformed note: too many signatures');
    }
    const id = `${name}+${toHex(sig.slice(0, 4))}`;
    const candidates = known.get(id);
    if (!candidates) continue; // unknown key: ignored, as in Go
    if (candidates.length > 1) {
      throw new NoteError(`ambiguous verifier keys for ${id}`);
    }
    if (seen.has(id)) continue;
    seen.add(id);
    if (!verify(sig.slice(4), textBytes, candidates[0].publicKey)) {
      throw new NoteError(`invalid signature by ${name}`);
    }
    verifiedBy.push(name);
  }
  if (verifiedBy.length === 0) {
    throw new NoteError('note has no signature from a trusted key');
  }
  return { text, verifiedBy };
}
