import { canonicalJson } from './canonical';
import {
  evidenceEnvelopeSchema,
  envelopeBytes,
  recordHash,
  recordHashFromBytes,
} from './envelope';
import { sha256Hex } from './hash';
import { makeChain } from './__testUtils__/chain';

describe('envelope', () => {
  const [first, second] = makeChain(2);

  it('hashes the canonical bytes', () => {
    expect(new TextDecoder().decode(envelopeBytes(second.env))).toBe(
      canonicalJson(second.env),
    );
    expect(recordHash(second.env)).toBe(sha256Hex(canonicalJson(second.env)));
    expect(recordHashFromBytes(envelopeBytes(second.env))).toBe(second.hash);
    // key order does not matter
    const reordered = Object.fromEntries(
      Object.entries(second.env).reverse(),
    ) as any;
    expect(recordHash(reordered)).toBe(second.hash);
  });

  it('accepts valid envelopes', () => {
    expect(evidenceEnvelopeSchema.safeParse(first.env).success).toBe(true);
    const full = {
      ...second.env,
      subject: {
        commit: 'a',
        version: '1.2.3',
        featureSha: 'f',
        runId: '9',
        environment: 'prod',
      },
      payloadDigest: `sha256:${'a'.repeat(64)}`,
      artifacts: [
        {
          name: 'sbom.json',
          digest: `sha256:${'b'.repeat(64)}`,
          size: 10,
          mediaType: 'application/json',
        },
      ],
      producedAt: '2025-01-02T03:04:05+02:00',
    };
    expect(evidenceEnvelopeSchema.safeParse(full).success).toBe(true);
  });

  it.each([
    ['v 2', { v: 2 }],
    ['seq 0', { seq: 0 }],
    ['fractional seq', { seq: 1.5 }],
    ['un-normalized entity ref', { entityRef: 'Component:Default/payments' }],
    ['entity ref without namespace', { entityRef: 'component:payments' }],
    ['bad digest', { payloadDigest: 'sha256:XYZ' }],
    ['uppercase previousHash', { previousHash: 'A'.repeat(64) }],
    ['previousHash on seq 1', { seq: 1 }],
    ['non-ISO time', { recordedAt: 'yesterday' }],
    ['nested summary', { summary: { a: { b: 1 } } }],
    ['unknown subject key', { subject: { branch: 'main' } }],
    [
      'negative artifact size',
      {
        artifacts: [
          {
            name: 'a',
            digest: `sha256:${'b'.repeat(64)}`,
            size: -1,
            mediaType: 'x',
          },
        ],
      },
    ],
  ])('rejects %s', (_, patch) => {
    expect(
      evidenceEnvelopeSchema.safeParse({ ...second.env, ...patch }).success,
    ).toBe(false);
  });
});
