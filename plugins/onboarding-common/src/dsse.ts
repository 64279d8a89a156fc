/**
 * DSSE (Dead Simple Signing Envelope, secure-systems-lab/dsse v1): the
 * pre-authentication encoding and the JSON envelope. Signing and verifying
 * are callbacks, so the same code runs with Node's crypto, WebCrypto or a KMS.
 */

const encoder = new TextEncoder();

/** `application/vnd.assay.onboarding-manifest+json`: what onboarding signs. */
export const ONBOARDING_MANIFEST_PAYLOAD_TYPE =
  'application/vnd.assay.onboarding-manifest+json';

/**
 * A DSSE envelope (JSON form).
 *
 * @public
 */
export interface DsseEnvelope {
  payloadType: string;
  /** base64 of the payload bytes */
  payload: string;
  signatures: { keyid?: string; sig: string }[];
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b = 0, c = 0] = [bytes[i], bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

function fromBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new TypeError('not standard base64');
  }
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let j = 0;
  for (const ch of clean) {
    value = (value << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (value >> bits) & 255;
    }
  }
  return out;
}

/**
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body,
 * LEN in bytes, ASCII decimal.
 *
 * @public
 */
export function dssePae(payloadType: string, body: Uint8Array): Uint8Array {
  const type = encoder.encode(payloadType);
  const head = encoder.encode(
    `DSSEv1 ${type.length} ${payloadType} ${body.length} `,
  );
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/**
 * Signs `body` into a DSSE envelope; `sign` receives the PAE bytes.
 *
 * @public
 */
export async function dsseSign(options: {
  payloadType: string;
  body: Uint8Array;
  keyid?: string;
  sign: (pae: Uint8Array) => Uint8Array | Promise<Uint8Array>;
}): Promise<DsseEnvelope> {
  const sig = await options.sign(dssePae(options.payloadType, options.body));
  return {
    payloadType: options.payloadType,
    payload: toBase64(options.body),
    signatures: [
      {
        ...(options.keyid ? { keyid: options.keyid } : {}),
        sig: toBase64(sig),
      },
    ],
  };
}

/**
 * Verifies an envelope: true when at least one signature verifies over the
 * PAE of its payload type and payload. Returns the payload bytes it
 * verified, so callers only ever use authenticated bytes.
 *
 * @public
 */
export async function dsseVerify(
  envelope: DsseEnvelope,
  verify: (
    pae: Uint8Array,
    sig: Uint8Array,
    keyid?: string,
  ) => boolean | Promise<boolean>,
): Promise<{ ok: true; payload: Uint8Array } | { ok: false; reason: string }> {
  if (
    typeof envelope?.payloadType !== 'string' ||
    typeof envelope.payload !== 'string' ||
    !Array.isArray(envelope.signatures) ||
    envelope.signatures.length === 0
  ) {
    return { ok: false, reason: 'not a DSSE envelope' };
  }
  let body: Uint8Array;
  try {
    body = fromBase64(envelope.payload);
  } catch {
    return { ok: false, reason: 'payload is not base64' };
  }
  const pae = dssePae(envelope.payloadType, body);
  for (const s of envelope.signatures) {
    try {
      if (await verify(pae, fromBase64(s.sig), s.keyid)) {
        return { ok: true, payload: body };
      }
    } catch {
      // an undecodable signature never verifies
    }
  }
  return { ok: false, reason: 'no signature verifies' };
}
