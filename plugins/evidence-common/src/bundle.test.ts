import { fromBase64, toBase64 } from './bytes';
import { EvidenceBundle, verifyBundle, verifyBundleAsync } from './bundle';
import { generateSignerKey, verifierKeyFromSignerKey } from './noteKeys';
import { makeBundle, ORIGIN } from './__testUtils__/bundle';

const clone = (b: EvidenceBundle): EvidenceBundle =>
  JSON.parse(JSON.stringify(b));

describe('verifyBundle', () => {
  const { bundle, treeSize } = makeBundle(6);

  it('accepts a valid bundle', () => {
    const result = verifyBundle(bundle);
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.chain).toMatchObject({ ok: true, checked: 6 });
    expect(result.checkpoint).toMatchObject({ origin: ORIGIN, treeSize });
  });

  it('rejects a checkpoint signed by another key', () => {
    const b = clone(bundle);
    b.publicKey = verifierKeyFromSignerKey(generateSignerKey(ORIGIN));
    const result = verifyBundle(b);
    expect(result.ok).toBe(false);
    expect(result.checkpoint).toBeNull();
    expect(result.failures).toEqual([
      {
        reason: expect.stringMatching(
          /^checkpoint does not verify: .*no signature from a trusted key/,
        ),
      },
    ]);
  });

  it.each([
    'Component:default/payments',
    'component:Default/payments',
    'component:payments',
  ])(
    'refuses a bundle that names its entity as %s (not the normalized ref the log commits to)',
    variant => {
      const b = clone(bundle);
      b.entityRef = variant;
      const result = verifyBundle(b);
      expect(result.ok).toBe(false);
      expect(result.failures[0].reason).toMatch(
        /not in the normalized form the log commits to/,
      );
    },
  );

  it('rejects a checkpoint for another origin', () => {
    const b = clone(bundle);
    b.origin = 'evil.test/log';
    expect(verifyBundle(b).failures[0].reason).toMatch(/origin/);
  });

  it('names a tampered record in both the chain and the inclusion checks', () => {
    const b = clone(bundle);
    b.records[3].canonical = b.records[3].canonical.replace(
      '"passed":40',
      '"passed":41',
    );
    const result = verifyBundle(b);
    expect(result.ok).toBe(false);
    expect(result.chain).toMatchObject({ ok: false, firstBad: { seq: 4 } });
    expect(result.failures.map(f => f.seq)).toEqual([4, 4]);
    expect(result.failures[1].reason).toMatch(
      /record #4 \(leaf \d+\) is not included/,
    );
  });

  it('names a record whose inclusion proof is wrong', () => {
    const b = clone(bundle);
    const p = fromBase64(b.records[2].inclusionProof[1]);
    p[0] ^= 1;
    b.records[2].inclusionProof[1] = toBase64(p);
    expect(verifyBundle(b).failures).toEqual([
      { seq: 3, reason: expect.stringMatching(/record #3/) },
    ]);
  });

  it('names a record claimed at the wrong leaf', () => {
    const b = clone(bundle);
    b.records[5].leafIndex -= 1;
    expect(verifyBundle(b).failures.map(f => f.seq)).toEqual([6]);
    const beyond = clone(bundle);
    beyond.records[5].leafIndex = treeSize;
    expect(verifyBundle(beyond).failures[0].reason).toMatch(
      /record #6 .* not below treeSize/,
    );
  });

  it('names a record that was dropped from the middle', () => {
    const b = clone(bundle);
    b.records.splice(2, 1);
    const result = verifyBundle(b);
    expect(result.chain).toMatchObject({
      ok: false,
      firstBad: { seq: 4, reason: 'sequence gap: expected 3, found 4' },
    });
  });

  it('throws a TypeError for something that is not a bundle', () => {
    expect(() => verifyBundle({ version: 2 } as any)).toThrow(TypeError);
    expect(() =>
      verifyBundle({ ...bundle, records: [{ leafIndex: -1 }] } as any),
    ).toThrow(/records\.0\.leafIndex/);
  });

  it('has an async variant that reports progress', async () => {
    const progress: Array<[number, number]> = [];
    const result = await verifyBundleAsync(bundle, {
      onProgress: (d, t) => progress.push([d, t]),
    });
    expect(result).toEqual(verifyBundle(bundle));
    expect(progress[progress.length - 1]).toEqual([12, 12]);
  });
});
