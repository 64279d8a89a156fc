import { canonicalJson } from './canonical';
import { verifyChain } from './chain';
import { verifyChainIntegrity } from './chainIntegrity';
import { sha256Hex } from './hash';

function chain(n: number, entityRef = 'component:default/a') {
  const out: Array<{ hash: string; canonical: string }> = [];
  let prev: string | null = null;
  for (let seq = 1; seq <= n; seq++) {
    const canonical = canonicalJson({
      v: 1,
      entityRef,
      seq,
      category: 'tests',
      summary: { tests: seq, seq: 99 - seq },
      payloadDigest: null,
      artifacts: [],
      producer: 'user:default/a',
      producedAt: '2026-01-01T00:00:00.000Z',
      recordedAt: '2026-01-01T00:00:00.000Z',
      previousHash: prev,
    });
    const hash = sha256Hex(canonical);
    out.push({ hash, canonical });
    prev = hash;
  }
  return out;
}

const enc = (r: { hash: string; canonical: string }) => ({
  hash: r.hash,
  canonical: new TextEncoder().encode(r.canonical),
});

describe('verifyChainIntegrity', () => {
  it('accepts an intact chain from bytes and strings, like verifyChain', () => {
    const c = chain(20);
    expect(verifyChainIntegrity(c.map(enc))).toEqual(verifyChain(c));
    expect(verifyChainIntegrity(c)).toMatchObject({ ok: true, checked: 20 });
  });

  it('names the first tampered record, a broken link, a gap and a foreign entity', () => {
    const c = chain(6);
    const tampered = c.map(r => ({ ...r }));
    tampered[2].canonical = tampered[2].canonical.replace(
      '"tests":3',
      '"tests":4',
    );
    expect(verifyChainIntegrity(tampered)).toMatchObject({
      ok: false,
      checked: 2,
      firstBad: { seq: 3, reason: expect.stringMatching(/hash mismatch/) },
    });

    const gap = [...c.slice(0, 2), ...c.slice(3)];
    expect(verifyChainIntegrity(gap)).toMatchObject({
      ok: false,
      checked: 2,
      firstBad: { reason: expect.stringMatching(/gap/) },
    });

    const other = chain(3, 'component:default/b');
    expect(verifyChainIntegrity([c[0], other[1]])).toMatchObject({
      ok: false,
      checked: 1,
    });
  });

  it('reads the envelope keys, not same-named summary facts', () => {
    const c = chain(2);
    // summary keys named seq come after the envelope's own seq
    expect(c[0].canonical).toContain('"seq":98');
    expect(verifyChainIntegrity(c)).toMatchObject({ ok: true, checked: 2 });
  });

  it('catches a decoy-keyed forgery inside the chain; structure is left to verifyChain', () => {
    const c = chain(3);
    const canonical = canonicalJson({
      ...JSON.parse(c[1].canonical),
      entityRef: 'component:default/evil',
      artifacts: [
        {
          digest: `sha256:${'0'.repeat(64)}`,
          entityRef: 'component:default/a',
          mediaType: 'x',
          name: 'x',
          previousHash: c[0].hash,
          seq: 2,
          size: 1,
        },
      ],
    });
    const forged = { hash: sha256Hex(canonical), canonical };
    // in place of record #2, the next record's link exposes it
    expect(verifyChainIntegrity([c[0], forged, c[2]])).toMatchObject({
      ok: false,
      checked: 2,
      firstBad: { seq: 3 },
    });
    // as a new head its bytes are consistently chained (only the signed
    // checkpoint can expose a rewritten head); the full check rejects it
    expect(verifyChainIntegrity([c[0], forged]).ok).toBe(true);
    expect(verifyChain([c[0], forged]).ok).toBe(false);
  });

  it('checks bytes and links only; envelope structure is left to verifyChain', () => {
    const c = chain(2);
    // hashed and chained as stored, but not a valid envelope (repeated key)
    const canonical = c[1].canonical.replace(/\}$/, ',"seq":99}');
    const bad = { hash: sha256Hex(canonical), canonical };
    expect(verifyChainIntegrity([c[0], bad])).toMatchObject({
      ok: true,
      checked: 2,
    });
    expect(verifyChain([c[0], bad]).ok).toBe(false);
    // ...while a record whose bytes changed after chaining is caught
    const tampered = { ...c[1], canonical };
    expect(verifyChainIntegrity([c[0], tampered])).toMatchObject({
      ok: false,
      checked: 1,
    });
  });

  it('lets the full check explain records that are not canonical', () => {
    const c = chain(3);
    const bad = c.map(r => ({ ...r }));
    bad[1].canonical = bad[1].canonical.replace(
      '{"artifacts"',
      '{ "artifacts"',
    );
    expect(verifyChainIntegrity(bad)).toMatchObject({
      ok: false,
      checked: 1,
      firstBad: { seq: 2 },
    });
  });
});
