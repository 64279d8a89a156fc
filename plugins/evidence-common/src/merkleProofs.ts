import { HashFn, sha256 } from './hash';
import {
  assertIndex,
  HASH_SIZE,
  NodeLookup,
  NodeRef,
  splitPoint,
  subtreeHash,
} from './merkle';

/**
 * RFC 6962 §2.1.1 PATH: the audit path for leaf `leafIndex` in the tree of
 * `treeSize` leaves, bottom-up.
 *
 * @public
 */
export function inclusionProof(
  leafIndex: number,
  treeSize: number,
  lookup: NodeLookup,
  hash: HashFn = sha256,
): Uint8Array[] {
  assertIndex(leafIndex, 'leafIndex');
  assertIndex(treeSize, 'treeSize');
  if (leafIndex >= treeSize) {
    throw new RangeError(
      `leafIndex ${leafIndex} is not below treeSize ${treeSize}`,
    );
  }
  const topDown: Uint8Array[] = [];
  let start = 0;
  let end = treeSize;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (leafIndex < start + k) {
      topDown.push(subtreeHash(start + k, end, lookup, hash));
      end = start + k;
    } else {
      topDown.push(subtreeHash(start, start + k, lookup, hash));
      start += k;
    }
  }
  return topDown.reverse();
}

/**
 * RFC 6962 §2.1.2 PROOF: the consistency proof between the trees of `size1`
 * and `size2` leaves (0 \< size1 ≤ size2), bottom-up.
 *
 * @public
 */
export function consistencyProof(
  size1: number,
  size2: number,
  lookup: NodeLookup,
  hash: HashFn = sha256,
): Uint8Array[] {
  assertIndex(size1, 'size1');
  assertIndex(size2, 'size2');
  if (size1 < 1 || size1 > size2) {
    throw new RangeError(`need 0 < size1 <= size2, got ${size1} and ${size2}`);
  }
  const topDown: Uint8Array[] = [];
  let start = 0;
  let end = size2;
  let m = size1;
  let complete = true; // RFC 6962's `b`: the subtree is the whole old tree.
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!complete) topDown.push(subtreeHash(start, end, lookup, hash));
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      topDown.push(subtreeHash(start + k, end, lookup, hash));
      end = start + k;
    } else {
      topDown.push(subtreeHash(start, start + k, lookup, hash));
      start += k;
      m -= k;
      complete = false;
    }
  }
  return topDown.reverse();
}

/**
 * The perfect-subtree nodes that {@link inclusionProof} (a = leafIndex,
 * b = treeSize) or {@link consistencyProof} (a = size1, b = size2) will look
 * up, in lookup order and without duplicates, so a caller can fetch them all
 * at once and then run the proof against a map-backed lookup.
 *
 * @public
 */
export function proofNodeRefs(
  kind: 'inclusion' | 'consistency',
  a: number,
  b: number,
): NodeRef[] {
  const refs: NodeRef[] = [];
  const seen = new Set<string>();
  const zero = new Uint8Array(HASH_SIZE);
  const record: NodeLookup = (level, index) => {
    const key = `${level}:${index}`;
    if (!seen.has(key)) {
      seen.add(key);
      refs.push({ level, index });
    }
    return zero;
  };
  const noHash: HashFn = () => zero;
  if (kind === 'inclusion') inclusionProof(a, b, record, noHash);
  else consistencyProof(a, b, record, noHash);
  return refs;
}
