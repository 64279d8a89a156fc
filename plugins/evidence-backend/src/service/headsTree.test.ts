import { EntityHead, HeadsTree } from '@assay/plugin-evidence-common';
import { IncrementalHeadsTree } from './headsTree';
import { nativeSha256 } from '../store/nodeHash';

const hex = (n: number) => n.toString(16).padStart(64, '0');

/** A deterministic pseudo-random sequence (xorshift). */
function rng(seed: number) {
  let x = seed;
  return (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return Math.abs(x) % n;
  };
}

function expectSameTree(
  incremental: IncrementalHeadsTree,
  heads: Map<string, EntityHead>,
) {
  const reference = new HeadsTree(heads.values(), nativeSha256);
  expect(incremental.size).toBe(reference.size);
  expect(Buffer.from(incremental.root).toString('hex')).toBe(
    Buffer.from(reference.root).toString('hex'),
  );
  expect(incremental.extension()).toBe(reference.extension());
  const refs = [...heads.keys()];
  for (const ref of [refs[0], refs[refs.length >> 1], refs.at(-1)!, 'a:b/c']) {
    if (ref === undefined) continue;
    expect(incremental.proof(ref, 7)).toEqual(reference.proof(ref, 7));
  }
  expect(incremental.proof('component:default/zzz-none', 7)).toEqual(
    reference.proof('component:default/zzz-none', 7),
  );
}

describe('IncrementalHeadsTree', () => {
  it('builds and updates to the same tree, root and proofs as HeadsTree (changed heads, new entities anywhere)', async () => {
    const next = rng(42);
    const heads = new Map<string, EntityHead>();
    const add = (n: number) => {
      const entityRef = `component:default/e-${n}`;
      const seq = (heads.get(entityRef)?.seq ?? 0) + 1;
      heads.set(entityRef, { entityRef, seq, hash: hex(n * 1000 + seq) });
      return heads.get(entityRef)!;
    };
    for (let i = 0; i < 300; i++) add(next(1000));
    let tree = await IncrementalHeadsTree.build(heads.values());
    expectSameTree(tree, heads);
    for (let round = 0; round < 25; round++) {
      const changes = new Map<string, EntityHead>();
      const existing = [...heads.keys()];
      // mostly existing entities move on; some rounds add new ones
      for (let k = 0; k < 1 + next(20); k++) {
        const h =
          round % 3 === 0 && k % 4 === 0
            ? add(1000 + next(100_000))
            : add(Number(existing[next(existing.length)].split('-')[1]));
        changes.set(h.entityRef, h);
      }
      const before = tree;
      tree = await tree.update([...changes.values()]);
      expectSameTree(tree, heads);
      expect(before).not.toBe(tree); // immutable: the older tree is unchanged
    }
    // sizes 0, 1 and a power of two
    for (const n of [0, 1, 2, 64]) {
      const small = new Map<string, EntityHead>();
      for (let i = 0; i < n; i++) {
        small.set(`api:default/x${i}`, {
          entityRef: `api:default/x${i}`,
          seq: 1,
          hash: hex(i),
        });
      }
      expectSameTree(await IncrementalHeadsTree.build(small.values()), small);
    }
  });

  it('sorts large unsorted input in merged runs (10,000 shuffled heads)', async () => {
    const next = rng(7);
    const heads = new Map<string, EntityHead>();
    for (let i = 0; i < 10_000; i++) {
      const entityRef = `component:ns-${next(50)}/e-${next(1_000_000)}`;
      heads.set(entityRef, { entityRef, seq: 1 + next(9), hash: hex(i) });
    }
    const tree = await IncrementalHeadsTree.build(heads.values());
    expect(tree.heads.map(h => h.entityRef)).toEqual([...heads.keys()].sort());
    expectSameTree(tree, heads);
  });

  it('keeps an older tree valid after updating from it', async () => {
    const heads = ['a', 'b', 'c'].map(n => ({
      entityRef: `component:default/${n}`,
      seq: 1,
      hash: hex(n.charCodeAt(0)),
    }));
    const t1 = await IncrementalHeadsTree.build(heads);
    const root1 = Buffer.from(t1.root).toString('hex');
    await t1.update([{ ...heads[1], seq: 2, hash: hex(99) }]);
    await t1.update([
      { entityRef: 'component:default/aa', seq: 1, hash: hex(7) },
    ]);
    expect(Buffer.from(t1.root).toString('hex')).toBe(root1);
    expectSameTree(t1, new Map(heads.map(h => [h.entityRef, h])));
  });
});
