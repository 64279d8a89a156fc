import { bytesEqual, fromBase64 } from './bytes';
import { HashFn } from './hash';
import { nodeHash } from './merkle';
import { ProofError, verifyInclusion } from './merkleVerify';

type PathNode = { level: number; index: number; hash: Uint8Array };

/**
 * Verifies the inclusion proofs of many leaves of ONE tree, given in
 * increasing leaf order, at a cost close to hashing the tree once instead of
 * a full path per leaf.
 *
 * Each proof is walked bottom-up exactly as RFC 9162 §2.1.3.2 does. The path
 * of the last proof that verified is remembered; when the new path reaches a
 * node of that path (same level and index) with the same hash, and the rest
 * of its proof is exactly the rest of that path's proof, the new proof leads
 * to the same root as the verified one, so hashing further would only repeat
 * the same computation. Any difference — another hash at that node, other
 * sibling hashes above it, a wrong length — makes it fall back to
 * {@link verifyInclusion} of the whole proof, which decides and explains.
 * Proofs must come in increasing leaf order (the path of leaf i shares the
 * most nodes with leaf i−1); out-of-order input is still verified in full.
 */
export function createInclusionBatch(
  treeSize: number,
  rootHash: Uint8Array,
  hash: HashFn,
) {
  let last: { proof: string[]; path: PathNode[] } | undefined;

  const full = (leafIndex: number, leafHash: Uint8Array, proof: string[]) => {
    let decoded: Uint8Array[];
    try {
      decoded = proof.map(p => fromBase64(p));
    } catch (e) {
      throw new ProofError(
        `proof element is not base64: ${(e as Error).message}`,
      );
    }
    verifyInclusion(
      { leafIndex, treeSize, leafHash, proof: decoded, rootHash },
      hash,
    );
  };

  return {
    /** Throws a ProofError when `leafHash` is not leaf `leafIndex`. */
    verify(leafIndex: number, leafHash: Uint8Array, proof: string[]): void {
      if (
        !Number.isSafeInteger(leafIndex) ||
        leafIndex < 0 ||
        leafIndex >= treeSize ||
        leafHash.length !== 32
      ) {
        full(leafIndex, leafHash, proof);
        return;
      }
      const path: PathNode[] = [];
      let fn = leafIndex;
      let sn = treeSize - 1;
      let level = 0;
      let r = leafHash;
      let walked = 0;
      for (let step = 0; step < proof.length; step++) {
        if (sn === 0) break; // too long: the full check explains
        let p: Uint8Array;
        try {
          p = fromBase64(proof[step]);
        } catch {
          break;
        }
        if (p.length !== 32) break;
        if (fn % 2 === 1 || fn === sn) {
          r = nodeHash(p, r, hash);
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
            level++;
          }
        } else {
          r = nodeHash(r, p, hash);
        }
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
        level++;
        path.push({ level, index: fn, hash: r });
        const hit = last && shortcut(last, path, proof, step);
        if (hit === true) return;
        if (hit === false) break;
        walked += 1;
      }
      if (walked === proof.length && sn === 0 && bytesEqual(r, rootHash)) {
        last = { proof, path }; // the whole path, hashed up to the root
        return;
      }
      // anything else: the whole proof, as verifyInclusion checks it
      full(leafIndex, leafHash, proof);
      last = {
        proof,
        path: fullPath(leafIndex, treeSize, leafHash, proof, hash),
      };
    },
  };
}

/**
 * Whether the node just reached (the end of `path`) lies on the last
 * verified path: true when it does with the same hash and the same proof
 * above it (then `last` becomes this proof's path), false when it does but
 * differs, undefined when it is not on that path.
 */
function shortcut(
  last: { proof: string[]; path: PathNode[] },
  path: PathNode[],
  proof: string[],
  step: number,
): boolean | undefined {
  const node = path[path.length - 1];
  const known = last.path.findIndex(
    n => n.level === node.level && n.index === node.index,
  );
  if (known < 0) return undefined;
  const rest = proof.length - step - 1;
  if (
    !bytesEqual(last.path[known].hash, node.hash) ||
    last.proof.length - known - 1 !== rest
  ) {
    return false;
  }
  for (let i = step + 1; i < proof.length; i++) {
    if (proof[i] !== last.proof[known + i - step]) return false;
  }
  const lastPath = last.path;
  last.path = [...path, ...lastPath.slice(known + 1)];
  last.proof = proof;
  return true;
}

/** The nodes a valid proof walks through (for the next proofs' shortcut). */
function fullPath(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: string[],
  hash: HashFn,
): PathNode[] {
  const path: PathNode[] = [];
  let fn = leafIndex;
  let sn = treeSize - 1;
  let level = 0;
  let r = leafHash;
  for (const q of proof) {
    const p = fromBase64(q);
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r, hash);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
        level++;
      }
    } else {
      r = nodeHash(r, p, hash);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
    level++;
    path.push({ level, index: fn, hash: r });
  }
  return path;
}
