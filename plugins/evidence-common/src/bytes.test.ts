import {
  bytesEqual,
  concatBytes,
  fromBase64,
  fromHex,
  toBase64,
  toHex,
  utf8Decode,
  utf8Encode,
} from './bytes';

describe('bytes', () => {
  it('round-trips hex', () => {
    const b = new Uint8Array([0, 1, 0xab, 0xff]);
    expect(toHex(b)).toBe('0001abff');
    expect(fromHex('0001ABff')).toEqual(b);
    expect(() => fromHex('abc')).toThrow(TypeError);
    expect(() => fromHex('zz')).toThrow(TypeError);
  });

  it('encodes base64 like the RFC 4648 test vectors', () => {
    const vectors = [
      '',
      'Zg==',
      'Zm8=',
      'Zm9v',
      'Zm9vYg==',
      'Zm9vYmE=',
      'Zm9vYmFy',
    ];
    const text = 'foobar';
    vectors.forEach((encoded, n) => {
      expect(toBase64(utf8Encode(text.slice(0, n)))).toBe(encoded);
      expect(utf8Decode(fromBase64(encoded))).toBe(text.slice(0, n));
    });
  });

  it('round-trips all byte values through base64', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    for (let n = 0; n < 256; n += 7) {
      expect(fromBase64(toBase64(all.slice(n)))).toEqual(all.slice(n));
    }
  });

  it.each([
    ['missing padding', 'Zg'],
    ['bad length', 'Zm9vY'],
    ['whitespace', 'Zm9v\nYmFy'],
    ['url-safe alphabet', 'ab-_'],
    ['padding in the middle', 'Zg==Zm8='],
    ['too much padding', 'Z==='],
    ['non-zero padding bits (2)', 'Zh=='],
    ['non-zero padding bits (1)', 'Zm9='],
  ])('rejects invalid base64: %s', (_, s) => {
    expect(() => fromBase64(s)).toThrow(TypeError);
  });

  it('decodes UTF-8 strictly', () => {
    expect(utf8Decode(utf8Encode('é€😂'))).toBe('é€😂');
    expect(() => utf8Decode(new Uint8Array([0xc3]))).toThrow();
  });

  it('compares and concatenates', () => {
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(
      true,
    );
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(
      false,
    );
    expect(bytesEqual(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false);
    expect(
      concatBytes(
        new Uint8Array([1]),
        new Uint8Array([]),
        new Uint8Array([2, 3]),
      ),
    ).toEqual(new Uint8Array([1, 2, 3]));
  });
});
