import {
  isStrictEd25519PublicKey,
  parseVerifierKey,
  generateSignerKey,
  openNote,
  signNote,
  verifierKeyFromSignerKey,
} from '@assay/plugin-evidence-common';
import { nodeEd25519Verify } from './nodeEd25519';

describe('nodeEd25519Verify', () => {
  const key = generateSignerKey('example.com/log');
  const verifier = verifierKeyFromSignerKey(key);
  const text =
    'example.com/log\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';
  const note = signNote(text, key);

  it('opens a note the log signed', () => {
    expect(openNote(note, [verifier], nodeEd25519Verify).text).toBe(text);
  });

  it('refuses a changed text, a changed signature and another key', () => {
    expect(() =>
      openNote(note.replace('\n42\n', '\n43\n'), [verifier], nodeEd25519Verify),
    ).toThrow(/invalid signature/);
    const split = note.lastIndexOf(' ') + 1;
    const sig = Buffer.from(note.slice(split).trim(), 'base64');
    sig[10] ^= 1;
    expect(() =>
      openNote(
        `${note.slice(0, split)}${sig.toString('base64')}\n`,
        [verifier],
        nodeEd25519Verify,
      ),
    ).toThrow(/invalid signature/);
    const other = verifierKeyFromSignerKey(
      generateSignerKey('example.com/log'),
    );
    expect(() => openNote(note, [other], nodeEd25519Verify)).toThrow();
  });

  it('refuses small-order and non-canonical keys as the portable check does', () => {
    // the identity point: with R = identity and S = 0 OpenSSL verifies any
    // message under it (a forgery the portable verification refuses)
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const forged = new Uint8Array(64);
    forged[0] = 1;
    for (const message of ['any', 'checkpoint\n42\n']) {
      expect(nodeEd25519Verify(forged, Buffer.from(message), identity)).toBe(
        false,
      );
    }
    // the identity encoded with y = p + 1 (not canonical)
    const nonCanonical = Buffer.from(
      ((1n << 255n) - 19n + 1n).toString(16).padStart(64, '0'),
      'hex',
    ).reverse();
    expect(nodeEd25519Verify(forged, Buffer.from('any'), nonCanonical)).toBe(
      false,
    );
    expect(isStrictEd25519PublicKey(identity)).toBe(false);
    expect(isStrictEd25519PublicKey(nonCanonical)).toBe(false);
    expect(isStrictEd25519PublicKey(parseVerifierKey(verifier).publicKey)).toBe(
      true,
    );
  });

  it('is false, not a throw, for malformed lengths', () => {
    expect(
      nodeEd25519Verify(
        new Uint8Array(63),
        new Uint8Array(1),
        new Uint8Array(32),
      ),
    ).toBe(false);
    expect(
      nodeEd25519Verify(
        new Uint8Array(64),
        new Uint8Array(1),
        new Uint8Array(31),
      ),
    ).toBe(false);
    expect(
      nodeEd25519Verify(
        new Uint8Array(64),
        new Uint8Array(1),
        new Uint8Array(32),
      ),
    ).toBe(false);
  });
});
