import { createPublicKey, generateKeyPairSync, sign, verify } from 'crypto';
import fs from 'fs';
import path from 'path';
import { dssePae, dsseSign, dsseVerify } from './dsse';

const vector = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, '../testdata/dsse/dsse-protocol-vector.json'),
    'utf8',
  ),
);

describe('DSSE', () => {
  it('encodes PAE exactly as the protocol vector', () => {
    expect(
      Buffer.from(
        dssePae(vector.payloadType, Buffer.from(vector.serializedBody)),
      ).toString('utf8'),
    ).toBe(vector.expectedPAE);
  });

  it("verifies the protocol vector's P-256 envelope, and nothing altered", async () => {
    const key = createPublicKey({ key: vector.key.jwkPublic, format: 'jwk' });
    const p256 = (pae: Uint8Array, sig: Uint8Array) =>
      verify('sha256', pae, { key, dsaEncoding: 'ieee-p1363' }, sig);
    const ok = await dsseVerify(vector.envelope, p256);
    expect(ok).toEqual({ ok: true, payload: expect.any(Uint8Array) });
    expect(Buffer.from((ok as any).payload).toString()).toBe('hello world');
    const altered = {
      ...vector.envelope,
      payload: Buffer.from('hello World').toString('base64'),
    };
    expect(await dsseVerify(altered, p256)).toEqual({
      ok: false,
      reason: 'no signature verifies',
    });
    const retyped = { ...vector.envelope, payloadType: 'text/plain' };
    expect((await dsseVerify(retyped, p256)).ok).toBe(false);
  });

  it('signs with Ed25519 and verifies only with the right key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519').publicKey;
    const env = await dsseSign({
      payloadType: 'application/json',
      body: Buffer.from('{"a":1}'),
      keyid: 'k1',
      sign: pae => sign(null, pae, privateKey),
    });
    expect(env.signatures[0].keyid).toBe('k1');
    expect(
      (await dsseVerify(env, (pae, sig) => verify(null, pae, publicKey, sig)))
        .ok,
    ).toBe(true);
    expect(
      (await dsseVerify(env, (pae, sig) => verify(null, pae, other, sig))).ok,
    ).toBe(false);
    expect((await dsseVerify({} as any, () => true)).ok).toBe(false);
  });

  it('round-trips base64 of every length', async () => {
    for (let n = 0; n < 8; n++) {
      const body = Buffer.from('abcdefgh'.slice(0, n));
      const env = await dsseSign({
        payloadType: 't',
        body,
        sign: () => new Uint8Array([1]),
      });
      expect(env.payload).toBe(body.toString('base64'));
      const r = await dsseVerify(env, () => true);
      expect(Buffer.from((r as any).payload).equals(body)).toBe(true);
    }
  });
});
