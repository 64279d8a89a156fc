import { canonicalJson } from '../canonical';
import { EvidenceEnvelope, recordHash } from '../envelope';

export const ENTITY = 'component:default/payments';

/** A valid chain of n envelopes with their canonical JSON and hashes. */
export function makeChain(n: number, entityRef = ENTITY) {
  const out: Array<{ env: EvidenceEnvelope; canonical: string; hash: string }> =
    [];
  for (let seq = 1; seq <= n; seq++) {
    const env: EvidenceEnvelope = {
      v: 1,
      entityRef,
      seq,
      category: seq % 2 ? 'tests' : 'sbom',
      subject: { commit: `c0ffee${seq}` },
      summary: {
        passed: seq * 10,
        failed: 0,
        suite: 'unit',
        flaky: seq % 3 === 0,
      },
      payloadDigest: null,
      artifacts: [],
      producer: 'ci',
      producedAt: '2025-01-02T03:04:05Z',
      recordedAt: '2025-01-02T03:04:06.123Z',
      previousHash: seq === 1 ? null : out[seq - 2].hash,
    };
    out.push({ env, canonical: canonicalJson(env), hash: recordHash(env) });
  }
  return out;
}

/** Re-hashes a modified envelope, keeping the stored hash consistent with it. */
export function rehash(env: EvidenceEnvelope) {
  return { canonical: canonicalJson(env), hash: recordHash(env) };
}
