import { digestString, sha256, sha256Hex } from './hash';
import { toHex, utf8Encode } from './bytes';

describe('hash', () => {
  it('computes SHA-256 (FIPS 180-2 vectors)', () => {
    expect(toHex(sha256(new Uint8Array(0)))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex(utf8Encode('abc'))).toBe(sha256Hex('abc'));
  });

  it('formats digests', () => {
    expect(digestString('abc')).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
