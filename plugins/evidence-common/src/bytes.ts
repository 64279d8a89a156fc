const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Encodes a string as UTF-8.
 *
 * @public
 */
export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/**
 * Decodes UTF-8 bytes; throws a TypeError on malformed input (no replacement
 * characters are ever substituted).
 *
 * @public
 */
export function utf8Decode(b: Uint8Array): string {
  return decoder.decode(b);
}

const HEX = '0123456789abcdef';
const HEX_BYTE = Array.from(
  { length: 256 },
  (_, i) => HEX[i >> 4] + HEX[i & 15],
);

/**
 * Lowercase hexadecimal encoding.
 *
 * @public
 */
export function toHex(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i++) out += HEX_BYTE[b[i]];
  return out;
}

/**
 * Decodes hexadecimal (either case). Throws a TypeError on odd length or
 * non-hex characters.
 *
 * @public
 */
export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new TypeError('invalid hex string');
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));
const B64_CODE: number[] = [];
for (let i = 0; i < B64.length; i++) B64_CODE[B64.charCodeAt(i)] = i;

/**
 * Standard padded base64 (RFC 4648 §4).
 *
 * @public
 */
export function toBase64(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < b.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < b.length ? B64[n & 63] : '=';
  }
  return out;
}

/**
 * Strict standard base64 decoding (RFC 4648 §4): padding is required, no
 * whitespace or URL-safe characters are accepted, and non-zero padding bits
 * are rejected so that every byte string has exactly one accepted encoding.
 * Throws a TypeError on invalid input.
 *
 * @public
 */
export function fromBase64(s: string): Uint8Array {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    throw new TypeError('invalid base64 string');
  }
  let pad = 0;
  if (s.endsWith('=')) pad = s.endsWith('==') ? 2 : 1;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  const v = (i: number) => B64_CODE[s.charCodeAt(i)] ?? 0; // '=' → 0
  for (let i = 0; i < s.length; i += 4) {
    const n = (v(i) << 18) | (v(i + 1) << 12) | (v(i + 2) << 6) | v(i + 3);
    out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  const lastBits = pad === 2 ? (B64_INDEX.get(s[s.length - 3]) ?? 0) & 15 : 0;
  const lastBits1 = pad === 1 ? (B64_INDEX.get(s[s.length - 2]) ?? 0) & 3 : 0;
  if (lastBits !== 0 || lastBits1 !== 0) {
    throw new TypeError('invalid base64 string: non-zero padding bits');
  }
  return out;
}

/**
 * Constant-time (for equal lengths) byte comparison.
 *
 * @public
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * Concatenates byte arrays.
 *
 * @public
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
