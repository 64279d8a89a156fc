import { toBase64, utf8Encode } from '../bytes';
import { EvidenceBundle } from '../bundle';
import { formatCheckpoint } from '../checkpoint';
import { leafHash, merkleRoot, NodeLookup, subtreeHash } from '../merkle';
import { inclusionProof } from '../merkleProofs';
import { signNote } from '../note';
import { generateSignerKey, verifierKeyFromSignerKey } from '../noteKeys';
import { HeadsTree } from '../heads';
import { ENTITY, makeChain } from './chain';

export const ORIGIN = 'assay.test/evidence';

/**
 * A log holding `n` records of ENTITY interleaved with records of another
 * entity, and a valid bundle for ENTITY against a signed checkpoint.
 */
export function makeBundle(
  n = 6,
  signerKey = generateSignerKey(ORIGIN),
  options: { heads?: boolean } = {},
) {
  const ours = makeChain(n);
  const theirs = makeChain(n, 'component:default/other');
  const leaves: Uint8Array[] = [];
  const positions: number[] = [];
  for (let i = 0; i < n; i++) {
    leaves.push(leafHash(utf8Encode(theirs[i].canonical)));
    positions.push(leaves.length);
    leaves.push(leafHash(utf8Encode(ours[i].canonical)));
  }
  const lookup: NodeLookup = (level, index) =>
    merkleRoot(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level));
  const treeSize = leaves.length;
  const headsTree = new HeadsTree(
    [ours, theirs].map(c => ({
      entityRef: c[n - 1].env.entityRef,
      seq: n,
      hash: c[n - 1].hash,
    })),
  );
  const body = formatCheckpoint({
    origin: ORIGIN,
    treeSize,
    rootHash: subtreeHash(0, treeSize, lookup),
    extensions: options.heads ? [headsTree.extension()] : [],
  });
  const bundle: EvidenceBundle = {
    version: 1,
    entityRef: ENTITY,
    origin: ORIGIN,
    publicKey: verifierKeyFromSignerKey(signerKey),
    checkpoint: signNote(body, signerKey),
    records: ours.map((r, i) => ({
      leafIndex: positions[i],
      hash: r.hash,
      canonical: r.canonical,
      inclusionProof: inclusionProof(positions[i], treeSize, lookup).map(
        toBase64,
      ),
    })),
    ...(options.heads ? { headProof: headsTree.proof(ENTITY, treeSize) } : {}),
  };
  return { bundle, signerKey, chain: ours, treeSize };
}
