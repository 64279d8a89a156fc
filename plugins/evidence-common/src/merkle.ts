import { concatBytes } from './bytes';
import { HashFn, sha256 } from './hash';

/** Every hash in the tree is exactly this many bytes (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0]);
const NODE_PREFIX = new Uint8Array([1]);

/**
 * A perfect subtree of the log: `level` 0 are leaf hashes, and the node at
 * (level, index) covers leaves [index·2^level, (index+1)·2^level).
 *
 * @public
 */
export type NodeRef = { level: number; index: number };

/**
 * Returns the hash of the perfect subtree at (level, index); see
 * {@link NodeRef}. It may throw if the node is not available.
 *
 * @public
 */
export type NodeLookup = (level: number, index: number) => Uint8Array;

function checked(h: Uint8Array, what: string): Uint8Array {
  if (h.length !== HASH_SIZE) {
    throw new TypeError(`${what} must be ${HASH_SIZE} bytes, got ${h.length}`);
  }
  return h;
}

/** @internal */
export function assertIndex(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer`);
  }
}

/**
 * RFC 6962 leaf hash: H(0x00 ‖ data).
 *
 * @public
 */
export function leafHash(data: Uint8Array, hash: HashFn = sha256): Uint8Array {
  return checked(hash(concatBytes(LEAF_PREFIX, data)), 'hash output');
}

/**
 * RFC 6962 interior node hash: H(0x01 ‖ left ‖ right).
 *
 * @public
 */
export function nodeHash(
  left: Uint8Array,
  right: Uint8Array,
  hash: HashFn = sha256,
): Uint8Array {
  checked(left, 'left child hash');
  checked(right, 'right child hash');
  return checked(hash(concatBytes(NODE_PREFIX, left, right)), 'hash output');
}

/**
 * Root of the empty tree: H("").
 *
 * @public
 */
export function emptyRoot(hash: HashFn = sha256): Uint8Array {
  return checked(hash(new Uint8Array(0)), 'hash output');
}

/** Largest power of two strictly smaller than n (n ≥ 2). @internal */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** @internal */
export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && splitPoint(n + 1) === n;
}

/**
 * The Merkle Tree Hash (RFC 6962 §2.1) of a list of leaf hashes.
 *
 * @public
 */
export function merkleRoot(
  leafHashes: Uint8Array[],
  hash: HashFn = sha256,
): Uint8Array {
  const mth = (start: number, end: number): Uint8Array => {
    if (end - start === 1)
      return checked(leafHashes[start], `leaf hash ${start}`);
    const k = splitPoint(end - start);
    return nodeHash(mth(start, start + k), mth(start + k, end), hash);
  };
  return leafHashes.length === 0 ? emptyRoot(hash) : mth(0, leafHashes.length);
}

/**
 * The Merkle Tree Hash of leaves [start, end), built only from lookups of
 * aligned perfect subtrees: a power-of-two range starting at a multiple of its
 * size is looked up directly, anything else is split at the largest power of
 * two smaller than its size (RFC 6962 §2.1). The right edge of a tree of size
 * n therefore costs O(log n) lookups and hashes.
 *
 * @public
 */
export function subtreeHash(
  start: number,
  end: number,
  lookup: NodeLookup,
  hash: HashFn = sha256,
): Uint8Array {
  assertIndex(start, 'start');
  assertIndex(end, 'end');
  if (end < start) throw new RangeError('end must not be smaller than start');
  const size = end - start;
  if (size === 0) return emptyRoot(hash);
  if (isPowerOfTwo(size) && start % size === 0) {
    const level = Math.log2(size);
    return checked(
      lookup(level, start / size),
      `node (${level}, ${start / size})`,
    );
  }
  const k = splitPoint(size);
  return nodeHash(
    subtreeHash(start, start + k, lookup, hash),
    subtreeHash(start + k, end, lookup, hash),
    hash,
  );
}

/**
 * The perfect nodes at level ≥ 1 that become complete when leaf `leafIndex`
 * (0-based) is appended, in ascending level order. Storing these after every
 * append keeps every perfect subtree available at amortized O(1) writes.
 *
 * @public
 */
export function perfectNodesCompletedBy(leafIndex: number): NodeRef[] {
  assertIndex(leafIndex, 'leafIndex');
  const out: NodeRef[] = [];
  const size = leafIndex + 1;
  for (let level = 1, width = 2; size % width === 0; level++, width *= 2) {
    out.push({ level, index: size / width - 1 });
  }
  return out;
}
