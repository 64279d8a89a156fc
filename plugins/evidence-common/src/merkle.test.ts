import { bytesEqual, toHex, utf8Encode } from './bytes';
import { sha256 } from './hash';
import {
  emptyRoot,
  leafHash,
  merkleRoot,
  NodeLookup,
  nodeHash,
  perfectNodesCompletedBy,
  subtreeHash,
} from './merkle';
import {
  consistencyProof,
  inclusionProof,
  proofNodeRefs,
} from './merkleProofs';
import {
  ProofError,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './merkleVerify';

const MAX = 70;
const leaves = Array.from({ length: MAX }, (_, i) =>
  leafHash(utf8Encode(`leaf ${i}`)),
);

/** Every perfect node, as the backend would store them by appending. */
function buildStore(n: number) {
  const store = new Map<string, Uint8Array>();
  for (let i = 0; i < n; i++) {
    store.set(`0:${i}`, leaves[i]);
    for (const { level, index } of perfectNodesCompletedBy(i)) {
      const l = store.get(`${level - 1}:${2 * index}`);
      const r = store.get(`${level - 1}:${2 * index + 1}`);
      if (!l || !r) throw new Error(`children of ${level}:${index} missing`);
      store.set(`${level}:${index}`, nodeHash(l, r));
    }
  }
  return store;
}

const store = buildStore(MAX);

/** A lookup over the tree of size n that records its calls and refuses nodes the tree does not have. */
function lookupFor(n: number) {
  const calls: Array<{ level: number; index: number }> = [];
  const lookup: NodeLookup = (level, index) => {
    calls.push({ level, index });
    if ((index + 1) * 2 ** level > n)
      throw new Error(`node ${level}:${index} is not in a tree of size ${n}`);
    return store.get(`${level}:${index}`)!;
  };
  return { lookup, calls };
}

const roots = Array.from({ length: MAX + 1 }, (_, n) =>
  merkleRoot(leaves.slice(0, n)),
);

describe('merkle hashing', () => {
  it('uses the RFC 6962 domain separation', () => {
    expect(toHex(emptyRoot())).toBe(toHex(sha256(new Uint8Array(0))));
    expect(leafHash(new Uint8Array([7]))).toEqual(
      sha256(new Uint8Array([0, 7])),
    );
    const a = leaves[0];
    const b = leaves[1];
    expect(nodeHash(a, b)).toEqual(sha256(new Uint8Array([1, ...a, ...b])));
    expect(() => nodeHash(a, a.slice(1))).toThrow(/32 bytes/);
  });

  it('refuses a hash function that does not return 32 bytes', () => {
    expect(() =>
      leafHash(new Uint8Array([1]), () => new Uint8Array(20)),
    ).toThrow(/32 bytes/);
  });

  it('passes the hash function through', () => {
    const calls: number[] = [];
    const counting = (d: Uint8Array) => {
      calls.push(d.length);
      return sha256(d);
    };
    expect(merkleRoot(leaves.slice(0, 5), counting)).toEqual(roots[5]);
    expect(calls).toHaveLength(4);
  });
});

describe('perfectNodesCompletedBy', () => {
  it('lists the nodes completed by an append, lowest level first', () => {
    expect(perfectNodesCompletedBy(0)).toEqual([]);
    expect(perfectNodesCompletedBy(1)).toEqual([{ level: 1, index: 0 }]);
    expect(perfectNodesCompletedBy(2)).toEqual([]);
    expect(perfectNodesCompletedBy(7)).toEqual([
      { level: 1, index: 3 },
      { level: 2, index: 1 },
      { level: 3, index: 0 },
    ]);
    expect(perfectNodesCompletedBy(2 ** 40 - 1).length).toBe(40);
  });

  it.each([1, 2, 3, 8, 37, MAX])(
    'produces exactly the perfect nodes of a tree of size %i',
    n => {
      const expected: string[] = [];
      for (let level = 1; 2 ** level <= n; level++) {
        for (let index = 0; (index + 1) * 2 ** level <= n; index++) {
          expected.push(`${level}:${index}`);
        }
      }
      const produced = Array.from({ length: n }, (_, i) =>
        perfectNodesCompletedBy(i),
      )
        .flat()
        .map(r => `${r.level}:${r.index}`);
      expect(produced.sort()).toEqual(expected.sort());
      // and every stored node is the MTH of its range
      for (const key of produced) {
        const [level, index] = key.split(':').map(Number);
        const range = leaves.slice(
          index * 2 ** level,
          (index + 1) * 2 ** level,
        );
        expect(store.get(key)).toEqual(merkleRoot(range));
      }
    },
  );
});

describe('subtreeHash', () => {
  it.each([
    [0, 0],
    [0, 1],
    [0, 5],
    [0, 64],
    [0, 70],
    [3, 9],
    [8, 16],
    [5, 6],
    [33, 70],
  ])('computes the MTH of leaves [%i, %i)', (start, end) => {
    expect(subtreeHash(start, end, lookupFor(MAX).lookup)).toEqual(
      merkleRoot(leaves.slice(start, end)),
    );
  });

  it('rejects bad ranges', () => {
    const { lookup } = lookupFor(MAX);
    expect(() => subtreeHash(5, 4, lookup)).toThrow(RangeError);
    expect(() => subtreeHash(-1, 4, lookup)).toThrow(RangeError);
    expect(() => subtreeHash(0.5, 4, lookup)).toThrow(RangeError);
  });

  it('uses O(log n) lookups for the right edge of a huge tree', () => {
    let calls = 0;
    const zero = new Uint8Array(32);
    subtreeHash(0, 2 ** 50 - 1, () => {
      calls++;
      return zero;
    });
    expect(calls).toBe(50);
  });
});

describe(`proofs for every tree size 1..${MAX}`, () => {
  it('generates inclusion proofs that verify, with exactly the predicted lookups', () => {
    for (let n = 1; n <= MAX; n++) {
      for (let m = 0; m < n; m++) {
        const { lookup, calls } = lookupFor(n);
        const proof = inclusionProof(m, n, lookup);
        verifyInclusion({
          leafIndex: m,
          treeSize: n,
          leafHash: leaves[m],
          proof,
          rootHash: roots[n],
        });
        expect(proofNodeRefs('inclusion', m, n)).toEqual(calls);
      }
    }
  });

  it('generates consistency proofs that verify, with exactly the predicted lookups', () => {
    for (let n = 1; n <= MAX; n++) {
      for (let m = 1; m <= n; m++) {
        const { lookup, calls } = lookupFor(n);
        const proof = consistencyProof(m, n, lookup);
        verifyConsistency({
          size1: m,
          size2: n,
          root1: roots[m],
          root2: roots[n],
          proof,
        });
        expect(proofNodeRefs('consistency', m, n)).toEqual(calls);
      }
    }
  });

  it('never verifies an inclusion proof for another leaf position', () => {
    for (let n = 2; n <= MAX; n++) {
      for (let m = 0; m < n; m++) {
        const proof = inclusionProof(m, n, lookupFor(n).lookup);
        const other = (m + 1) % n;
        expect(() =>
          verifyInclusion({
            leafIndex: other,
            treeSize: n,
            leafHash: leaves[m],
            proof,
            rootHash: roots[n],
          }),
        ).toThrow(ProofError);
      }
    }
  });

  it('never verifies a consistency proof for a forked old tree', () => {
    for (let n = 2; n <= MAX; n++) {
      for (let m = 1; m < n; m++) {
        const proof = consistencyProof(m, n, lookupFor(n).lookup);
        const forked = merkleRoot([
          ...leaves.slice(0, m - 1),
          leafHash(utf8Encode('forged')),
        ]);
        expect(() =>
          verifyConsistency({
            size1: m,
            size2: n,
            root1: forked,
            root2: roots[n],
            proof,
          }),
        ).toThrow(ProofError);
      }
    }
  });

  it('computes the root with subtreeHash from the store', () => {
    for (let n = 1; n <= MAX; n++) {
      expect(bytesEqual(subtreeHash(0, n, lookupFor(n).lookup), roots[n])).toBe(
        true,
      );
    }
  });

  it('needs only O(log n) lookups on huge trees', () => {
    const n = 2 ** 45 - 3;
    expect(proofNodeRefs('inclusion', n - 1, n).length).toBeLessThanOrEqual(
      2 * 45,
    );
    expect(proofNodeRefs('inclusion', 12345, n).length).toBeLessThanOrEqual(
      2 * 45,
    );
    expect(
      proofNodeRefs('consistency', 2 ** 44 + 7, n).length,
    ).toBeLessThanOrEqual(2 * 45);
  });
});

describe('proof generation and verification errors', () => {
  const { lookup } = lookupFor(MAX);

  it('rejects impossible proof requests', () => {
    expect(() => inclusionProof(5, 5, lookup)).toThrow(RangeError);
    expect(() => consistencyProof(0, 5, lookup)).toThrow(RangeError);
    expect(() => consistencyProof(6, 5, lookup)).toThrow(RangeError);
  });

  it('rejects malformed inclusion proofs', () => {
    const proof = inclusionProof(3, 10, lookup);
    const base = {
      leafIndex: 3,
      treeSize: 10,
      leafHash: leaves[3],
      proof,
      rootHash: roots[10],
    };
    expect(() => verifyInclusion(base)).not.toThrow();
    expect(() => verifyInclusion({ ...base, proof: proof.slice(1) })).toThrow(
      /too short|leads to root/,
    );
    expect(() =>
      verifyInclusion({ ...base, proof: [...proof, leaves[0]] }),
    ).toThrow(/longer/);
    expect(() => verifyInclusion({ ...base, rootHash: roots[9] })).toThrow(
      /expected/,
    );
    expect(() => verifyInclusion({ ...base, leafIndex: 2 ** 53 })).toThrow(
      /safe integer/,
    );
    expect(() => verifyInclusion({ ...base, treeSize: 3 })).toThrow(
      /not below/,
    );
    expect(() =>
      verifyInclusion({ ...base, leafHash: leaves[3].slice(1) }),
    ).toThrow(/32 bytes/);
    expect(() => rootFromInclusionProof(3, 10, leaves[3], proof)).not.toThrow();
  });
});
