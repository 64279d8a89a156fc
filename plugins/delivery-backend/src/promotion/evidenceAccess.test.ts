import {
  envelopeBytes,
  formatCheckpoint,
  generateSignerKey,
  leafHash,
  nodeHash,
  signNote,
  toBase64,
  verifierKeyFromSignerKey,
} from '@assay/plugin-evidence-common';
import { EvidenceLogApi, PromotionEvidence } from './evidenceAccess';
import { MemoryEvidence } from './__testUtils__/memoryEvidence';

/** A two-leaf log over the memory chain, signed with `signer`. */
function log(
  memory: MemoryEvidence,
  signer: string,
  trusted: string,
  over: { root?: Uint8Array } = {},
): EvidenceLogApi {
  const leaves = memory.records.map(r => leafHash(envelopeBytes(r.envelope)));
  const root = over.root ?? nodeHash(leaves[0], leaves[1]);
  return {
    record: async hash => memory.byHash(hash),
    checkpoint: async () => ({
      note: signNote(
        formatCheckpoint({ origin: 'test/log', treeSize: 2, rootHash: root }),
        signer,
      ),
      verifierKey: verifierKeyFromSignerKey(trusted),
    }),
    inclusion: async leafIndex => ({
      hashes: [toBase64(leaves[1 - leafIndex])],
    }),
  };
}

describe('PromotionEvidence.verify', () => {
  const memory = new MemoryEvidence();
  const entityRef = 'component:default/a';
  memory.appendSync({ entityRef, category: 'tests', summary: { failures: 0 } });
  memory.appendSync({ entityRef, category: 'sbom', summary: { high: 0 } });
  const [r0, r1] = memory.records;
  const key = generateSignerKey('test/log');

  it('verifies hash and inclusion under the signed checkpoint; checks the chain link of a cited record', async () => {
    const e = new PromotionEvidence(memory, log(memory, key, key));
    const checks = await e.verify([r0, r1]);
    expect(checks.get(r0.hash)).toMatchObject({ ok: true });
    expect(checks.get(r1.hash)!.reason).toContain(
      'signed checkpoint of size 2',
    );
    const cited = await e.verifyCited(entityRef, 'sbom', r1.hash);
    expect(cited).toMatchObject({ ok: true });
    expect(cited.reason).toContain('chain link to #1');
    expect(await e.verifyCited(entityRef, 'tests', r1.hash)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('is a sbom record'),
    });
    expect(
      await e.verifyCited(entityRef, 'sbom', 'f'.repeat(64)),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not in the log'),
    });
  });

  it('fails a record whose envelope was changed, a checkpoint signed by another key, and a proof to another root', async () => {
    const tampered = {
      ...r1,
      envelope: { ...r1.envelope, summary: { high: 5 } },
    };
    const e = new PromotionEvidence(memory, log(memory, key, key));
    expect((await e.verify([tampered])).get(r1.hash)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('its envelope hashes to'),
    });
    const other = generateSignerKey('test/log');
    const wrongKey = new PromotionEvidence(memory, log(memory, other, key));
    expect((await wrongKey.verify([r0])).get(r0.hash)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('checkpoint did not verify'),
    });
    const wrongRoot = new PromotionEvidence(
      memory,
      log(memory, key, key, { root: new Uint8Array(32) }),
    );
    expect((await wrongRoot.verify([r0])).get(r0.hash)).toMatchObject({
      ok: false,
      reason: expect.stringContaining(
        'inclusion under the signed checkpoint failed',
      ),
    });
  });
});
