import { fromBase64, toBase64 } from './bytes';
import { HashFn } from './hash';
import { ProofError, verifyInclusion } from './merkleVerify';

/**
 * RFC 6962 interior node hash over base64: the canonical base64 of
 * SHA-256(0x01 ‖ left ‖ right), given the canonical base64 of two 32-byte
 * hashes. Lets Node decode, hash and encode natively.
 *
 * @public
 */
export type Base64NodeHash = (left: string, right: string) => string;

/** The canonical base64 of 32 bytes (zero padding bits). */
export const HASH_BASE64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

const BASE64_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') {
  BASE64_CHAR[c.charCodeAt(0)] = 1;
}
// the last character before '=' of 32 bytes: its two low bits are padding (0)
const BASE64_LAST = new Uint8Array(128);
for (const c of 'AEIMQUYcgkosw048') BASE64_LAST[c.charCodeAt(0)] = 1;

/**
 * `HASH_BASE64.test(s)` by table lookup (about 3× faster than the regex;
 * called for every proof element walked; differential test in
 * inclusionBatch.test.ts).
 * @internal
 */
export function isHashBase64(s: unknown): boolean {
  if (typeof s !== 'string' || s.length !== 44 || s.charCodeAt(43) !== 61) {
    return false;
  }
  const last = s.charCodeAt(42);
  if (last > 127 || BASE64_LAST[last] !== 1) return false;
  for (let i = 0; i < 42; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || BASE64_CHAR[c] !== 1) return false;
  }
  return true;
}

/** {@link Base64NodeHash} from a hash function over bytes. */
export function base64NodeHash(hash: HashFn): Base64NodeHash {
  const scratch = new Uint8Array(65);
  scratch[0] = 1;
  return (left, right) => {
    scratch.set(fromBase64(left), 1);
    scratch.set(fromBase64(right), 33);
    return toBase64(hash(scratch));
  };
}

/**
 * Verifies the inclusion proofs of many leaves of ONE tree, given in
 * increasing leaf order, at a cost close to hashing the tree once instead of
 * a full path per leaf.
 *
 * Each proof is walked bottom-up exactly as RFC 9162 §2.1.3.2 does, with the
 * tree position (level, index) of every node it passes. The last proof that
 * verified is remembered level by level: the node its path passed at that
 * level, the sibling its proof gave there, and the proof elements above.
 * All of them are authenticated (they hash up to the signed root). When the
 * new walk reaches
 *  - the node of that path at the same position with the same hash, and
 *    the rest of its proof is, string for string, the rest of that proof; or
 *  - the sibling of that path's node with the sibling's hash, its next
 *    proof element is that path's node, and the rest of its proof is the
 *    rest of that proof,
 * then the new proof hashes to the same root through the same (already
 * hashed) nodes, and hashing further would only repeat that computation.
 * Any difference — another hash at that node, another element above it, a
 * wrong length, an element not in canonical base64 — makes it fall back to
 * {@link verifyInclusion} of the whole proof, which decides and explains.
 * Out-of-order input is still verified in full. In leaf order this is about
 * one node hash per leaf (the odd leaves of a run are their left
 * neighbour's proven sibling: no hash at all).
 *
 * Hashes are compared as canonical base64 strings (every element is checked
 * to be the one canonical encoding of 32 bytes before it is used), so equal
 * strings are equal hashes.
 */
export function createInclusionBatch(
  treeSize: number,
  rootHash: Uint8Array,
  hash: HashFn,
  nodeHash: Base64NodeHash = base64NodeHash(hash),
) {
  const root = toBase64(rootHash);
  // the last verified proof, per level (index -1: not on its path)
  const index: number[] = [];
  const node: string[] = [];
  const sibling: string[] = [];
  /** proof elements from this level's element to the end */
  const fromEnd: number[] = [];
  let lastProof: string[] | undefined;
  let lastTop = -1;
  // the walk of the current proof (levels below the shortcut)
  const cIndex: number[] = [];
  const cNode: string[] = [];
  const cSibling: string[] = [];
  const cFromEnd: number[] = [];

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

  /** Whether proof[from..] equals lastProof[lastFrom..] exactly. */
  const sameTail = (proof: string[], from: number, lastFrom: number) => {
    const last = lastProof!;
    if (proof.length - from !== last.length - lastFrom) return false;
    for (let i = from, j = lastFrom; i < proof.length; i++, j++) {
      if (proof[i] !== last[j]) return false;
    }
    return true;
  };

  /**
   * Makes the walk just done (levels below `upTo`) the remembered path;
   * above it the remembered path is unchanged (the same nodes).
   */
  const remember = (proof: string[], upTo: number, top: number) => {
    for (let l = 0; l < upTo; l++) {
      if (cIndex[l] >= 0) {
        index[l] = cIndex[l];
        node[l] = cNode[l];
        sibling[l] = cSibling[l];
        fromEnd[l] = cFromEnd[l];
      } else {
        index[l] = -1;
      }
    }
    lastProof = proof;
    lastTop = top;
  };

  /**
   * Walks `proof` from the leaf; returns true when it reached the signed
   * root or a remembered node (see above), false when it must be checked in
   * full. With `shortcuts` false it walks to the root (to remember a path
   * the full check accepted).
   */
  const walk = (
    leafIndex: number,
    leafHash: string,
    proof: string[],
    shortcuts: boolean,
  ): boolean => {
    let fn = leafIndex;
    let sn = treeSize - 1;
    let level = 0;
    let r = leafHash;
    for (let step = 0; step < proof.length; step++) {
      if (sn === 0) return false; // too long: the full check explains
      if (fn === sn && fn % 2 === 0) {
        // the right edge: a node without a right sibling moves up as is
        while (fn % 2 === 0) {
          cIndex[level] = -1;
          fn /= 2;
          sn = Math.floor(sn / 2);
          level++;
        }
      }
      if (shortcuts && level <= lastTop && index[level] >= 0) {
        if (index[level] === fn) {
          // the remembered path's own node
          if (node[level] !== r) return false;
          if (!sameTail(proof, step, lastProof!.length - fromEnd[level]))
            return false;
          remember(proof, level, lastTop);
          return true;
        }
        if ((index[level] ^ 1) === fn) {
          // the sibling the remembered proof gave at this level, and this
          // proof's element there is the remembered path's node
          if (sibling[level] !== r || proof[step] !== node[level]) {
            return false;
          }
          const lastFrom = lastProof!.length - fromEnd[level];
          if (!sameTail(proof, step + 1, lastFrom + 1)) return false;
          const pathNode = node[level];
          remember(proof, level, lastTop);
          index[level] = fn;
          node[level] = r;
          sibling[level] = pathNode;
          return true;
        }
      }
      const p = proof[step];
      if (!isHashBase64(p)) return false;
      cIndex[level] = fn;
      cNode[level] = r;
      cSibling[level] = p;
      cFromEnd[level] = proof.length - step;
      r = fn % 2 === 1 ? nodeHash(p, r) : nodeHash(r, p);
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
      level++;
    }
    if (sn !== 0 || r !== root) return false;
    remember(proof, level, level - 1);
    return true;
  };

  return {
    /**
     * Throws a ProofError when `leafHash` (bytes, or their canonical base64)
     * is not leaf `leafIndex`.
     */
    verify(
      leafIndex: number,
      leafHash: Uint8Array | string,
      proof: string[],
    ): void {
      const leaf64 =
        typeof leafHash === 'string' ? leafHash : toBase64(leafHash);
      if (
        !Number.isSafeInteger(leafIndex) ||
        leafIndex < 0 ||
        leafIndex >= treeSize ||
        !isHashBase64(leaf64)
      ) {
        full(leafIndex, bytesOf(leafHash), proof);
        return;
      }
      if (walk(leafIndex, leaf64, proof, true)) return;
      // anything else: the whole proof, as verifyInclusion checks it
      full(leafIndex, bytesOf(leafHash), proof);
      walk(leafIndex, leaf64, proof, false);
    },
  };
}

function bytesOf(leafHash: Uint8Array | string): Uint8Array {
  if (typeof leafHash !== 'string') return leafHash;
  try {
    return fromBase64(leafHash);
  } catch {
    return new Uint8Array(0); // the full check names the wrong length
  }
}
