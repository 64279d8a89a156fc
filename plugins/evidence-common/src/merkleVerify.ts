import { bytesEqual, toHex } from './bytes';
import { HashFn, sha256 } from './hash';
import { HASH_SIZE, isPowerOfTwo, nodeHash } from './merkle';

/**
 * Thrown when a Merkle inclusion or consistency proof does not verify.
 *
 * @public
 */
export class ProofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProofError';
  }
}

function requireIndex(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new ProofError(
      `${what} must be a non-negative safe integer, got ${n}`,
    );
  }
}

function requireHash(h: Uint8Array, what: string): void {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    throw new ProofError(`${what} must be exactly ${HASH_SIZE} bytes`);
  }
}

function requireProof(proof: Uint8Array[]): void {
  proof.forEach((p, i) => requireHash(p, `proof element ${i}`));
}

const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/**
 * Recomputes the tree root from an inclusion proof following RFC 9162
 * §2.1.3.2. Throws a {@link ProofError} if the proof has the wrong shape for
 * (leafIndex, treeSize); it does not compare against any root.
 *
 * @public
 */
export function rootFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: Uint8Array[],
  hash: HashFn = sha256,
): Uint8Array {
  requireIndex(leafIndex, 'leafIndex');
  requireIndex(treeSize, 'treeSize');
  if (leafIndex >= treeSize) {
    throw new ProofError(
      `leafIndex ${leafIndex} is not below treeSize ${treeSize}`,
    );
  }
  requireHash(leafHash, 'leaf hash');
  requireProof(proof);
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) {
      throw new ProofError('inclusion proof is longer than the tree is deep');
    }
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r, hash);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p, hash);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) {
    throw new ProofError('inclusion proof is too short for the tree size');
  }
  return r;
}

/**
 * Verifies that `leafHash` is leaf `leafIndex` of the tree with `rootHash`
 * and `treeSize` leaves (RFC 9162 §2.1.3.2). Throws a {@link ProofError}
 * when it is not.
 *
 * @public
 */
export function verifyInclusion(
  args: {
    leafIndex: number;
    treeSize: number;
    leafHash: Uint8Array;
    proof: Uint8Array[];
    rootHash: Uint8Array;
  },
  hash: HashFn = sha256,
): void {
  requireHash(args.rootHash, 'root hash');
  const { leafIndex, treeSize, leafHash, proof } = args;
  const r = rootFromInclusionProof(leafIndex, treeSize, leafHash, proof, hash);
  if (!bytesEqual(r, args.rootHash)) {
    throw new ProofError(
      `inclusion proof leads to root ${toHex(r)}, expected ${toHex(
        args.rootHash,
      )}`,
    );
  }
}

/**
 * Verifies that the tree (size2, root2) is an append-only extension of the
 * tree (size1, root1) following RFC 9162 §2.1.4.2, with the stricter rules
 * of the transparency-dev test vectors: every hash is exactly 32 bytes, a
 * proof from size1 = 0 always fails, and size1 = size2 requires an empty
 * proof and equal roots. Throws a {@link ProofError} when invalid.
 *
 * @public
 */
export function verifyConsistency(
  args: {
    size1: number;
    size2: number;
    root1: Uint8Array;
    root2: Uint8Array;
    proof: Uint8Array[];
  },
  hash: HashFn = sha256,
): void {
  const { size1, size2, root1, root2, proof } = args;
  requireIndex(size1, 'size1');
  requireIndex(size2, 'size2');
  requireHash(root1, 'root1');
  requireHash(root2, 'root2');
  requireProof(proof);
  if (size2 < size1) {
    throw new ProofError(`size2 (${size2}) is smaller than size1 (${size1})`);
  }
  if (size1 === 0) {
    throw new ProofError(
      'a consistency proof from the empty tree proves nothing',
    );
  }
  if (size1 === size2) {
    if (proof.length !== 0) {
      throw new ProofError('size1 equals size2, but the proof is not empty');
    }
    if (!bytesEqual(root1, root2)) {
      throw new ProofError('size1 equals size2, but the roots differ');
    }
    return;
  }
  if (proof.length === 0) {
    throw new ProofError('empty consistency proof');
  }
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) {
      throw new ProofError('consistency proof is too long');
    }
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr, hash);
      sr = nodeHash(c, sr, hash);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c, hash);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) {
    throw new ProofError('consistency proof is too short');
  }
  if (!bytesEqual(fr, root1)) {
    throw new ProofError(
      `consistency proof does not lead to root1 ${toHex(root1)}`,
    );
  }
  if (!bytesEqual(sr, root2)) {
    throw new ProofError(
      `consistency proof does not lead to root2 ${toHex(root2)}`,
    );
  }
}
