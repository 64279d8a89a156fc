import { fromBase64, toHex, utf8Encode } from './bytes';
import { EvidenceBundle, evidenceBundleSchema } from './bundle';
import { parseCheckpoint } from './checkpoint';
import { leafHash } from './merkle';
import { auditPackReadme } from './auditPackReadme';
import { AUDIT_PACK_VERIFY_SCRIPT } from './auditPackScript';

function seqOf(canonical: string, position: number): number {
  try {
    const seq = JSON.parse(canonical)?.seq;
    return Number.isSafeInteger(seq) ? seq : position + 1;
  } catch {
    return position + 1;
  }
}

/**
 * The files of an auditor's pack for a bundle, by path: `bundle.json`,
 * `records/<seq>-<hash>.json` (the exact canonical bytes),
 * `proofs/<seq>.json`, `proofs/head.json` (when the checkpoint commits to
 * entity heads), `checkpoint.txt`, `public-key.txt`, `verify_pack.py`
 * and a `README.md` explaining how to verify it all with standard tools.
 * Pure: zip the result with any library. It does not verify the bundle; call
 * {@link verifyBundle} first. Throws a TypeError for a malformed bundle
 * (including record hashes that are not 64 lowercase hex, which would
 * otherwise end up in file names).
 *
 * @public
 */
export function buildAuditPackFiles(
  input: EvidenceBundle,
): Record<string, Uint8Array | string> {
  const parsed = evidenceBundleSchema.safeParse(input);
  if (!parsed.success)
    throw new TypeError(`malformed evidence bundle: ${parsed.error.message}`);
  const bundle = parsed.data;
  const bad = bundle.records.find(r => !/^[0-9a-f]{64}$/.test(r.hash));
  if (bad)
    throw new TypeError(
      `malformed evidence bundle: record hash ${JSON.stringify(bad.hash)}`,
    );
  const split = bundle.checkpoint.lastIndexOf('\n\n');
  const checkpoint = parseCheckpoint(bundle.checkpoint.slice(0, split + 1));
  const files: Record<string, Uint8Array | string> = {
    'bundle.json': `${JSON.stringify(bundle, null, 2)}\n`,
    'checkpoint.txt': bundle.checkpoint,
    'public-key.txt': `${bundle.publicKey}\n`,
    'verify_pack.py': AUDIT_PACK_VERIFY_SCRIPT,
    'README.md': auditPackReadme({
      entityRef: bundle.entityRef,
      origin: checkpoint.origin,
      treeSize: checkpoint.treeSize,
      records: bundle.records.length,
      headsBound: Boolean(bundle.headProof),
    }),
  };
  if (bundle.headProof) {
    // the entity's leaf in the heads tree the checkpoint signs
    files['proofs/head.json'] = `${JSON.stringify(
      bundle.headProof,
      null,
      2,
    )}\n`;
  }
  bundle.records.forEach((record, i) => {
    const seq = seqOf(record.canonical, i);
    const bytes = utf8Encode(record.canonical);
    files[`records/${seq}-${record.hash}.json`] = bytes;
    const proof = {
      seq,
      hash: record.hash,
      leafIndex: record.leafIndex,
      treeSize: checkpoint.treeSize,
      leafHash: toHex(leafHash(bytes)),
      rootHash: toHex(checkpoint.rootHash),
      inclusionProof: record.inclusionProof.map(p => toHex(fromBase64(p))),
    };
    files[`proofs/${seq}.json`] = `${JSON.stringify(proof, null, 2)}\n`;
  });
  return files;
}
