import { toBase64, utf8Encode } from './bytes';
import { sha256 } from './hash';
import {
  createInclusionBatch,
  HASH_BASE64,
  isHashBase64,
} from './inclusionBatch';
import {
  leafHash,
  merkleRoot,
  NodeLookup,
  nodeHash,
  perfectNodesCompletedBy,
} from './merkle';
import { inclusionProof } from './merkleProofs';

const MAX = 45;
const leaves = Array.from({ length: MAX }, (_, i) =>
  leafHash(utf8Encode(`leaf ${i}`)),
);
const store = new Map<string, Uint8Array>();
for (let i = 0; i < MAX; i++) {
  store.set(`0:${i}`, leaves[i]);
  for (const { level, index } of perfectNodesCompletedBy(i)) {
    store.set(
      `${level}:${index}`,
      nodeHash(
        store.get(`${level - 1}:${2 * index}`)!,
        store.get(`${level - 1}:${2 * index + 1}`)!,
      ),
    );
  }
}
const lookup: NodeLookup = (level, index) => store.get(`${level}:${index}`)!;
const proofOf = (leaf: number, size: number) =>
  inclusionProof(leaf, size, lookup).map(h => toBase64(h));

/** Counts hash calls. */
function countingHash() {
  const counter = { calls: 0 };
  const hash = (data: Uint8Array) => {
    counter.calls += 1;
    return sha256(data);
  };
  return { hash, counter };
}

describe('createInclusionBatch', () => {
  it('accepts every leaf of every tree size, in order, with fewer hashes than one path per leaf', () => {
    for (let size = 1; size <= MAX; size++) {
      const root = merkleRoot(leaves.slice(0, size));
      const { hash, counter } = countingHash();
      const batch = createInclusionBatch(size, root, hash);
      let pathHashes = 0;
      for (let i = 0; i < size; i++) {
        const proof = proofOf(i, size);
        pathHashes += proof.length;
        expect(() => batch.verify(i, leaves[i], proof)).not.toThrow();
      }
      // one proof in full (twice: verify + path) plus about one hash per node
      expect(counter.calls).toBeLessThanOrEqual(
        Math.max(pathHashes, 2 * size + 4 * Math.ceil(Math.log2(size + 1))),
      );
    }
  });

  it('rejects a wrong leaf, a tampered sibling below or above the shared node, and extra or missing elements', () => {
    const size = 37;
    const root = merkleRoot(leaves.slice(0, size));
    const fresh = () => {
      const batch = createInclusionBatch(size, root, sha256);
      for (let i = 0; i < 20; i++) batch.verify(i, leaves[i], proofOf(i, size));
      return batch;
    };
    const good = proofOf(20, size);
    const other = toBase64(leaves[44]);
    expect(() => fresh().verify(20, leaves[21], good)).toThrow(/\broot\b/);
    for (let k = 0; k < good.length; k++) {
      const tampered = good.map((h, j) => (j === k ? other : h));
      expect(() => fresh().verify(20, leaves[20], tampered)).toThrow();
    }
    expect(() => fresh().verify(20, leaves[20], [...good, other])).toThrow(
      /longer/,
    );
    expect(() => fresh().verify(20, leaves[20], good.slice(0, -1))).toThrow(
      /short/,
    );
    expect(() => fresh().verify(20, leaves[20], ['not base64!'])).toThrow(
      /base64/,
    );
    expect(() => fresh().verify(size, leaves[20], good)).toThrow();
    // out of order still verifies in full
    const batch = fresh();
    expect(() => batch.verify(3, leaves[3], proofOf(3, size))).not.toThrow();
    expect(() => batch.verify(3, leaves[4], proofOf(3, size))).toThrow();
  });

  it('about one node hash per leaf in leaf order (a proven sibling costs none)', () => {
    for (const size of [16, 37, 45]) {
      const root = merkleRoot(leaves.slice(0, size));
      const { hash, counter } = countingHash();
      const batch = createInclusionBatch(size, root, hash);
      for (let i = 0; i < size; i++)
        batch.verify(i, leaves[i], proofOf(i, size));
      expect(counter.calls).toBeLessThanOrEqual(size + 2 * Math.log2(size));
    }
  });

  it('rejects every tampered element of every proof at every position of a run (contiguous or sparse), and goes on verifying', () => {
    const other = toBase64(leafHash(utf8Encode('not a leaf of any tree here')));
    for (const [size, stride] of [
      [2, 1],
      [3, 1],
      [7, 1],
      [8, 1],
      [13, 1],
      [16, 1],
      [21, 1],
      [37, 1],
      [37, 3],
      [45, 4],
    ]) {
      const root = merkleRoot(leaves.slice(0, size));
      const picks = leaves
        .slice(0, size)
        .flatMap((_, i) => (i % stride === 0 ? [i] : []));
      for (let n = 0; n < picks.length; n++) {
        const t = picks[n];
        const good = proofOf(t, size);
        const before = () => {
          const batch = createInclusionBatch(size, root, sha256);
          for (const i of picks.slice(0, n))
            batch.verify(i, leaves[i], proofOf(i, size));
          return batch;
        };
        for (let k = 0; k < good.length; k++) {
          const batch = before();
          const tampered = good.map((h, j) => (j === k ? other : h));
          expect(() => batch.verify(t, leaves[t], tampered)).toThrow();
          // a wrong leaf with the good proof, then the good one: state intact
          expect(() => batch.verify(t, leaves[(t + 1) % size], good)).toThrow();
          for (const i of picks.slice(n)) {
            expect(() =>
              batch.verify(i, leaves[i], proofOf(i, size)),
            ).not.toThrow();
          }
        }
        // a proof one element short or long after a run (size ≥ 2: never empty)
        expect(good.length).toBeGreaterThan(0);
        expect(() => before().verify(t, leaves[t], good.slice(1))).toThrow();
        expect(() => before().verify(t, leaves[t], [...good, other])).toThrow();
      }
    }
  });

  it('is not fooled by a verified path when the root differs', () => {
    const size = 16;
    const wrongRoot = merkleRoot(leaves.slice(0, 15));
    const batch = createInclusionBatch(size, wrongRoot, sha256);
    expect(() => batch.verify(0, leaves[0], proofOf(0, size))).toThrow(
      /\broot\b/,
    );
    expect(() => batch.verify(1, leaves[1], proofOf(1, size))).toThrow(
      /\broot\b/,
    );
  });
});

describe('isHashBase64', () => {
  it('agrees with HASH_BASE64 on hashes and their mutations', () => {
    const alphabet =
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .\u00e9\u0100\ud800';
    let seed = 1;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let accepted = 0;
    for (let i = 0; i < 20000; i++) {
      const good = toBase64(sha256(utf8Encode(`leaf ${i}`)));
      const chars = good.split('');
      const edits = i % 4; // a quarter unchanged
      for (let e = 0; e < edits; e++) {
        chars[rnd(chars.length)] = alphabet[rnd(alphabet.length)];
      }
      if (i % 13 === 0) chars.pop();
      if (i % 17 === 0) chars.push('A');
      const s = chars.join('');
      expect([s, isHashBase64(s)]).toEqual([s, HASH_BASE64.test(s)]);
      if (isHashBase64(s)) accepted++;
    }
    expect(accepted).toBeGreaterThan(4000);
    expect(accepted).toBeLessThan(20000);
    expect(isHashBase64(undefined)).toBe(false);
    expect(isHashBase64(`${'A'.repeat(42)}B=`)).toBe(false); // padding bits set
    expect(isHashBase64(`${'A'.repeat(42)}E=`)).toBe(true);
  });
});
